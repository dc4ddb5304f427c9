using System.Runtime.InteropServices;
using DeepLite.Runtime;

namespace DeepLite.Modeling.Conversion;

/// <summary>The integer scheme of <see cref="PostTrainingQuantizer"/>.</summary>
public enum QuantizationScheme
{
    /// <summary>TFLite's int8 specification: int8 activations per-tensor asymmetric; CONV_2D and
    /// DEPTHWISE_CONV_2D weights per-channel symmetric int8 (zero point 0, values −127..127) along the
    /// output channel; FULLY_CONNECTED weights per-tensor symmetric int8; int32 biases with
    /// scale = input scale · weight scale and zero point 0.</summary>
    Int8,
    /// <summary>The older scheme: everything per-tensor asymmetric uint8, int32 biases as for <see cref="Int8"/>.</summary>
    UInt8,
}

/// <summary>How <see cref="PostTrainingQuantizer"/> chooses the real range [min, max] that a per-tensor quantization covers.</summary>
public enum RangeEstimation
{
    /// <summary>The observed minimum and maximum (with 0): nothing is clipped.</summary>
    MinMax,
    /// <summary>The sub-range of the observed one, with 0, that minimises the squared quantization error: values outside
    /// it are clipped to its ends, values inside it are rounded to a step (<c>(max − min) / (qmax − qmin)</c>) finer than
    /// the full range's.</summary>
    MeanSquaredError,
}

/// <summary>Settings of <see cref="PostTrainingQuantizer.Quantize"/>.</summary>
public sealed class QuantizationOptions
{
    public QuantizationScheme Scheme { get; init; } = QuantizationScheme.Int8;

    /// <summary>When set, input 0 is an image normalised as <c>(pixel − mean) / std</c>: its quantization
    /// becomes exactly <c>scale = 1 / std</c>, zero point = mean (int8: mean − 128), so the quantized model
    /// takes the raw pixel bytes (int8: pixel − 128). When null, the input's range comes from calibration.</summary>
    public (float Mean, float Std)? InputNormalization { get; init; }

    /// <summary>Sweeps of <see cref="CrossLayerEqualizer"/> run on the float graph before calibration (0: none). Helps
    /// per-tensor weights (<see cref="QuantizationScheme.UInt8"/>) where folded batch norm left channels of one layer
    /// with very different ranges (MobileNet v1's depthwise layers). RELU6 layers are kept exact on the calibration
    /// inputs (see <see cref="CrossLayerEqualizer.Equalize"/>).</summary>
    public int CrossLayerEqualizationSweeps { get; init; }

    /// <summary>Empirical bias correction (Nagel et al. 2019, "Data-Free Quantization"): after a CONV_2D,
    /// DEPTHWISE_CONV_2D or FULLY_CONNECTED weight is quantized, its float bias is shifted by
    /// <c>−Σ ε · E[x]</c>, where ε = dequantized − float weights and E[x] is each input channel's mean over the
    /// calibration inputs and spatial positions, so each output channel's mean is kept. The zero padding at borders
    /// is ignored (the window is taken as fully inside the input). Helps per-tensor weights
    /// (<see cref="QuantizationScheme.UInt8"/>).</summary>
    public bool BiasCorrection { get; init; }

    /// <summary>Ranges of per-tensor uint8 weights (<see cref="QuantizationScheme.UInt8"/>; int8 weights are always
    /// symmetric over their largest magnitude). <see cref="RangeEstimation.MeanSquaredError"/>: the range
    /// [a · min, b · max], a and b in 0.5, 0.52, … 1, of least exact squared error of quantizing the weights (round,
    /// clamp, dequantize); with <see cref="BiasCorrection"/> the bias absorbs the mean of the clipping error too.</summary>
    public RangeEstimation WeightRange { get; init; }

    /// <summary>Chooses each CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED weight's rounding, down or up, to reconstruct
    /// the layer's output on the calibration inputs instead of rounding to nearest (AdaRound's quadratic objective, Nagel
    /// et al. 2020, solved greedily): per output channel, the squared error εᵀHε of the weight error ε over the layer's
    /// float input patches H (their covariance with <see cref="BiasCorrection"/>, which absorbs the mean error; else
    /// their second moment), starting from nearest rounding and never worse than it on that objective. Scales and zero
    /// points are unchanged, so the integer arithmetic is too. Layers whose dot product is longer than 1024 values keep
    /// nearest rounding.</summary>
    public bool OptimizeRounding { get; init; }
}

/// <summary>
/// Full-integer post-training quantization of a float32 model. Calibration runs the float model on the
/// caller's inputs with every activation kept as an output and records each tensor's min and max; an
/// activation's range always includes 0, and its parameters are <c>scale = (max − min) / (qmax − qmin)</c>,
/// <c>zeroPoint = round(qmin − min / scale)</c>. Outputs whose range TFLite fixes get TFLite's values
/// (SOFTMAX and LOGISTIC: 1/256; L2_NORMALIZATION: 1/128); pooling, RESHAPE, SQUEEZE and PAD outputs
/// share their input's parameters; CONCATENATION's output covers all its inputs, and its inputs take the
/// output's parameters: concatenation is a same-scale operator in TFLite's converter, and TFLite + XNNPACK
/// copies the stored bytes of a quantized concatenation without rescaling them. An input takes them where it
/// is produced (through any chain of parameter-sharing operators); an input whose parameters are fixed (the
/// model input, SOFTMAX, LOGISTIC, L2_NORMALIZATION outputs, or an input of another concatenation) is
/// requantized by an inserted QUANTIZE operator instead. Inputs and outputs of the quantized model have the
/// scheme's integer type.
/// </summary>
public static class PostTrainingQuantizer
{
    private static readonly HashSet<BuiltinOperator> Supported =
    [
        BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOperator.FULLY_CONNECTED, BuiltinOperator.AVERAGE_POOL_2D,
        BuiltinOperator.MAX_POOL_2D, BuiltinOperator.ADD, BuiltinOperator.MUL, BuiltinOperator.SUB, BuiltinOperator.CONCATENATION,
        BuiltinOperator.SOFTMAX, BuiltinOperator.RESHAPE, BuiltinOperator.SQUEEZE, BuiltinOperator.MEAN, BuiltinOperator.PAD,
        BuiltinOperator.L2_NORMALIZATION, BuiltinOperator.LOGISTIC, BuiltinOperator.RELU, BuiltinOperator.RELU6,
    ];

    private static readonly HashSet<BuiltinOperator> SharesInputQuantization =
        [BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.MAX_POOL_2D, BuiltinOperator.RESHAPE, BuiltinOperator.SQUEEZE, BuiltinOperator.PAD];

    /// <summary>Quantizes a copy of <paramref name="floatModel"/>, calibrated on <paramref name="calibrationInputs"/>
    /// (each: the float32 values of input 0).</summary>
    /// <exception cref="NotSupportedException">The model has an operator this quantizer does not handle (the message names it),
    /// or is not a float32 model.</exception>
    /// <exception cref="ArgumentException">No calibration input was given, or one has the wrong size.</exception>
    public static ModelGraph Quantize(TfLiteModel floatModel, IEnumerable<float[]> calibrationInputs, QuantizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(floatModel);
        ArgumentNullException.ThrowIfNull(calibrationInputs);
        options ??= new QuantizationOptions();
        var graph = ModelGraph.From(floatModel);
        if (graph.Inputs.Count != 1) throw new NotSupportedException($"{floatModel.Source}: {graph.Inputs.Count} inputs; the quantizer handles single-input models.");
        if (graph.Inputs[0].Type != TensorType.Float32) throw new NotSupportedException($"{floatModel.Source}: input '{graph.Inputs[0].Name}' is {graph.Inputs[0].Type.Name()}, not float32; the model is already quantized.");
        for (int o = 0; o < graph.Operators.Count; o++)
        {
            if (!Supported.Contains(graph.Operators[o].Code))
            {
                throw new NotSupportedException($"Operator {o} ({graph.Operators[o].Name}) cannot be quantized; supported: {string.Join(", ", Supported.Order())}.");
            }
        }
        var calibration = calibrationInputs as IReadOnlyCollection<float[]> ?? calibrationInputs.ToList();
        if (options.CrossLayerEqualizationSweeps > 0) CrossLayerEqualizer.Equalize(graph, options.CrossLayerEqualizationSweeps, calibration);
        Dictionary<GraphTensor, double[]>? channelMeans = null;
        if (options.BiasCorrection)
        {
            channelMeans = new Dictionary<GraphTensor, double[]>(ReferenceEqualityComparer.Instance);
            foreach (var op in graph.Operators)
            {
                if (op.Code is BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D or BuiltinOperator.FULLY_CONNECTED
                    && op.Inputs.Count > 2 && op.Inputs[2] is not null && op.Inputs[0] is { Shape.Length: > 0 } x)
                {
                    channelMeans.TryAdd(x, new double[x.Shape[^1]]);
                }
            }
        }
        Dictionary<GraphTensor, List<(GraphOperator Layer, LayerInputStatistics Statistics)>>? layerInputs = null;
        if (options.OptimizeRounding)
        {
            layerInputs = new(ReferenceEqualityComparer.Instance);
            foreach (var op in graph.Operators)
            {
                if (LayerInputStatistics.For(op) is not { } statistics) continue;
                if (!layerInputs.TryGetValue(op.Inputs[0]!, out var list)) layerInputs[op.Inputs[0]!] = list = [];
                list.Add((op, statistics));
            }
        }
        var ranges = Calibrate(graph, calibration, channelMeans: channelMeans, layerInputs: layerInputs);
        var statisticsByLayer = new Dictionary<GraphOperator, LayerInputStatistics>(ReferenceEqualityComparer.Instance);
        foreach (var (layer, statistics) in layerInputs?.Values.SelectMany(l => l) ?? [])
        {
            statistics.Finish(centered: options.BiasCorrection);
            statisticsByLayer[layer] = statistics;
        }
        bool int8 = options.Scheme == QuantizationScheme.Int8;
        var type = int8 ? TensorType.Int8 : TensorType.UInt8;
        int qmin = int8 ? -128 : 0, qmax = int8 ? 127 : 255;

        var parameters = new Dictionary<GraphTensor, QuantizationParameters>(ReferenceEqualityComparer.Instance);
        QuantizationParameters FromRange(float min, float max)
        {
            min = Math.Min(min, 0);
            max = Math.Max(max, 0);
            double scale = max > min ? ((double)max - min) / (qmax - qmin) : 1.0 / (qmax - qmin);
            int zeroPoint = Math.Clamp(QuantizedValues.Round(qmin - (min / scale)), qmin, qmax);
            return new QuantizationParameters([(float)scale], [zeroPoint], 0);
        }
        var input = graph.Inputs[0];
        parameters[input] = options.InputNormalization is { } n
            ? new QuantizationParameters([1f / n.Std], [QuantizedValues.Round(n.Mean) + (int8 ? -128 : 0)], 0)
            : FromRange(ranges[input].Min, ranges[input].Max);

        foreach (var op in graph.Operators)
        {
            var output = op.Outputs[0];
            parameters[output] = op.Code switch
            {
                BuiltinOperator.SOFTMAX or BuiltinOperator.LOGISTIC => new QuantizationParameters([1f / 256], [qmin], 0),
                BuiltinOperator.L2_NORMALIZATION => new QuantizationParameters([1f / 128], [int8 ? 0 : 128], 0),
                _ when SharesInputQuantization.Contains(op.Code) => parameters[op.Inputs[0]!],
                BuiltinOperator.CONCATENATION => FromRange(op.Inputs.Min(t => ranges[t!].Min), op.Inputs.Max(t => ranges[t!].Max)),
                _ => FromRange(ranges[output].Min, ranges[output].Max),
            };
        }
        ShareConcatenationQuantization(graph, parameters);

        foreach (var op in graph.Operators)
        {
            if (op.Code is BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D or BuiltinOperator.FULLY_CONNECTED)
            {
                var weights = op.Inputs[1]!;
                bool perChannel = int8 && op.Code != BuiltinOperator.FULLY_CONNECTED;
                int axis = op.Code == BuiltinOperator.DEPTHWISE_CONV_2D ? 3 : 0;
                float[] floatWeights = QuantizedValues.ToFloat(weights);
                int[] weightShape = (int[])weights.Shape.Clone();
                QuantizeWeights(weights, int8, perChannel, axis, options.WeightRange);
                if (statisticsByLayer.TryGetValue(op, out var layerStatistics))
                {
                    WeightRounding.Optimize(op.Code, weights, floatWeights, layerStatistics, int8 ? -127 : 0, int8 ? 127 : 255);
                }
                if (op.Inputs.Count > 2 && op.Inputs[2] is { } bias)
                {
                    float inputScale = parameters[op.Inputs[0]!].Scale;
                    float[] biasValues = QuantizedValues.ToFloat(bias);
                    if (channelMeans is not null && channelMeans.TryGetValue(op.Inputs[0]!, out double[]? means))
                    {
                        CorrectBias(op.Code, biasValues, floatWeights, Dequantize(weights, int8, perChannel, axis), weightShape, means);
                    }
                    QuantizeBias(bias, biasValues, weights.Quantization!.Scales.Select(s => s * inputScale).ToArray());
                }
                op.Version = int8 ? op.Code == BuiltinOperator.FULLY_CONNECTED ? 4 : 3 : 1;
            }
            else
            {
                if (int8 && op.Code is not (BuiltinOperator.RESHAPE or BuiltinOperator.SQUEEZE)) op.Version = Math.Max(op.Version, 2);
                foreach (var constant in op.Inputs.Where(t => t is { IsConstant: true, Type: TensorType.Float32 }))
                {
                    float[] values = QuantizedValues.ToFloat(constant!);
                    var q = FromRange(values.Min(), values.Max());
                    constant!.Data = Encode(values, q, type);
                    constant.Type = type;
                    constant.Quantization = q;
                }
            }
        }
        foreach (var (tensor, q) in parameters)
        {
            tensor.Type = type;
            tensor.Quantization = q;
        }
        RequantizeConcatenationInputs(graph, type);
        return graph;
    }

    /// <summary>Gives each CONCATENATION input the output's parameters at the operator that computes it, walking up
    /// through parameter-sharing operators, where that tensor's parameters are not fixed; then makes every
    /// parameter-sharing output equal its input's again.</summary>
    private static void ShareConcatenationQuantization(ModelGraph graph, Dictionary<GraphTensor, QuantizationParameters> parameters)
    {
        var fixedTensors = new HashSet<GraphTensor>(graph.Inputs, ReferenceEqualityComparer.Instance);
        foreach (var op in graph.Operators)
        {
            if (op.Code is BuiltinOperator.SOFTMAX or BuiltinOperator.LOGISTIC or BuiltinOperator.L2_NORMALIZATION) fixedTensors.Add(op.Outputs[0]);
        }
        foreach (var concatenation in graph.Operators.Where(o => o.Code == BuiltinOperator.CONCATENATION))
        {
            var target = parameters[concatenation.Outputs[0]];
            foreach (var input in concatenation.Inputs)
            {
                var chain = new List<GraphTensor> { input! };
                while (graph.Producer(chain[^1]) is { } producer && SharesInputQuantization.Contains(producer.Code)) chain.Add(producer.Inputs[0]!);
                if (chain.Any(fixedTensors.Contains)) continue;
                foreach (var tensor in chain)
                {
                    parameters[tensor] = target;
                    fixedTensors.Add(tensor);
                }
            }
        }
        foreach (var op in graph.Operators.Where(o => SharesInputQuantization.Contains(o.Code)))
        {
            parameters[op.Outputs[0]] = parameters[op.Inputs[0]!];
        }
    }

    /// <summary>Inserts, before every CONCATENATION, a QUANTIZE (requantization) of each input whose scale or zero
    /// point differs from the output's, so all operands of the concatenation share one quantization.</summary>
    private static void RequantizeConcatenationInputs(ModelGraph graph, TensorType type)
    {
        for (int o = 0; o < graph.Operators.Count; o++)
        {
            var op = graph.Operators[o];
            if (op.Code != BuiltinOperator.CONCATENATION) continue;
            var target = op.Outputs[0].Quantization!;
            for (int i = 0; i < op.Inputs.Count; i++)
            {
                var input = op.Inputs[i]!;
                var q = input.Quantization!;
                if (q.Scale == target.Scale && q.ZeroPoint == target.ZeroPoint) continue;
                var requantized = graph.AddTensor(new GraphTensor($"{input.Name}/requantized", type, (int[])input.Shape.Clone(),
                    quantization: new QuantizationParameters([target.Scale], [target.ZeroPoint], 0)));
                graph.Operators.Insert(o, new GraphOperator(BuiltinOperator.QUANTIZE, [input], [requantized], version: 2));
                o++;
                op.Inputs[i] = requantized;
            }
        }
    }

    private static void QuantizeWeights(GraphTensor weights, bool int8, bool perChannel, int axis, RangeEstimation range)
    {
        float[] values = QuantizedValues.ToFloat(weights);
        if (int8)
        {
            int channels = perChannel ? weights.Shape[axis] : 1;
            long inner = 1;
            for (int d = axis + 1; d < weights.Shape.Length; d++) inner *= weights.Shape[d];
            var maxAbs = new float[channels];
            for (int i = 0; i < values.Length; i++)
            {
                int c = perChannel ? (int)(i / inner % channels) : 0;
                maxAbs[c] = Math.Max(maxAbs[c], Math.Abs(values[i]));
            }
            float[] scales = maxAbs.Select(m => m > 0 ? m / 127f : 1f).ToArray();
            var q = new QuantizationParameters(scales, new long[channels], perChannel ? axis : 0);
            var data = new sbyte[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                int c = perChannel ? (int)(i / inner % channels) : 0;
                data[i] = (sbyte)Math.Clamp(QuantizedValues.Round(values[i] / scales[c]), -127, 127);
            }
            weights.Data = QuantizedValues.Bytes(data);
            weights.Type = TensorType.Int8;
            weights.Quantization = q;
        }
        else
        {
            float min = Math.Min(values.Min(), 0), max = Math.Max(values.Max(), 0);
            var q = UInt8Parameters(min, max);
            if (range == RangeEstimation.MeanSquaredError)
            {
                double best = SquaredError(values, q);
                for (int a = 0; a <= 25; a++)
                {
                    for (int b = 0; b <= 25; b++)
                    {
                        var candidate = UInt8Parameters(min * (1 - (a * 0.02f)), max * (1 - (b * 0.02f)));
                        double error = SquaredError(values, candidate);
                        if (error < best) (best, q) = (error, candidate);
                    }
                }
            }
            weights.Data = Encode(values, q, TensorType.UInt8);
            weights.Type = TensorType.UInt8;
            weights.Quantization = q;
        }
    }

    /// <summary>Per-tensor uint8 parameters covering [min, max] (min ≤ 0 ≤ max).</summary>
    private static QuantizationParameters UInt8Parameters(float min, float max)
    {
        double scale = max > min ? ((double)max - min) / 255 : 1.0 / 255;
        return new QuantizationParameters([(float)scale], [Math.Clamp(QuantizedValues.Round(-min / scale), 0, 255)], 0);
    }

    /// <summary>Σ (v − dequantize(quantize(v)))² of per-tensor uint8 quantization, rounding as <see cref="Encode"/>.</summary>
    private static double SquaredError(float[] values, QuantizationParameters q)
    {
        float scale = q.Scale;
        int zeroPoint = q.ZeroPoint;
        double sum = 0;
        foreach (float v in values)
        {
            int level = Math.Clamp(QuantizedValues.Round(v / scale) + zeroPoint, 0, 255);
            double e = v - (scale * (level - zeroPoint));
            sum += e * e;
        }
        return sum;
    }

    /// <summary>The float values of weights quantized by <see cref="QuantizeWeights"/>.</summary>
    private static float[] Dequantize(GraphTensor weights, bool int8, bool perChannel, int axis)
    {
        var q = weights.Quantization!;
        int channels = perChannel ? weights.Shape[axis] : 1;
        long inner = 1;
        for (int d = axis + 1; d < weights.Shape.Length; d++) inner *= weights.Shape[d];
        var result = new float[weights.Data!.Length];
        for (int i = 0; i < result.Length; i++)
        {
            int c = perChannel ? (int)(i / inner % channels) : 0;
            int v = int8 ? unchecked((sbyte)weights.Data[i]) : weights.Data[i];
            result[i] = q.Scales[c] * (v - (int)q.ZeroPoints[c]);
        }
        return result;
    }

    /// <summary>Empirical bias correction: <c>bias_o −= Σ_taps,i (dequantized − float)[o, tap, i] · E[x_i]</c>
    /// (depthwise: <c>bias_c −= Σ_taps ε[tap, c] · E[x_(c / multiplier)]</c>). Shapes: CONV_2D [O, H, W, I],
    /// DEPTHWISE_CONV_2D [1, H, W, C], FULLY_CONNECTED [O, I]. Leaves the bias alone when the shapes do not line up.</summary>
    private static void CorrectBias(BuiltinOperator code, float[] bias, float[] floatWeights, float[] quantizedWeights, int[] shape, double[] means)
    {
        if (code == BuiltinOperator.DEPTHWISE_CONV_2D)
        {
            int channels = shape[^1];
            if (channels != bias.Length || channels % means.Length != 0) return;
            int multiplier = channels / means.Length;
            var errors = new double[channels];
            for (int i = 0; i < floatWeights.Length; i++) errors[i % channels] += (double)quantizedWeights[i] - floatWeights[i];
            for (int c = 0; c < channels; c++) bias[c] -= (float)(errors[c] * means[c / multiplier]);
        }
        else
        {
            int outputs = shape[0], inputs = shape[^1];
            if (outputs != bias.Length || inputs != means.Length) return;
            int perOutput = floatWeights.Length / outputs;
            for (int o = 0; o < outputs; o++)
            {
                double shift = 0;
                for (int k = 0; k < perOutput; k++)
                {
                    int i = o * perOutput + k;
                    shift += ((double)quantizedWeights[i] - floatWeights[i]) * means[k % inputs];
                }
                bias[o] -= (float)shift;
            }
        }
    }

    private static void QuantizeBias(GraphTensor bias, float[] values, float[] scales)
    {
        var data = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float scale = scales.Length == 1 ? scales[0] : scales[i];
            data[i] = (int)Math.Clamp(Math.Round(values[i] / (double)scale, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue);
        }
        bias.Data = QuantizedValues.Bytes(data);
        bias.Type = TensorType.Int32;
        bias.Quantization = new QuantizationParameters(scales.Length == 1 ? scales : scales, new long[scales.Length], 0);
    }

    private static byte[] Encode(float[] values, QuantizationParameters q, TensorType type)
    {
        var data = new byte[values.Length];
        int lo = type == TensorType.Int8 ? -128 : 0, hi = type == TensorType.Int8 ? 127 : 255;
        for (int i = 0; i < values.Length; i++)
        {
            int v = Math.Clamp(QuantizedValues.Round(values[i] / q.Scale) + q.ZeroPoint, lo, hi);
            data[i] = unchecked((byte)v);
        }
        return data;
    }

    /// <summary>Min and max of every float activation over the calibration inputs.</summary>
    /// <remarks>When <paramref name="channelMaxima"/> is given, each of its keys gets the maximum of every channel
    /// (along the last dimension) over the inputs; each key of <paramref name="channelMeans"/> gets the mean of every
    /// channel over the inputs and all other positions; each statistics of <paramref name="layerInputs"/> gets its key's
    /// values added.</remarks>
    internal static Dictionary<GraphTensor, (float Min, float Max)> Calibrate(ModelGraph graph, IEnumerable<float[]> inputs,
        Dictionary<GraphTensor, float[]>? channelMaxima = null, Dictionary<GraphTensor, double[]>? channelMeans = null,
        Dictionary<GraphTensor, List<(GraphOperator Layer, LayerInputStatistics Statistics)>>? layerInputs = null)
    {
        var activations = graph.Inputs.Concat(graph.Operators.SelectMany(o => o.Outputs)).Distinct().ToList();
        var probe = ModelGraph.From(TfLiteModel.FromBytes(graph.ToBytes(), "calibration"));
        var probeIndex = activations.Select(t => graph.Tensors.IndexOf(t)).ToList();
        probe.Outputs.Clear();
        probe.Outputs.AddRange(probeIndex.Select(i => probe.Tensors[i]));
        probe.Signatures.Clear();
        using var model = TfLiteModel.FromBytes(probe.ToBytes(), "calibration");
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var mins = Enumerable.Repeat(float.PositiveInfinity, activations.Count).ToArray();
        var maxs = Enumerable.Repeat(float.NegativeInfinity, activations.Count).ToArray();
        int count = 0;
        var meanCounts = new Dictionary<GraphTensor, long>(ReferenceEqualityComparer.Instance);
        foreach (float[] sample in inputs)
        {
            var tensor = interpreter.Inputs[0];
            if (sample.Length != tensor.ElementCount) throw new ArgumentException($"A calibration input has {sample.Length} values; input '{tensor.Name}' needs {tensor.ElementCount}.");
            tensor.CopyFrom<float>(sample);
            interpreter.Invoke();
            for (int i = 0; i < activations.Count; i++)
            {
                var values = interpreter.Outputs[i].AsReadOnlySpan<float>();
                foreach (float v in values)
                {
                    if (v < mins[i]) mins[i] = v;
                    if (v > maxs[i]) maxs[i] = v;
                }
                if (channelMaxima is not null && channelMaxima.TryGetValue(activations[i], out float[]? channelMax))
                {
                    for (int e = 0; e < values.Length; e++) channelMax[e % channelMax.Length] = Math.Max(channelMax[e % channelMax.Length], values[e]);
                }
                if (layerInputs is not null && layerInputs.TryGetValue(activations[i], out var layers))
                {
                    foreach (var (_, statistics) in layers) statistics.Add(values, activations[i].Shape);
                }
                if (channelMeans is not null && channelMeans.TryGetValue(activations[i], out double[]? channelSum))
                {
                    for (int e = 0; e < values.Length; e++) channelSum[e % channelSum.Length] += values[e];
                    meanCounts[activations[i]] = meanCounts.GetValueOrDefault(activations[i]) + values.Length / channelSum.Length;
                }
            }
            count++;
        }
        if (count == 0) throw new ArgumentException("No calibration inputs: quantization needs at least one representative input.");
        if (channelMeans is not null)
        {
            foreach (var (tensor, sums) in channelMeans)
            {
                double positions = Math.Max(meanCounts.GetValueOrDefault(tensor), 1);
                for (int c = 0; c < sums.Length; c++) sums[c] /= positions;
            }
        }
        var ranges = new Dictionary<GraphTensor, (float, float)>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < activations.Count; i++) ranges[activations[i]] = (mins[i], maxs[i]);
        return ranges;
    }

    internal static float[] AsFloats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
