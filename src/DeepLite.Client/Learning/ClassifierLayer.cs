using System.Runtime.InteropServices;
using DeepLite.Modeling;
using DeepLite.Runtime;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Client.Learning;

/// <summary>
/// The last layer of a classifier graph, <c>logits = W·e + b</c>, found as the operator feeding
/// <c>[RESHAPE →] SOFTMAX → output 0</c>: a FULLY_CONNECTED with weights <c>[N, D]</c>, or a 1×1 CONV_2D with weights
/// <c>[N, 1, 1, D]</c> over a 1×1 input (MobileNet v1), without a fused activation and with a bias. Reads the weights as a
/// float <see cref="ClassifierHead"/> and writes a changed head back, growing every tensor and shape that has N classes.
/// </summary>
/// <remarks>
/// Supported types: F32 weights and bias; QU8 / QS8 per-tensor weights, or QC8 per-channel weights (axis 0), with an
/// int32 bias whose scale is <c>inputScale · weightScale</c> (per channel for QC8).
/// </remarks>
internal sealed class ClassifierLayer
{
    private ClassifierLayer(GraphOperator layer, GraphOperator? reshape, GraphOperator softmax, int classes, int depth)
    {
        Layer = layer;
        Reshape = reshape;
        Softmax = softmax;
        Classes = classes;
        Depth = depth;
    }

    public GraphOperator Layer { get; }
    public GraphOperator? Reshape { get; }
    public GraphOperator Softmax { get; }
    public GraphTensor Embedding => Layer.Inputs[0]!;
    public GraphTensor Weights => Layer.Inputs[1]!;
    public GraphTensor Bias => Layer.Inputs[2]!;
    public GraphTensor Logits => Layer.Outputs[0];
    public int Classes { get; private set; }
    public int Depth { get; }
    public bool IsQuantized => Weights.Type != TensorType.Float32;

    /// <summary>Finds the classifier layer of <paramref name="graph"/>.</summary>
    /// <exception cref="PersonalizationException">The graph does not end in a layer this class can change; the message says why.</exception>
    public static ClassifierLayer Find(ModelGraph graph, string source)
    {
        PersonalizationException Fail(string why) => new(
            $"{source}: cannot find a classifier head (FULLY_CONNECTED or 1x1 CONV_2D, then [RESHAPE], then SOFTMAX at output 0): {why}");
        if (graph.Outputs.Count == 0) throw Fail("the model has no outputs");
        var softmax = graph.Producer(graph.Outputs[0]);
        if (softmax is not { Code: BuiltinOperator.SOFTMAX }) throw Fail($"output 0 is written by {softmax?.Name ?? "no operator"}, not SOFTMAX");
        var reshape = graph.Producer(softmax.Inputs[0]!);
        var layer = reshape;
        if (reshape is { Code: BuiltinOperator.RESHAPE }) layer = graph.Producer(reshape.Inputs[0]!);
        else reshape = null;
        if (layer is null || layer.Inputs.Count < 3 || layer.Inputs[0] is null || layer.Inputs[1] is not { IsConstant: true } weights)
        {
            throw Fail($"SOFTMAX is fed by {layer?.Name ?? "no operator"}, not a layer with constant weights");
        }
        var bias = layer.Inputs[2];
        if (bias is not { IsConstant: true }) throw Fail("the layer has no constant bias");
        int classes = weights.Shape[0];
        int depth;
        switch (layer.Code)
        {
            case BuiltinOperator.FULLY_CONNECTED when weights.Shape.Length == 2 && layer.Options is FullyConnectedOptions { Activation: FusedActivation.None }:
                depth = weights.Shape[1];
                break;
            case BuiltinOperator.CONV_2D when weights.Shape is [_, 1, 1, _] && layer.Options is Conv2DOptions { Activation: FusedActivation.None }
                                             && layer.Inputs[0]!.Shape is [1, 1, 1, _]:
                depth = weights.Shape[3];
                break;
            default:
                throw Fail($"SOFTMAX is fed by {layer.Name} with weights [{string.Join(",", weights.Shape)}], which is neither a FULLY_CONNECTED "
                    + "nor a 1x1 CONV_2D over a 1x1 input without a fused activation");
        }
        if (layer.Inputs[0]!.ElementCount != depth) throw Fail($"the layer's input has {layer.Inputs[0]!.ElementCount} values, not one embedding of {depth}");
        if (bias.ElementCount != classes) throw Fail($"the bias has {bias.ElementCount} values for {classes} classes");
        bool supported = weights.Type switch
        {
            TensorType.Float32 => bias.Type == TensorType.Float32,
            TensorType.UInt8 or TensorType.Int8 => bias.Type == TensorType.Int32
                && weights.Quantization is { } q && (q.Scales.Length == 1 || q.Scales.Length == classes)
                && layer.Inputs[0]!.Quantization is { Scales.Length: 1 } && layer.Outputs[0].Quantization is { Scales.Length: 1 },
            _ => false,
        };
        if (!supported) throw Fail($"weights {weights.Type.Name()} with bias {bias.Type.Name()} are not float32, or uint8/int8 with an int32 bias and quantization parameters");
        if (layer.Outputs[0].Shape is not [.., var last] || last != classes) throw Fail($"the layer's output {layer.Outputs[0]} does not end in {classes} classes");
        return new ClassifierLayer(layer, reshape, softmax, classes, depth);
    }

    /// <summary>The layer's weights and bias in float (<c>scale · (q − zeroPoint)</c> for quantized layers).</summary>
    public ClassifierHead Read()
    {
        var weights = new float[Classes * Depth];
        var bias = new float[Classes];
        if (!IsQuantized)
        {
            MemoryMarshal.Cast<byte, float>(Weights.Data).CopyTo(weights);
            MemoryMarshal.Cast<byte, float>(Bias.Data).CopyTo(bias);
            return new ClassifierHead(weights, bias, Depth);
        }
        var wq = Weights.Quantization!;
        var bq = Bias.Quantization;
        var biasValues = MemoryMarshal.Cast<byte, int>(Bias.Data);
        for (int c = 0; c < Classes; c++)
        {
            float scale = wq.Scales[wq.Scales.Length == 1 ? 0 : c];
            int zeroPoint = (int)wq.ZeroPoints[wq.ZeroPoints.Length == 1 ? 0 : c];
            for (int i = 0; i < Depth; i++) weights[(c * Depth) + i] = scale * (Stored(Weights, (c * Depth) + i) - zeroPoint);
            bias[c] = BiasScale(c, bq) * biasValues[c];
        }
        return new ClassifierHead(weights, bias, Depth);
    }

    /// <summary>
    /// Writes <paramref name="head"/> (the current classes, or one more as its last row) into the layer. Only the rows
    /// in <paramref name="changedRows"/> and a new last row differ from the model's; for quantized layers every other row
    /// keeps its stored integers and scale unless the per-tensor weight range must grow to hold the changed rows, in which
    /// case the whole tensor is requantized. <paramref name="logitPeak"/> is the largest logit the changed rows must be able
    /// to represent; a quantized output range is widened upward to hold it (its lower end never moves).
    /// </summary>
    public void Write(ClassifierHead head, IReadOnlySet<int> changedRows, float logitPeak)
    {
        if (head.Depth != Depth || head.Classes is var n && n != Classes && n != Classes + 1)
        {
            throw new ArgumentException($"The head has {head.Classes} classes of {head.Depth}; the layer has {Classes} of {Depth}.", nameof(head));
        }
        var changed = new HashSet<int>(changedRows);
        for (int c = Classes; c < head.Classes; c++) changed.Add(c);
        if (IsQuantized) WriteQuantized(head, changed, logitPeak);
        else
        {
            Weights.Data = MemoryMarshal.AsBytes(head.Weights.AsSpan()).ToArray();
            Bias.Data = MemoryMarshal.AsBytes(head.Bias.AsSpan()).ToArray();
        }
        if (head.Classes != Classes) Grow(head.Classes);
    }

    private void WriteQuantized(ClassifierHead head, HashSet<int> changed, float logitPeak)
    {
        var wq = Weights.Quantization!;
        float inputScale = Embedding.Quantization!.Scale;
        var (qmin, qmax) = Range(Weights.Type);
        int classes = head.Classes;
        var scales = new float[wq.Scales.Length == 1 ? 1 : classes];
        var zeroPoints = new long[scales.Length];
        var keepRow = new bool[classes];
        if (wq.Scales.Length == 1)
        {
            float lo = wq.Scale * (qmin - wq.ZeroPoint), hi = wq.Scale * (qmax - wq.ZeroPoint);
            float halfStep = wq.Scale / 2;
            bool fits = changed.All(c => head.Row(c).ToArray().All(v => v >= lo - halfStep && v <= hi + halfStep));
            if (fits)
            {
                scales[0] = wq.Scale;
                zeroPoints[0] = wq.ZeroPoint;
                for (int c = 0; c < classes; c++) keepRow[c] = !changed.Contains(c);
            }
            else
            {
                float min = Math.Min(0, head.Weights.Min()), max = Math.Max(0, head.Weights.Max());
                (scales[0], zeroPoints[0]) = Weights.Type == TensorType.UInt8
                    ? Asymmetric(min, max, qmin, qmax)
                    : (Symmetric(Math.Max(-min, max), qmax), 0);
            }
        }
        else
        {
            for (int c = 0; c < classes; c++)
            {
                keepRow[c] = !changed.Contains(c);
                scales[c] = keepRow[c] ? wq.Scales[c] : Symmetric(MaxAbs(head.Row(c)), qmax);
                zeroPoints[c] = keepRow[c] ? wq.ZeroPoints[Math.Min(c, wq.ZeroPoints.Length - 1)] : 0;
            }
        }

        var weightData = new byte[classes * Depth];
        var biasValues = new int[classes];
        var oldBias = MemoryMarshal.Cast<byte, int>(Bias.Data);
        for (int c = 0; c < classes; c++)
        {
            if (keepRow[c])
            {
                Weights.Data.AsSpan(c * Depth, Depth).CopyTo(weightData.AsSpan(c * Depth));
                biasValues[c] = oldBias[c];
                continue;
            }
            float scale = scales[scales.Length == 1 ? 0 : c];
            long zeroPoint = zeroPoints[zeroPoints.Length == 1 ? 0 : c];
            var row = head.Row(c);
            for (int i = 0; i < Depth; i++)
            {
                int q = (int)Math.Clamp(Math.Round(row[i] / (double)scale, MidpointRounding.ToEven) + zeroPoint, qmin, qmax);
                weightData[(c * Depth) + i] = unchecked((byte)q);
            }
            double biasScale = (double)inputScale * scale;
            biasValues[c] = (int)Math.Clamp(Math.Round(head.Bias[c] / biasScale, MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }
        Weights.Data = weightData;
        Weights.Quantization = new QuantizationParameters(scales, zeroPoints, 0);
        Bias.Data = MemoryMarshal.AsBytes(biasValues.AsSpan()).ToArray();
        Bias.Quantization = new QuantizationParameters(scales.Select(s => inputScale * s).ToArray(), new long[scales.Length], 0);
        WidenLogits(logitPeak);
    }

    /// <summary>Raises the top of the logit tensor's range (and the RESHAPE output's, which must equal it) to hold
    /// <paramref name="peak"/>, keeping the bottom: <c>scale = (peak − low) / (qmax − qmin)</c>, zero point from <c>low</c>.</summary>
    private void WidenLogits(float peak)
    {
        var q = Logits.Quantization!;
        var (qmin, qmax) = Range(Logits.Type);
        float low = q.Scale * (qmin - q.ZeroPoint), high = q.Scale * (qmax - q.ZeroPoint);
        if (peak <= high) return;
        float scale = (peak - low) / (qmax - qmin);
        long zeroPoint = (long)Math.Clamp(Math.Round(qmin - (low / (double)scale), MidpointRounding.ToEven), qmin, qmax);
        var widened = new QuantizationParameters([scale], [zeroPoint], 0);
        Logits.Quantization = widened;
        if (Reshape is not null) Reshape.Outputs[0].Quantization = new QuantizationParameters([scale], [zeroPoint], 0);
    }

    /// <summary>Sets the class dimension of the weights, bias, logits, RESHAPE and SOFTMAX to <paramref name="classes"/>.</summary>
    private void Grow(int classes)
    {
        int old = Classes;
        Weights.Shape = [classes, .. Weights.Shape[1..]];
        Weights.ShapeSignature = null;
        Bias.Shape = [classes];
        Bias.ShapeSignature = null;
        var activations = new List<GraphTensor> { Logits, Softmax.Outputs[0] };
        if (Reshape is not null)
        {
            activations.Add(Reshape.Outputs[0]);
            if (Reshape.Options is ReshapeOptions { NewShape: [.., var last] } options && last == old)
            {
                Reshape.Options = options with { NewShape = [.. options.NewShape[..^1], classes] };
            }
            if (Reshape.Inputs.Count > 1 && Reshape.Inputs[1] is { IsConstant: true, Type: TensorType.Int32 } shape)
            {
                var dims = MemoryMarshal.Cast<byte, int>(shape.Data).ToArray();
                if (dims is [.., var lastDim] && lastDim == old)
                {
                    dims[^1] = classes;
                    shape.Data = MemoryMarshal.AsBytes(dims.AsSpan()).ToArray();
                }
            }
        }
        foreach (var t in activations.Distinct())
        {
            if (t.Shape is [.., var last] && last == old) t.Shape = [.. t.Shape[..^1], classes];
            if (t.ShapeSignature is [.., var signatureLast] && signatureLast == old) t.ShapeSignature = [.. t.ShapeSignature[..^1], classes];
        }
        Classes = classes;
    }

    private static float BiasScale(int c, QuantizationParameters? q) =>
        q is null ? throw new PersonalizationException("The quantized bias has no scale.") : q.Scales[q.Scales.Length == 1 ? 0 : c];

    private static int Stored(GraphTensor tensor, int index) => tensor.Type == TensorType.UInt8 ? tensor.Data![index] : (sbyte)tensor.Data![index];

    private static (int Min, int Max) Range(TensorType type) => type == TensorType.UInt8 ? (0, 255) : (-128, 127);

    private static (float Scale, long ZeroPoint) Asymmetric(float min, float max, int qmin, int qmax)
    {
        float scale = max > min ? (max - min) / (qmax - qmin) : 1e-8f;
        return (scale, (long)Math.Clamp(Math.Round(qmin - (min / (double)scale), MidpointRounding.ToEven), qmin, qmax));
    }

    private static float Symmetric(float maxAbs, int qmax) => maxAbs > 0 ? maxAbs / qmax : 1e-8f;

    private static float MaxAbs(ReadOnlySpan<float> values)
    {
        float max = 0;
        foreach (float v in values) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
