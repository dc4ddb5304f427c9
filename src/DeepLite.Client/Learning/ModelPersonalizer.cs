using System.Globalization;
using System.Text;
using DeepLite.Modeling;
using DeepLite.Runtime;
using DeepLite.Vision;

namespace DeepLite.Client.Learning;

/// <summary>Personalisation cannot proceed: no classifier head found, no or unreadable images, a bad label.</summary>
public sealed class PersonalizationException : DeepLiteException
{
    public PersonalizationException(string message) : base(message) { }
    public PersonalizationException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A personalised model.</summary>
/// <param name="Model">The new .tflite bytes (labels packed in its metadata).</param>
/// <param name="Labels">One label per output class of the new model.</param>
/// <param name="ClassIndex">The output index of the class that was added or refined.</param>
/// <param name="ImageCount">How many images it was learned from.</param>
/// <param name="ExampleCount">How many examples the class now counts (recorded in the model for later refinement).</param>
public sealed record PersonalizedModel(byte[] Model, IReadOnlyList<string> Labels, int ClassIndex, int ImageCount, int ExampleCount);

/// <summary>
/// On-device learning for image classifiers ending in <c>FULLY_CONNECTED</c> (or a 1×1 <c>CONV_2D</c>) <c>→ [RESHAPE] →
/// SOFTMAX</c>, float32 or quantized: adds a class, or more examples of an existing class, from a handful of images by
/// <see cref="WeightImprinting"/> on the model's own embeddings (the input of its last layer), and returns new model bytes.
/// </summary>
/// <remarks>
/// <para>Images are decoded with alpha composited onto white, resized bilinearly to the model input and normalised as the
/// model's metadata says (quantized inputs: <see cref="ImagePreprocessor"/>'s rules). Quantized embeddings are dequantized.</para>
/// <para>No forgetting: the rows of existing classes are not changed. In quantized models they keep their stored
/// integers unless the new row falls outside the per-tensor weight range, in which case the whole weight tensor is
/// requantized to the new min/max (a change of at most half a new step per weight); per-channel models quantize only the
/// new channel. The logit range is widened upward when the new class's logits would not fit, which coarsens the old
/// logits' steps but keeps them representable.</para>
/// <para>With <see cref="PersonalizationOptions.FineTuneEpochs"/> above 0, the imprinted (or refined) row and its bias are then
/// trained for that many epochs by <see cref="HeadFineTuning"/> on the embeddings of this class's examples, cached ones
/// included, and of other personalised classes' cached examples; every other row stays frozen, so the guarantees above
/// hold. Every example's embedding is cached in the model (<see cref="ExampleEmbeddingsMetadata"/>).</para>
/// <para>The number of examples of each personalised class is recorded in the model (metadata entry
/// <see cref="ExampleCountsMetadata"/>); a class without a record counts as <see cref="DefaultExampleCount"/> examples
/// when refined with <see cref="AddExamples"/>.</para>
/// </remarks>
public static class ModelPersonalizer
{
    /// <summary>How many examples an existing class's row stands for when the model records none.</summary>
    public const int DefaultExampleCount = 10;

    /// <summary>The share of the pure imprinted prototype in a new class's row; the rest mixes the existing classes the
    /// examples resemble (see <see cref="WeightImprinting.AddClass"/>).</summary>
    public const float ImprintWeight = 0.3f;

    /// <summary>Metadata entry with one line <c>count TAB label</c> per personalised class.</summary>
    public const string ExampleCountsMetadata = "DEEPLITE_EXAMPLE_COUNTS";

    /// <summary>Metadata entry caching the embedding of every example image the model was personalised with (its label and
    /// float32 values), so fine-tuning can train on earlier examples without their images.</summary>
    public const string ExampleEmbeddingsMetadata = "DEEPLITE_EXAMPLE_EMBEDDINGS";

    /// <summary>Returns <paramref name="model"/> with one more class, <paramref name="label"/>, imprinted from <paramref name="images"/>.</summary>
    /// <param name="model">The classifier's .tflite bytes.</param>
    /// <param name="label">The new class's name; must not be a label the model already has.</param>
    /// <param name="images">Image files (PNG, JPEG, BMP) of the new class.</param>
    /// <param name="labels">Labels of the model's classes when it has none packed (or to replace them); null: the packed ones, else class indices.</param>
    /// <param name="source">Names the model in error messages.</param>
    /// <param name="options">Fine-tuning after imprinting; null: imprint only.</param>
    /// <exception cref="PersonalizationException">Empty or existing label, no images, an image missing, or no head found.</exception>
    /// <exception cref="ImageFormatException">An image does not decode; the message names the file.</exception>
    public static PersonalizedModel AddClass(ReadOnlyMemory<byte> model, string label, IReadOnlyList<string> images,
        IReadOnlyList<string>? labels = null, string source = "model", PersonalizationOptions? options = null) =>
        Personalize(model, label, images, labels, source, options, addClass: true);

    /// <summary>Returns <paramref name="model"/> with the row of the existing class <paramref name="label"/> turned toward
    /// <paramref name="images"/>, weighted by the examples the class already counts (<see cref="DefaultExampleCount"/> unless recorded).</summary>
    /// <exception cref="PersonalizationException">Empty or unknown label, no images, an image missing, or no head found.</exception>
    /// <exception cref="ImageFormatException">An image does not decode; the message names the file.</exception>
    public static PersonalizedModel AddExamples(ReadOnlyMemory<byte> model, string label, IReadOnlyList<string> images,
        IReadOnlyList<string>? labels = null, string source = "model", PersonalizationOptions? options = null) =>
        Personalize(model, label, images, labels, source, options, addClass: false);

    private static PersonalizedModel Personalize(ReadOnlyMemory<byte> bytes, string label, IReadOnlyList<string> images,
        IReadOnlyList<string>? labels, string source, PersonalizationOptions? options, bool addClass)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(source);
        options ??= new PersonalizationOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.FineTuneEpochs, nameof(options));
        if (!(options.LearningRate > 0) || !float.IsFinite(options.LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LearningRate, "The learning rate must be positive and finite.");
        }
        if (string.IsNullOrWhiteSpace(label)) throw new PersonalizationException("The class label is empty.");
        if (label.Contains('\n', StringComparison.Ordinal) || label.Contains('\r', StringComparison.Ordinal) || label != label.Trim())
        {
            throw new PersonalizationException($"The class label '{label}' has line breaks or leading/trailing spaces.");
        }
        if (images.Count == 0) throw new PersonalizationException($"No images given for class '{label}'.");

        using var model = TfLiteModel.FromBytes(bytes, source);
        var graph = ModelGraph.From(model);
        var layer = ClassifierLayer.Find(graph, source);
        var metadata = ImageModelMetadata.Read(model);
        var (classLabels, labelFile, labelFileName) = ClassLabels(model, metadata, layer.Classes, labels);
        var counts = ReadExampleCounts(graph);

        int classIndex = FindLabel(classLabels, label);
        if (addClass && classIndex >= 0) throw new PersonalizationException($"{source} already has a class '{label}' (output {classIndex}); use add-examples to refine it.");
        if (!addClass && classIndex < 0) throw new PersonalizationException($"{source} has no class '{label}' to add examples to.");

        var embeddings = Embeddings(model, graph.Tensors.IndexOf(layer.Embedding), metadata, images);
        var head = layer.Read();
        int exampleCount;
        if (addClass)
        {
            head = WeightImprinting.AddClass(head, embeddings, ImprintWeight);
            classIndex = head.Classes - 1;
            exampleCount = images.Count;
        }
        else
        {
            int existing = counts.TryGetValue(label, out int recorded) ? recorded : DefaultExampleCount;
            head = WeightImprinting.AddExamples(head, classIndex, embeddings, existing);
            exampleCount = existing + images.Count;
        }
        var cached = ExampleEmbeddings.Read(graph);
        if (cached.Any(example => example.Embedding.Length != head.Depth))
        {
            throw new PersonalizationException($"{source}: a cached example embedding does not have the head's {head.Depth} values.");
        }
        var positives = cached.Where(example => example.Label == label).Select(example => example.Embedding).Concat(embeddings).ToList();
        if (options.FineTuneEpochs > 0)
        {
            var examples = cached
                .Select(example => new LabelledEmbedding(example.Embedding, example.Label == label ? classIndex : FindLabel(classLabels, example.Label)))
                .Where(example => example.ClassIndex >= 0)
                .Concat(embeddings.Select(e => new LabelledEmbedding(e, classIndex)))
                .ToList();
            head = HeadFineTuning.TrainRow(head, classIndex, examples, options.FineTuneEpochs, options.LearningRate);
        }
        float peak = positives.Max(e => head.Logits(e)[classIndex]);
        layer.Write(head, new HashSet<int> { classIndex }, peak + WeightImprinting.Margin);

        var newLabels = addClass ? [.. classLabels, label] : classLabels;
        var newLabelFile = addClass ? [.. labelFile, label] : labelFile;
        if (labelFileName is not null) graph.SetAssociatedFile(labelFileName, Encoding.UTF8.GetBytes(string.Concat(newLabelFile.Select(l => l + "\n"))));
        else
        {
            var normalization = metadata.InputNormalization ?? InputNormalization.Default;
            new ClassifierMetadata(newLabels, [.. normalization.Mean.Select(v => (float)v)], [.. normalization.Std.Select(v => (float)v)])
            {
                Name = metadata.ModelName ?? "image classifier",
            }.ApplyTo(graph);
        }
        ExampleEmbeddings.Write(graph, cached.Concat(embeddings.Select(e => (label, e))));
        counts[label] = exampleCount;
        graph.SetMetadata(ExampleCountsMetadata, Encoding.UTF8.GetBytes(string.Concat(
            counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value}\t{p.Key}\n")))));
        return new PersonalizedModel(graph.ToBytes(), newLabels, classIndex, images.Count, exampleCount);
    }

    /// <summary>The label of each class, the label file's lines (which may have a leading "background" line) and its name
    /// inside the model (null when the model packs none).</summary>
    private static (string[] ClassLabels, string[] FileLines, string? FileName) ClassLabels(TfLiteModel model, ImageModelMetadata metadata,
        int classes, IReadOnlyList<string>? given)
    {
        string? fileName = null;
        IReadOnlyList<string>? lines = null;
        foreach (string file in metadata.LabelFiles)
        {
            if (ModelAssociatedFiles.Read(model, file) is { } contents)
            {
                fileName = file;
                lines = Labels.Parse(Encoding.UTF8.GetString(contents));
                break;
            }
        }
        if (given is not null) lines = given;
        var map = lines is null ? LabelMap.Unlabelled(classes) : LabelMap.Create(lines, classes);
        var classLabels = Enumerable.Range(0, classes).Select(c => map[c]).ToArray();
        return (classLabels, lines?.ToArray() ?? classLabels, fileName);
    }

    private static int FindLabel(string[] labels, string label) => Array.FindIndex(labels, l => string.Equals(l.Trim(), label, StringComparison.Ordinal));

    /// <summary>The embedding (the classifier layer's input, dequantized) of each image.</summary>
    private static List<float[]> Embeddings(TfLiteModel model, int embeddingIndex, ImageModelMetadata metadata, IReadOnlyList<string> images)
    {
        using var interpreter = new Interpreter(model, new InterpreterOptions { PreservedTensors = [embeddingIndex] });
        interpreter.AllocateTensors();
        var input = interpreter.Inputs[0];
        if (!ImageInputShape.TryGet(input, out var shape, out string problem))
        {
            throw new PersonalizationException($"{model.Source}: the model input is not an image: {problem}.");
        }
        var normalization = metadata.InputNormalization is { } fromMetadata && fromMetadata.Fits(shape.Channels) ? fromMetadata : InputNormalization.Default;
        var embeddings = new List<float[]>(images.Count);
        foreach (string path in images)
        {
            RgbImage image;
            try
            {
                image = ImageDecoder.Decode(path, RgbColor.White);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                throw new PersonalizationException($"Cannot read image {path}: {e.Message}", e);
            }
            ImagePreprocessor.Prepare(image, input, ResizeMode.Bilinear, normalization);
            interpreter.Invoke();
            embeddings.Add(Dequantize(interpreter.Tensors[embeddingIndex]));
        }
        return embeddings;
    }

    private static float[] Dequantize(Tensor tensor) => tensor.Type switch
    {
        TensorType.Float32 => tensor.ToArray<float>(),
        TensorType.UInt8 => [.. tensor.ToArray<byte>().Select(q => tensor.Quantization!.Scale * (q - tensor.Quantization.ZeroPoint))],
        TensorType.Int8 => [.. tensor.ToArray<sbyte>().Select(q => tensor.Quantization!.Scale * (q - tensor.Quantization.ZeroPoint))],
        _ => throw new PersonalizationException($"The embedding {tensor} is not float32, uint8 or int8."),
    };

    private static Dictionary<string, int> ReadExampleCounts(ModelGraph graph)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (graph.FindMetadata(ExampleCountsMetadata) is not { } data) return counts;
        foreach (string line in Encoding.UTF8.GetString(data).Split('\n'))
        {
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0 && int.TryParse(line.AsSpan(0, tab), NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count > 0)
            {
                counts[line[(tab + 1)..]] = count;
            }
        }
        return counts;
    }
}
