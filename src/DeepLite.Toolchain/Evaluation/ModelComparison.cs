using System.Diagnostics;
using DeepLite.Toolchain.Data;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Evaluation;

/// <summary>
/// The images a comparison runs on: a labelled <see cref="ImageFolderDataset"/> when the folder has sub-folders,
/// else the images directly in the folder (unlabelled), in ordinal path order.
/// </summary>
public sealed class ImageSet
{
    private ImageSet(string root, IReadOnlyList<string> paths, ImageFolderDataset? labelled)
    {
        Root = root;
        Paths = paths;
        Labelled = labelled;
    }

    public string Root { get; }

    public IReadOnlyList<string> Paths { get; }

    /// <summary>The classes and labels of <see cref="Paths"/>, or null for an unlabelled folder.</summary>
    public ImageFolderDataset? Labelled { get; }

    /// <summary>Lists <paramref name="root"/>: sub-folders (hidden ones aside) make it labelled (see <see cref="ImageFolderDataset.Load"/>);
    /// without any, its image files (by <see cref="ImageFolderDataset.ImageExtensions"/>) are an unlabelled set.</summary>
    /// <exception cref="DatasetException">The folder does not exist or holds no image.</exception>
    public static ImageSet Load(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root)) throw new DatasetException($"Image folder '{root}' does not exist.");
        if (Directory.EnumerateDirectories(root).Any(d => !System.IO.Path.GetFileName(d).StartsWith('.')))
        {
            var data = ImageFolderDataset.Load(root);
            return new ImageSet(root, [.. data.Images.Select(i => i.Path)], data);
        }
        string[] files = [.. Directory.EnumerateFiles(root)
            .Where(f => !System.IO.Path.GetFileName(f).StartsWith('.')
                && ImageFolderDataset.ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant(), StringComparer.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal)];
        if (files.Length == 0)
        {
            throw new DatasetException($"Image folder '{root}' has no images ({string.Join(", ", ImageFolderDataset.ImageExtensions)}) and no class sub-folders.");
        }
        return new ImageSet(root, files, null);
    }
}

/// <summary>A model to compare; <paramref name="Labels"/> null uses the labels packed in the model.</summary>
public sealed record ComparedModel(string Name, string Path, IReadOnlyList<string>? Labels = null);

/// <summary>Settings of <see cref="ModelComparison.Run"/>.</summary>
public sealed record ComparisonOptions
{
    /// <summary>k of the top-k accuracy (labelled sets only).</summary>
    public int TopK { get; init; } = 5;

    /// <summary>Threads per operator of every model.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Untimed runs of each model on the first image before timing starts.</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>True: unreadable images are left out of every model's figures and listed; false: one stops the comparison.</summary>
    public bool SkipUnreadable { get; init; }

    /// <summary>Called after each image with (images done, images in total).</summary>
    public Action<int, int>? Progress { get; init; }
}

/// <summary>One model's figures over the compared images.</summary>
/// <param name="Name">The name the model was given (a file path or a catalog name).</param>
/// <param name="Path">The model file.</param>
/// <param name="FileBytes">Size of the model file.</param>
/// <param name="Top1Accuracy">Fraction of images whose top-1 output is their class; null for an unlabelled set.</param>
/// <param name="TopKAccuracy">Fraction of images whose class is among the top-k outputs; null for an unlabelled set.</param>
/// <param name="MedianLatencyMilliseconds">Median over the images of the interpreter's <c>Invoke</c> time alone
/// (<see cref="ImageClassifier.LastInferenceTime"/>), after the warm-up runs; the median of an even count is the mean of the middle two.</param>
/// <param name="Top1Labels">Per image, in <see cref="ComparisonReport.Images"/> order, the label of the top-1 output
/// (the output index as text when the model has no labels).</param>
public sealed record ModelSummary(string Name, string Path, long FileBytes, double? Top1Accuracy, double? TopKAccuracy,
    double MedianLatencyMilliseconds, IReadOnlyList<string> Top1Labels);

/// <summary>What <see cref="ModelComparison.Run"/> found.</summary>
/// <param name="Images">The images every model ran on (skipped ones excluded).</param>
/// <param name="Labelled">True when the images have classes and the accuracies are set.</param>
/// <param name="TopK">k of <see cref="ModelSummary.TopKAccuracy"/>.</param>
/// <param name="Models">One summary per model, in the order given.</param>
/// <param name="Agreement">[a, b]: fraction of <see cref="Images"/> where models a and b give the same top-1 label (ordinal); 1 on the diagonal.</param>
/// <param name="Skipped">Unreadable images left out.</param>
public sealed record ComparisonReport(IReadOnlyList<string> Images, bool Labelled, int TopK, IReadOnlyList<ModelSummary> Models,
    double[,] Agreement, IReadOnlyList<SkippedImage> Skipped);

/// <summary>Runs several image classifiers on the same images: float against quantized, one size against another.</summary>
public static class ModelComparison
{
    /// <summary>
    /// Decodes each image once and classifies it with every model (each an <see cref="ImageClassifier"/> with its
    /// default preprocessing). On a labelled set every model's labels must fit the classes (<see cref="ClassMapping"/>).
    /// </summary>
    /// <exception cref="EvaluationException">Fewer than two models, a model that is not a classifier, classes that do not fit its labels, or no readable image.</exception>
    /// <exception cref="UnreadableImageException">An image cannot be decoded and <see cref="ComparisonOptions.SkipUnreadable"/> is false.</exception>
    public static ComparisonReport Run(IReadOnlyList<ComparedModel> models, ImageSet images, ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(images);
        options ??= new ComparisonOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TopK, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Warmup, nameof(options));
        if (models.Count < 2) throw new EvaluationException($"A comparison needs at least two models; got {models.Count}.");

        var loaded = new List<LoadedClassifier>();
        try
        {
            foreach (var m in models) loaded.Add(LoadedClassifier.Open(m.Path, m.Labels, options.Threads));
            var data = images.Labelled;
            var mappings = data is null ? null : loaded.Select(l => ClassMapping.Create(data.Classes, l.Classifier.LabelMap)).ToArray();

            var skipped = new List<SkippedImage>();
            var used = new List<string>();
            var labels = models.Select(_ => new List<string>()).ToArray();
            var top1Hits = new int[models.Count];
            var topKHits = new int[models.Count];
            var latencies = models.Select(_ => new List<double>()).ToArray();
            bool warmedUp = false;
            for (int n = 0; n < images.Paths.Count; n++)
            {
                var image = ImageReading.Decode(images.Paths[n], options.SkipUnreadable, skipped);
                if (image is not null)
                {
                    if (!warmedUp)
                    {
                        foreach (var l in loaded)
                        {
                            for (int w = 0; w < options.Warmup; w++) l.Classifier.Score(image);
                        }
                        warmedUp = true;
                    }
                    used.Add(images.Paths[n]);
                    for (int m = 0; m < loaded.Count; m++)
                    {
                        var classifier = loaded[m].Classifier;
                        var top = classifier.Classify(image, options.TopK);
                        latencies[m].Add(classifier.LastInferenceTime.TotalMilliseconds);
                        labels[m].Add(top[0].Label);
                        if (mappings is not null)
                        {
                            var truth = mappings[m].OutputsOf(data!.Images[n].ClassIndex);
                            if (truth.Contains(top[0].Index)) top1Hits[m]++;
                            if (top.Any(t => truth.Contains(t.Index))) topKHits[m]++;
                        }
                    }
                }
                options.Progress?.Invoke(n + 1, images.Paths.Count);
            }
            if (used.Count == 0) throw new EvaluationException($"None of the {images.Paths.Count} images in '{images.Root}' could be read.");

            var summaries = new ModelSummary[models.Count];
            for (int m = 0; m < models.Count; m++)
            {
                summaries[m] = new ModelSummary(models[m].Name, models[m].Path, new FileInfo(models[m].Path).Length,
                    data is null ? null : (double)top1Hits[m] / used.Count, data is null ? null : (double)topKHits[m] / used.Count,
                    Median(latencies[m]), labels[m]);
            }
            var agreement = new double[models.Count, models.Count];
            for (int a = 0; a < models.Count; a++)
            {
                for (int b = 0; b < models.Count; b++)
                {
                    agreement[a, b] = (double)labels[a].Zip(labels[b]).Count(p => string.Equals(p.First, p.Second, StringComparison.Ordinal)) / used.Count;
                }
            }
            return new ComparisonReport(used, data is not null, options.TopK, summaries, agreement, skipped);
        }
        finally
        {
            foreach (var l in loaded) l.Dispose();
        }
    }

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
