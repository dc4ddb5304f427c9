using DeepLite.Toolchain.Data;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Evaluation;

/// <summary>Settings of <see cref="ClassifierEvaluation.Run"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>An image counts as a top-k hit when its class is among the model's <c>TopK</c> best outputs.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>Threads per operator (<see cref="Runtime.InterpreterOptions.Threads"/>).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>One label per model output, replacing labels packed in the model; null to use the model's own.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>True: an unreadable image is left out and listed in <see cref="EvaluationReport.Skipped"/>; false: it stops the evaluation.</summary>
    public bool SkipUnreadable { get; init; }

    /// <summary>Called after each image with (images done, images in total), on the evaluating thread.</summary>
    public Action<int, int>? Progress { get; init; }
}

/// <summary>The model's answer for one image.</summary>
/// <param name="Path">The image file.</param>
/// <param name="TrueClass">Its data set class.</param>
/// <param name="Top">The model's best outputs, best first (at most <see cref="EvaluationOptions.TopK"/>).</param>
/// <param name="PredictedClass">The data set class of the top-1 output, or -1 when that output is none of the classes.</param>
/// <param name="Top1Correct">The top-1 output is one of the true class's outputs.</param>
/// <param name="TopKCorrect">One of the <see cref="Top"/> outputs is one of the true class's outputs.</param>
public sealed record ImageResult(string Path, int TrueClass, IReadOnlyList<Classification> Top, int PredictedClass, bool Top1Correct, bool TopKCorrect);

/// <summary>Per-class figures over the evaluated images.</summary>
/// <param name="Name">The class name (its folder).</param>
/// <param name="Count">Images of the class.</param>
/// <param name="Correct">Of those, top-1 correct.</param>
/// <param name="Predicted">Images of any class whose top-1 is this class.</param>
/// <param name="Recall"><c>Correct / Count</c>; NaN when <c>Count</c> is 0 (every image of the class was skipped).</param>
/// <param name="Precision"><c>Correct / Predicted</c>; NaN when no image was predicted as this class.</param>
public sealed record ClassMetrics(string Name, int Count, int Correct, int Predicted, double Recall, double Precision);

/// <summary>What <see cref="ClassifierEvaluation.Run"/> found. Accuracies are fractions in [0, 1] over <see cref="Count"/> images.</summary>
public sealed record EvaluationReport(
    string ModelPath,
    string DataRoot,
    ClassMapping Mapping,
    int TopK,
    IReadOnlyList<ImageResult> Images,
    IReadOnlyList<ClassMetrics> PerClass,
    ConfusionMatrix Confusion,
    IReadOnlyList<SkippedImage> Skipped,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Images evaluated (skipped ones excluded).</summary>
    public int Count => Images.Count;

    /// <summary>Fraction of images whose top-1 output is their class.</summary>
    public double Top1Accuracy => (double)Images.Count(i => i.Top1Correct) / Count;

    /// <summary>Fraction of images whose class is among the <see cref="TopK"/> best outputs.</summary>
    public double TopKAccuracy => (double)Images.Count(i => i.TopKCorrect) / Count;
}

/// <summary>Evaluates an image classifier on a labelled image folder.</summary>
public static class ClassifierEvaluation
{
    /// <summary>
    /// Classifies every image of <paramref name="data"/> with the model at <paramref name="modelPath"/> (opened as an
    /// <see cref="ImageClassifier"/> with its default preprocessing: bilinear resize, the metadata's normalization for
    /// float inputs) and scores the answers against the folder classes, mapped to outputs by <see cref="ClassMapping"/>.
    /// </summary>
    /// <exception cref="EvaluationException">The model is not a classifier, the classes do not fit its labels, or no image could be read.</exception>
    /// <exception cref="UnreadableImageException">An image cannot be decoded and <see cref="EvaluationOptions.SkipUnreadable"/> is false.</exception>
    public static EvaluationReport Run(string modelPath, ImageFolderDataset data, EvaluationOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new EvaluationOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TopK, 1, nameof(options));

        using var loaded = LoadedClassifier.Open(modelPath, options.Labels, options.Threads);
        var classifier = loaded.Classifier;
        var mapping = ClassMapping.Create(data.Classes, classifier.LabelMap);
        var results = new List<ImageResult>(data.Images.Count);
        var skipped = new List<SkippedImage>();
        for (int n = 0; n < data.Images.Count; n++)
        {
            var item = data.Images[n];
            var image = ImageReading.Decode(item.Path, options.SkipUnreadable, skipped);
            if (image is not null)
            {
                var top = classifier.Classify(image, options.TopK);
                var truth = mapping.OutputsOf(item.ClassIndex);
                results.Add(new ImageResult(item.Path, item.ClassIndex, top, mapping.ClassOf(top[0].Index),
                    truth.Contains(top[0].Index), top.Any(t => truth.Contains(t.Index))));
            }
            options.Progress?.Invoke(n + 1, data.Images.Count);
        }
        if (results.Count == 0)
        {
            throw new EvaluationException($"None of the {data.Images.Count} images in '{data.Root}' could be read.");
        }

        var confusion = new ConfusionMatrix(data.Classes);
        foreach (var r in results) confusion.Add(r.TrueClass, r.PredictedClass);
        var perClass = new ClassMetrics[data.Classes.Count];
        for (int c = 0; c < perClass.Length; c++)
        {
            int count = results.Count(r => r.TrueClass == c);
            int correct = confusion[c, c];
            int predicted = Enumerable.Range(0, data.Classes.Count).Sum(t => confusion[t, c]);
            perClass[c] = new ClassMetrics(data.Classes[c], count, correct, predicted,
                count == 0 ? double.NaN : (double)correct / count, predicted == 0 ? double.NaN : (double)correct / predicted);
        }
        return new EvaluationReport(modelPath, data.Root, mapping, options.TopK, results, perClass, confusion, skipped, classifier.Warnings);
    }
}
