using System.Runtime.InteropServices;
using System.Text;
using DeepLite.Modeling;
using DeepLite.Modeling.Conversion;
using DeepLite.Runtime;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Training;

/// <summary>
/// Turns a trained head and its base model into complete TFLite image classifiers:
/// <list type="bullet">
/// <item><see cref="BuildUInt8"/>: the quantized backbone exactly as in the base model, cut at the embedding tensor,
/// then a uint8 FULLY_CONNECTED with <see cref="QuantizedHead"/>'s weights, bias and output quantization and a uint8
/// SOFTMAX (output scale 1/256, zero point 0, as TFLite requires). Its logits are bit for bit those of
/// <see cref="QuantizedHead.Logits"/> on the backbone's stored embedding.</item>
/// <item><see cref="BuildFloat32"/>: the backbone converted to float32 by <see cref="Dequantizer.ToFloat32"/> (weights
/// dequantized, every activation float), then a float FULLY_CONNECTED with <see cref="TrainedHead"/>'s weights and a
/// float SOFTMAX. A float base model is used as is.</item>
/// </list>
/// Both keep only the operators the embedding needs (a <c>--cut-at</c> classifier loses its old head), carry
/// <see cref="ClassifierMetadata"/> (labels packed as <c>labels.txt</c>; input normalisation of the float semantics of
/// the base input, i.e. mean = zero point and std = 1 / scale for a uint8 input), and record the alpha background of
/// training in <see cref="ImageModelMetadata.BackgroundMetadataName"/> and the alpha crop (when one was used) in
/// <see cref="ImageModelMetadata.AlphaCropMetadataName"/>, both also in the description.
/// </summary>
public static class TrainedModelWriter
{
    /// <summary>The base model cut at the embedding, plus the uint8 head.</summary>
    /// <exception cref="TrainingException">The embedding is not uint8 (only a quantized backbone is kept as is).</exception>
    public static ModelGraph BuildUInt8(TfLiteModel baseModel, TrainedHead head, QuantizedHead quantized, RgbColor background, AlphaCrop? alphaCrop = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(quantized);
        if (head.Embedding.Type != TensorType.UInt8)
        {
            throw new TrainingException($"The embedding '{head.Embedding.TensorName}' is {head.Embedding.Type.Name()}; a uint8 model needs a uint8 embedding.");
        }
        var graph = ModelGraph.From(baseModel);
        var normalization = InputNormalizationOf(baseModel, graph.Inputs[0]);
        var embedding = CutAt(graph, graph.Tensors[head.Embedding.TensorIndex]);
        int classes = head.ClassCount, size = head.Embedding.Size;
        var input = quantized.InputQuantization;
        var weights = new GraphTensor("head/weights", TensorType.UInt8, [classes, size], MemoryMarshal.AsBytes(quantized.Weights.AsSpan2D()).ToArray(),
            PerTensor(quantized.WeightQuantization.Scale, quantized.WeightQuantization.ZeroPoint));
        var bias = new GraphTensor("head/bias", TensorType.Int32, [classes], MemoryMarshal.AsBytes(quantized.Bias.AsSpan()).ToArray(), PerTensor(quantized.BiasScale, 0));
        var logits = new GraphTensor("head/logits", TensorType.UInt8, [1, classes], null,
            PerTensor(quantized.OutputQuantization.Scale, quantized.OutputQuantization.ZeroPoint));
        var probabilities = new GraphTensor("probability", TensorType.UInt8, [1, classes], null, PerTensor(1f / 256, 0));
        if (embedding.Quantization is not { } q || q.Scale != input.Scale || q.ZeroPoint != input.ZeroPoint)
        {
            throw new TrainingException($"The head's input quantization ({input}) is not the embedding tensor's.");
        }
        foreach (var t in new[] { weights, bias, logits, probabilities }) graph.AddTensor(t);
        graph.AddOperator(new GraphOperator(BuiltinOperator.FULLY_CONNECTED, [embedding, weights, bias], [logits], new FullyConnectedOptions()));
        graph.AddOperator(new GraphOperator(BuiltinOperator.SOFTMAX, [logits], [probabilities], new SoftmaxOptions { Beta = 1 }));
        Finish(graph, probabilities, head, normalization, background, alphaCrop, "uint8");
        return graph;
    }

    /// <summary>The base model (dequantized when quantized) cut at the embedding, plus the float head.</summary>
    /// <exception cref="NotSupportedException">The backbone has an operator with no float equivalent.</exception>
    public static ModelGraph BuildFloat32(TfLiteModel baseModel, TrainedHead head, RgbColor background, AlphaCrop? alphaCrop = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(head);
        ModelGraph graph;
        InputNormalization normalization;
        GraphTensor embedding;
        if (baseModel.MainSubgraph.Tensors[baseModel.MainSubgraph.Inputs[0]].Type == TensorType.Float32 && head.Embedding.Type == TensorType.Float32)
        {
            graph = ModelGraph.From(baseModel);
            normalization = InputNormalizationOf(baseModel, graph.Inputs[0]);
            embedding = CutAt(graph, graph.Tensors[head.Embedding.TensorIndex]);
        }
        else
        {
            var converted = Dequantizer.ToFloat32(baseModel);
            graph = converted.Graph;
            normalization = converted.InputNormalizations[0] is var (mean, std) ? new InputNormalization(mean, std) : InputNormalizationOf(baseModel, graph.Inputs[0]);
            var named = graph.Tensors.Where(t => t.Name == head.Embedding.TensorName).ToList();
            if (named.Count != 1)
            {
                throw new TrainingException($"The dequantized base model has {named.Count} tensors named '{head.Embedding.TensorName}'; the embedding cannot be found.");
            }
            embedding = CutAt(graph, named[0]);
        }
        var weights = new float[head.Weights.Length];
        Buffer.BlockCopy(head.Weights, 0, weights, 0, weights.Length * sizeof(float));
        var builder = new ModelBuilder(graph);
        var logits = builder.FullyConnected(embedding, head.ClassCount, weights: weights, bias: head.Bias);
        var probabilities = builder.Softmax(logits);
        probabilities.Name = "probability";
        Finish(graph, probabilities, head, normalization, background, alphaCrop, "float32");
        return graph;
    }

    /// <summary>
    /// Builds <c>BASE.float32.tflite</c> and <c>BASE.uint8.tflite</c> (the latter only for a uint8 embedding) and writes
    /// them: every file goes to a temporary file first, and only when all are written are they renamed into place, so
    /// a failure leaves no new output (temporary files are deleted). Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(string outputBase, string baseModelPath, TransferLearningResult result, IReadOnlyList<(string Path, byte[] Bytes)>? extraFiles = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputBase);
        ArgumentNullException.ThrowIfNull(result);
        var files = new List<(string Path, byte[] Bytes)>();
        using (var model = TfLiteModel.Load(baseModelPath))
        {
            files.Add((outputBase + ".float32.tflite", BuildFloat32(model, result.Head, result.Background, result.AlphaCrop).ToBytes()));
            if (result.Head.Embedding.Type == TensorType.UInt8)
            {
                files.Add((outputBase + ".uint8.tflite", BuildUInt8(model, result.Head, result.QuantizedHead, result.Background, result.AlphaCrop).ToBytes()));
            }
        }
        if (extraFiles is not null) files.AddRange(extraFiles);
        WriteAll(files);
        return files.Select(f => f.Path).ToList();
    }

    /// <summary>Writes every file to a temporary file beside it, then renames them all; on failure deletes the temporary files.</summary>
    internal static void WriteAll(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        var temporaries = new List<string>();
        try
        {
            foreach (var (path, bytes) in files)
            {
                string full = Path.GetFullPath(path);
                string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
                temporaries.Add(temporary);
                using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            for (int i = 0; i < files.Count; i++) File.Move(temporaries[i], Path.GetFullPath(files[i].Path), overwrite: true);
        }
        finally
        {
            foreach (string temporary in temporaries) File.Delete(temporary);
        }
    }

    /// <summary>Keeps only the operators <paramref name="embedding"/> depends on and the tensors they use.</summary>
    private static GraphTensor CutAt(ModelGraph graph, GraphTensor embedding)
    {
        var needed = new HashSet<GraphTensor>(ReferenceEqualityComparer.Instance) { embedding };
        var kept = new List<GraphOperator>();
        for (int o = graph.Operators.Count - 1; o >= 0; o--)
        {
            var op = graph.Operators[o];
            if (!op.Outputs.Any(needed.Contains)) continue;
            kept.Add(op);
            foreach (var input in op.Inputs) if (input is not null) needed.Add(input);
        }
        kept.Reverse();
        graph.Operators.Clear();
        graph.Operators.AddRange(kept);
        graph.Outputs.Clear();
        graph.Signatures.Clear();
        graph.AssociatedFiles.Clear();
        graph.Metadata.RemoveAll(m => m.Key == ClassifierMetadata.MetadataName);
        return embedding;
    }

    private static void Finish(ModelGraph graph, GraphTensor probabilities, TrainedHead head, InputNormalization normalization, RgbColor background, AlphaCrop? alphaCrop, string kind)
    {
        graph.Outputs.Add(probabilities);
        graph.RemoveUnusedTensors();
        string description = $"DeepLite transfer learning ({kind}): {head.ClassCount} classes on embedding '{head.Embedding.TensorName}'. "
            + (alphaCrop is { } crop
                ? $"Images with alpha are cropped to their content ({crop}) and composited onto {background} before preprocessing."
                : $"Images with alpha are composited onto {background} before preprocessing.");
        graph.Description = description;
        new ClassifierMetadata(head.Labels, [.. normalization.Mean.Select(m => (float)m)], [.. normalization.Std.Select(s => (float)s)])
        {
            Name = "DeepLite transfer-learned image classifier",
            Description = description,
        }.ApplyTo(graph);
        graph.SetMetadata(ImageModelMetadata.BackgroundMetadataName, Encoding.UTF8.GetBytes(background.ToString()));
        // A base model that is itself a trained model may carry a crop this training did not use.
        graph.Metadata.RemoveAll(m => m.Key == ImageModelMetadata.AlphaCropMetadataName);
        if (alphaCrop is { } recorded) graph.SetMetadata(ImageModelMetadata.AlphaCropMetadataName, Encoding.UTF8.GetBytes(recorded.ToString()));
    }

    /// <summary>Mean/std of the real-valued image input: from the quantization of a uint8/int8 input, else the base metadata or the default.</summary>
    private static InputNormalization InputNormalizationOf(TfLiteModel model, GraphTensor input)
    {
        if (input.Quantization is { } q && input.Type is TensorType.UInt8 or TensorType.Int8)
        {
            return new InputNormalization(q.ZeroPoints[0] + (input.Type == TensorType.Int8 ? 128 : 0), 1.0 / q.Scales[0]);
        }
        return ImageModelMetadata.Read(model).InputNormalization ?? InputNormalization.Default;
    }

    private static QuantizationParameters PerTensor(float scale, long zeroPoint) => new([scale], [zeroPoint], 0);

    private static Span<byte> AsSpan2D(this byte[,] values) => MemoryMarshal.CreateSpan(ref values[0, 0], values.Length);
}
