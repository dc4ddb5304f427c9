using DeepLite.Runtime;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Evaluation;

/// <summary>A model file opened as an <see cref="ImageClassifier"/> with its default preprocessing; owns both.</summary>
internal sealed class LoadedClassifier : IDisposable
{
    private readonly TfLiteModel _model;

    private LoadedClassifier(string path, TfLiteModel model, ImageClassifier classifier)
    {
        Path = path;
        _model = model;
        Classifier = classifier;
    }

    public string Path { get; }

    public ImageClassifier Classifier { get; }

    /// <summary>
    /// Opens <paramref name="path"/>. Besides <see cref="ImageClassifier"/>'s own checks (one image input, numeric
    /// output 0), output 0 must be one vector of scores: every dimension but the last equal to 1.
    /// </summary>
    /// <exception cref="DeepLiteException">The file is not a model, or the model is not an image classifier.</exception>
    public static LoadedClassifier Open(string path, IReadOnlyList<string>? labels, int threads)
    {
        var model = TfLiteModel.Load(path);
        try
        {
            var main = model.MainSubgraph;
            if (main.Outputs.Count > 0)
            {
                int[] shape = main.Tensors[main.Outputs[0]].Shape;
                if (shape.Length == 0 || shape[..^1].Any(d => d != 1))
                {
                    throw new EvaluationException(
                        $"{path}: not an image classifier: output 0 has shape [{string.Join(",", shape)}], but class scores must be one vector ([N] or [1,N]).");
                }
            }
            var classifier = new ImageClassifier(model, labels, new InterpreterOptions { Threads = threads });
            return new LoadedClassifier(path, model, classifier);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Classifier.Dispose();
        _model.Dispose();
    }
}

/// <summary>An image left out of an evaluation because it could not be read, and why.</summary>
public sealed record SkippedImage(string Path, string Reason);

/// <summary>An image file that cannot be decoded, with the file named in the message.</summary>
public sealed class UnreadableImageException(string path, string reason, Exception inner)
    : DeepLiteException($"Image '{path}' cannot be read: {reason}", inner)
{
    public string Path { get; } = path;
}

internal static class ImageReading
{
    /// <summary>Decodes <paramref name="path"/>; when it cannot be read, adds it to <paramref name="skipped"/> and
    /// returns null if <paramref name="skipUnreadable"/>, else throws <see cref="UnreadableImageException"/>.</summary>
    public static RgbImage? Decode(string path, bool skipUnreadable, List<SkippedImage> skipped)
    {
        try
        {
            return ImageDecoder.Decode(path);
        }
        catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException)
        {
            if (!skipUnreadable) throw new UnreadableImageException(path, e.Message, e);
            skipped.Add(new SkippedImage(path, e.Message));
            return null;
        }
    }
}
