using System.Diagnostics;
using System.Text;
using DeepLite.Runtime;

namespace DeepLite.Vision;

/// <summary>
/// Classifies images with a TFLite image classification model (one image input, class scores in
/// output 0): resize (<see cref="ImageResizer"/>), convert (<see cref="ImagePreprocessor"/>), run,
/// dequantize (<see cref="OutputScores"/>) and rank (<see cref="TopK"/>).
/// </summary>
/// <remarks>
/// Labels come from the constructor, else from a label file packed in the model (TFLite Support
/// metadata), else classes are named by index. Float32 inputs use the metadata's normalization when
/// present, else <see cref="InputNormalization.Default"/>; set <see cref="Normalization"/> to override.
/// Not thread-safe: it owns one <see cref="Interpreter"/>; use one classifier per thread.
/// </remarks>
public sealed class ImageClassifier : IDisposable
{
    private readonly Interpreter _interpreter;
    private readonly LabelMap _labels;
    private readonly List<string> _warnings = [];

    /// <summary>Prepares the model for classification.</summary>
    /// <param name="model">The model; it must outlive the classifier.</param>
    /// <param name="labels">One label per output class, or with a leading "background" entry for models without that class; null to use labels packed in the model, if any.</param>
    /// <param name="options">Interpreter settings.</param>
    /// <exception cref="DeepLiteException">The model is not an image classifier DeepLite can drive, or the labels do not fit its classes.</exception>
    public ImageClassifier(TfLiteModel model, IReadOnlyList<string>? labels = null, InterpreterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _interpreter = new Interpreter(model, options);
        try
        {
            _interpreter.AllocateTensors();
            if (_interpreter.Inputs.Count != 1)
            {
                throw new DeepLiteException($"{model.Source}: an image classifier needs exactly one input; this model has {_interpreter.Inputs.Count}.");
            }
            var input = _interpreter.Inputs[0];
            if (!ImageInputShape.TryGet(input, out var shape, out string problem))
            {
                throw new DeepLiteException($"{model.Source}: the model input is not an image: {problem}.");
            }
            InputShape = shape;
            if (_interpreter.Outputs.Count == 0)
            {
                throw new DeepLiteException($"{model.Source}: the model has no outputs.");
            }
            var output = _interpreter.Outputs[0];
            if (output.Type is not (TensorType.Float32 or TensorType.UInt8 or TensorType.Int8) || output.ElementCount is < 1 or > int.MaxValue)
            {
                throw new DeepLiteException($"{model.Source}: output 0 ({output}) is not a vector of class scores (float32, uint8 or int8).");
            }
            ClassCount = (int)output.ElementCount;

            AlphaBackground = ImageModelMetadata.ReadBackground(model);
            AlphaCrop = ImageModelMetadata.ReadAlphaCrop(model);
            var metadata = ImageModelMetadata.Read(model);
            if (metadata.Warning is not null) _warnings.Add(metadata.Warning);
            Normalization = InputNormalization.Default;
            if (metadata.InputNormalization is { } fromMetadata)
            {
                if (fromMetadata.Fits(shape.Channels)) Normalization = fromMetadata;
                else _warnings.Add($"The metadata normalization ({fromMetadata}) does not fit the {shape.Channels}-channel input; the default ({InputNormalization.Default}) is used.");
            }
            _labels = labels is not null ? LabelMap.Create(labels, ClassCount) : PackedLabels(model, metadata);
        }
        catch
        {
            _interpreter.Dispose();
            throw;
        }
    }

    /// <summary>The model's input size; images of any size are resized to it.</summary>
    public ImageInputShape InputShape { get; }

    /// <summary>The element type of the model input (float32, uint8 or int8).</summary>
    public TensorType InputType => _interpreter.Inputs[0].Type;

    /// <summary>Number of scores in output 0.</summary>
    public int ClassCount { get; }

    /// <summary>The normalization applied to float32 inputs (unused by quantized inputs).</summary>
    public InputNormalization Normalization { get; init; }

    /// <summary>The colour the model was trained to see transparent pixels as (<see cref="ImageModelMetadata.BackgroundMetadataName"/>), or null.</summary>
    public RgbColor? AlphaBackground { get; }

    /// <summary>How the model was trained to crop images with alpha (<see cref="ImageModelMetadata.AlphaCropMetadataName"/>), or null.</summary>
    public AlphaCrop? AlphaCrop { get; }

    /// <summary>
    /// Decodes an image file the way the model's training did: with <see cref="AlphaBackground"/>, images with alpha are
    /// cropped by <see cref="AlphaCrop"/> (when set) and composited onto it; without it, alpha is dropped.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageFormatException">The file is not a readable image.</exception>
    public RgbImage DecodeImage(string path) =>
        AlphaBackground is { } background ? ImageDecoder.Decode(path, background, AlphaCrop) : ImageDecoder.Decode(path);

    /// <summary>The class names.</summary>
    public LabelMap LabelMap => _labels;

    /// <summary>Wall-clock time of the last model run inside <see cref="Score"/> or <see cref="Classify"/>: the
    /// interpreter's <c>Invoke</c> only, without resizing, input conversion or reading the scores. Zero before the first run.</summary>
    public TimeSpan LastInferenceTime { get; private set; }

    /// <summary>What was ignored while setting up (unreadable metadata, a label file that does not fit).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The <paramref name="topK"/> best classes of <paramref name="image"/>, best first (see <see cref="TopK.Compute"/>).</summary>
    public IReadOnlyList<Classification> Classify(RgbImage image, int topK = 5, ResizeMode mode = ResizeMode.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        var scores = Score(image, mode);
        var best = TopK.Compute(scores, topK);
        var result = new Classification[best.Length];
        for (int i = 0; i < best.Length; i++) result[i] = new Classification(best[i].Index, _labels[best[i].Index], best[i].Score);
        return result;
    }

    /// <summary>All class scores of <paramref name="image"/> (dequantized for quantized outputs).</summary>
    public float[] Score(RgbImage image, ResizeMode mode = ResizeMode.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        ImagePreprocessor.Prepare(image, _interpreter.Inputs[0], mode, Normalization);
        long start = Stopwatch.GetTimestamp();
        _interpreter.Invoke();
        LastInferenceTime = Stopwatch.GetElapsedTime(start);
        return OutputScores.Read(_interpreter.Outputs[0]);
    }

    public void Dispose() => _interpreter.Dispose();

    private LabelMap PackedLabels(TfLiteModel model, ImageModelMetadata metadata)
    {
        foreach (string file in metadata.LabelFiles)
        {
            try
            {
                byte[]? contents = ModelAssociatedFiles.Read(model, file);
                if (contents is null)
                {
                    _warnings.Add($"The metadata names label file '{file}', but the model does not contain it.");
                    continue;
                }
                return LabelMap.Create(Labels.Parse(Encoding.UTF8.GetString(contents)), ClassCount);
            }
            catch (DeepLiteException e)
            {
                _warnings.Add($"Label file '{file}' packed in the model was ignored: {e.Message}");
            }
        }
        return LabelMap.Unlabelled(ClassCount);
    }
}
