using System.Globalization;
using System.Security.Cryptography;
using DeepLite.Runtime;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Training;

/// <summary>
/// Turns images into embeddings with a base model: either the model's output 0, or an intermediate tensor
/// named by <c>cutAt</c> (a tensor name or index), kept alive past Invoke with <see cref="InterpreterOptions.PreservedTensors"/>.
/// The embedding tensor must be float32, uint8 or int8 with shape <c>[1, …, 1, C]</c>; quantized values are
/// dequantized with the tensor's scale and zero point. Images are resized bilinearly and converted with
/// <see cref="ImagePreprocessor"/> (float inputs use the model metadata's normalization, else the default).
/// Not thread-safe: it owns one interpreter.
/// </summary>
public sealed class EmbeddingExtractor : IDisposable
{
    private readonly TfLiteModel _model;
    private readonly Interpreter _interpreter;
    private readonly InputNormalization _normalization;

    /// <summary>Loads <paramref name="modelPath"/> and finds the embedding tensor.</summary>
    /// <exception cref="TrainingException">The model has no image input or the tensor is missing or not a <c>[1, …, 1, C]</c> vector.</exception>
    public EmbeddingExtractor(string modelPath, string? cutAt = null, int threads = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ModelSha256 = Sha256OfFile(modelPath);
        _model = TfLiteModel.Load(modelPath);
        try
        {
            var graph = _model.MainSubgraph;
            int index = cutAt is null ? FirstOutput(graph, modelPath) : FindTensor(graph, cutAt, modelPath);
            _interpreter = new Interpreter(_model, new InterpreterOptions { Threads = threads, PreservedTensors = [index] });
            try
            {
                _interpreter.AllocateTensors();
                if (_interpreter.Inputs.Count != 1 || !ImageInputShape.TryGet(_interpreter.Inputs[0], out var shape, out string problem))
                {
                    throw new TrainingException($"{modelPath}: not an image model (it needs exactly one [1,h,w,3] image input), so it cannot serve as a base model.");
                }
                InputShape = shape;
                Embedding = Describe(_interpreter.Tensors[index], modelPath);
                var metadata = ImageModelMetadata.Read(_model).InputNormalization;
                _normalization = metadata is not null && metadata.Fits(shape.Channels) ? metadata : InputNormalization.Default;
            }
            catch
            {
                _interpreter.Dispose();
                throw;
            }
        }
        catch
        {
            _model.Dispose();
            throw;
        }
    }

    /// <summary>Lower-case hex sha256 of the model file.</summary>
    public string ModelSha256 { get; }

    /// <summary>The tensor read as the embedding.</summary>
    public EmbeddingSpec Embedding { get; }

    public ImageInputShape InputShape { get; }

    /// <summary>The embedding of <paramref name="image"/>: <see cref="EmbeddingSpec.Size"/> floats, dequantized.</summary>
    public float[] Extract(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ImagePreprocessor.Prepare(image, _interpreter.Inputs[0], ResizeMode.Bilinear, _normalization);
        _interpreter.Invoke();
        var tensor = _interpreter.Tensors[Embedding.TensorIndex];
        var result = new float[Embedding.Size];
        switch (Embedding.Type)
        {
            case TensorType.Float32:
                tensor.AsReadOnlySpan<float>().CopyTo(result);
                break;
            case TensorType.UInt8:
            {
                var (scale, zeroPoint) = Embedding.Quantization!.Value;
                var values = tensor.AsReadOnlySpan<byte>();
                for (int i = 0; i < result.Length; i++) result[i] = scale * (values[i] - zeroPoint);
                break;
            }
            default:
            {
                var (scale, zeroPoint) = Embedding.Quantization!.Value;
                var values = tensor.AsReadOnlySpan<sbyte>();
                for (int i = 0; i < result.Length; i++) result[i] = scale * (values[i] - zeroPoint);
                break;
            }
        }
        return result;
    }

    public void Dispose()
    {
        _interpreter.Dispose();
        _model.Dispose();
    }

    /// <summary>Lower-case hex sha256 of a file's bytes.</summary>
    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static int FirstOutput(SubgraphInfo graph, string modelPath) =>
        graph.Outputs.Count > 0 ? graph.Outputs[0] : throw new TrainingException($"{modelPath}: the model has no outputs.");

    private static int FindTensor(SubgraphInfo graph, string cutAt, string modelPath)
    {
        if (int.TryParse(cutAt, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            if (index < graph.Tensors.Count) return index;
            throw new TrainingException($"{modelPath}: --cut-at {index} is not a tensor index (the model has {graph.Tensors.Count} tensors; see 'deeplite inspect --tensors').");
        }
        var match = graph.Tensors.FirstOrDefault(t => t.Name == cutAt)
            ?? throw new TrainingException($"{modelPath}: no tensor is named '{cutAt}' (see 'deeplite inspect --tensors' for names and indices).");
        return match.Index;
    }

    private static EmbeddingSpec Describe(Tensor tensor, string modelPath)
    {
        string what = $"{modelPath}: tensor {tensor.Index} ('{tensor.Name}', {tensor})";
        if (tensor.IsConstant) throw new TrainingException($"{what} is a constant, not an activation; it cannot be an embedding.");
        var shape = tensor.Shape;
        for (int axis = 0; axis < shape.Length - 1; axis++)
        {
            if (shape[axis] != 1)
            {
                throw new TrainingException($"{what} is not an embedding: it must have shape [1, ..., 1, C] (e.g. the pooled features before the classifier).");
            }
        }
        if (shape.Length == 0 || shape[^1] < 1) throw new TrainingException($"{what} is not an embedding: it has no channel dimension.");
        AffineQuantization? quantization = null;
        switch (tensor.Type)
        {
            case TensorType.Float32:
                break;
            case TensorType.UInt8 or TensorType.Int8:
                if (tensor.Quantization is not { IsPerChannel: false } q || q.Scales.Length != 1 || !(q.Scale > 0))
                {
                    throw new TrainingException($"{what} is quantized without one per-tensor scale; it cannot be dequantized.");
                }
                quantization = new AffineQuantization(q.Scale, q.ZeroPoint);
                break;
            default:
                throw new TrainingException($"{what} has type {tensor.Type.Name()}; an embedding must be float32, uint8 or int8.");
        }
        return new EmbeddingSpec(tensor.Index, tensor.Name, tensor.Type, shape[^1], quantization);
    }
}
