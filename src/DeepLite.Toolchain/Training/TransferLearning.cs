using System.Diagnostics;
using DeepLite.Toolchain.Data;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Training;

/// <summary>Settings of <see cref="TransferLearning.Run"/>.</summary>
public sealed record TransferLearningOptions
{
    /// <summary>The base model file.</summary>
    public required string BaseModel { get; init; }

    /// <summary>Embedding tensor name or index; null for the model's output 0.</summary>
    public string? CutAt { get; init; }

    /// <summary>The labelled image folder (<see cref="ImageFolderDataset"/>).</summary>
    public required string DataFolder { get; init; }

    /// <summary>Fraction of each class held out for the final evaluation (never trained or validated on).</summary>
    public double HoldoutFraction { get; init; } = 0.25;

    /// <summary>Fraction of each class's remaining images used for early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seeds the splits, the augmentation draws and the head training.</summary>
    public int Seed { get; init; }

    /// <summary>Train on flipped, cropped and brightened views too (<see cref="ImageAugmentation.ViewsFor"/>).</summary>
    public bool Augment { get; init; }

    /// <summary>Train on each training image's mirror image too (on by default: the classes here have no handedness).</summary>
    public bool Flip { get; init; } = true;

    /// <summary>
    /// After early stopping has chosen the epoch count on the validation split, train a fresh head on training plus
    /// validation images (with the same views) for exactly that many epochs, and keep it. On by default: the
    /// validation images then also teach the head, which matters when a class has a few dozen images.
    /// </summary>
    public bool RefitOnAll { get; init; } = true;

    /// <summary>Embedding cache folder; null means <see cref="EmbeddingCache.DefaultFolder"/>.</summary>
    public string? CacheFolder { get; init; }

    /// <summary>
    /// The colour transparent pixels are composited onto before preprocessing. White by default: cut-out stamps are
    /// mostly photographed on white, and without compositing a transparent pixel shows whatever colour the file
    /// stored for it (often black), which differs between files and is not part of the object.
    /// </summary>
    public RgbColor Background { get; init; } = RgbColor.White;

    /// <summary>
    /// How images with alpha are cropped to their visible content before compositing; null keeps them whole.
    /// <see cref="Vision.AlphaCrop.Default"/> by default: a cut-out's transparent border is not part of the object, and
    /// cropping it makes the object fill the input as in a photo. Images without alpha are never cropped.
    /// </summary>
    public AlphaCrop? AlphaCrop { get; init; } = Vision.AlphaCrop.Default;

    public HeadTrainingOptions Head { get; init; } = new();
}

/// <summary>Progress of a run: a stage and, for embedding extraction, images done of total; for training, the epoch.</summary>
public readonly record struct TransferLearningProgress(string Stage, int Done, int Total, EpochMetrics? Epoch);

/// <summary>Everything a run produced and measured.</summary>
public sealed record TransferLearningResult(
    TrainedHead Head,
    QuantizedHead QuantizedHead,
    IReadOnlyList<int> ImagesPerClass,
    int TrainImages,
    int ValidationImages,
    int HoldoutImages,
    double HoldoutTop1Float,
    double HoldoutTop1Quantized,
    double FloatQuantizedAgreement,
    int EmbeddingsComputed,
    int EmbeddingsFromCache,
    TimeSpan ExtractionTime,
    TimeSpan TrainingTime,
    RgbColor Background,
    AlphaCrop? AlphaCrop)
{
    /// <summary>Embeddings computed per second of extraction (cache hits excluded).</summary>
    public double ImagesPerSecond => EmbeddingsComputed == 0 ? 0 : EmbeddingsComputed / ExtractionTime.TotalSeconds;
}

/// <summary>
/// Retrains the last layer of a base model on a labelled image folder: split each class into held-out and training
/// images (then training into train and validation), compute (or reuse cached) embeddings, train a
/// <see cref="TrainedHead"/>, quantize it, and evaluate float and quantized heads on the held-out images.
/// </summary>
public static class TransferLearning
{
    /// <exception cref="DatasetException">The data folder is missing, has an empty class, or a class with one image.</exception>
    /// <exception cref="TrainingException">The base model has no usable embedding tensor, or an image cannot be read.</exception>
    public static TransferLearningResult Run(TransferLearningOptions options, IProgress<TransferLearningProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = ImageFolderDataset.Load(options.DataFolder);
        var (trainAll, holdout) = data.Split(options.HoldoutFraction, options.Seed);
        var (train, validation) = StratifiedSplit(trainAll, options.ValidationFraction, options.Seed + 1);

        using var extractor = new EmbeddingExtractor(options.BaseModel, options.CutAt);
        var cache = new EmbeddingCache(options.CacheFolder ?? EmbeddingCache.DefaultFolder);
        var augmentRandom = new Random(options.Seed);
        var jobs = new List<(LabeledImage Image, ImageAugmentation View, int Set)>();
        foreach (var image in train)
        {
            foreach (var view in ImageAugmentation.ViewsFor(options.Augment, augmentRandom, options.Flip)) jobs.Add((image, view, 0));
        }
        foreach (var image in validation)
        {
            // The plain view validates; every view (the plain one included) trains the refit head.
            var views = options.RefitOnAll ? ImageAugmentation.ViewsFor(options.Augment, augmentRandom, options.Flip) : [ImageAugmentation.None];
            foreach (var view in views) jobs.Add((image, view, view == ImageAugmentation.None ? 1 : 3));
        }
        jobs.AddRange(holdout.Select(i => (i, ImageAugmentation.None, 2)));

        // Sets: 0 training views, 1 validation (plain), 2 held out, 3 further views of validation images (refit only).
        var features = new[] { new List<float[]>(), new List<float[]>(), new List<float[]>(), new List<float[]>() };
        var labels = new[] { new List<int>(), new List<int>(), new List<int>(), new List<int>() };
        string preprocessing = options.AlphaCrop is { } crop ? $"background {options.Background}, crop {crop}, bilinear" : $"background {options.Background}, bilinear";
        int computed = 0, fromCache = 0;
        var clock = Stopwatch.StartNew();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        RgbImage? decoded = null;
        string? decodedPath = null;
        for (int j = 0; j < jobs.Count; j++)
        {
            var (image, view, set) = jobs[j];
            if (!hashes.TryGetValue(image.Path, out string? imageHash))
            {
                imageHash = ReadHash(image.Path);
                hashes[image.Path] = imageHash;
            }
            var key = new EmbeddingKey(extractor.ModelSha256, $"{extractor.Embedding.TensorIndex}:{extractor.Embedding.TensorName}", imageHash, preprocessing, view.Id);
            if (cache.TryGet(key, extractor.Embedding.Size, out float[] embedding))
            {
                fromCache++;
            }
            else
            {
                if (decodedPath != image.Path)
                {
                    decoded = Decode(image.Path, options.Background, options.AlphaCrop);
                    decodedPath = image.Path;
                }
                embedding = extractor.Extract(view.Apply(decoded!));
                cache.Put(key, embedding);
                computed++;
            }
            features[set].Add(embedding);
            labels[set].Add(image.ClassIndex);
            progress?.Report(new TransferLearningProgress("embeddings", j + 1, jobs.Count, null));
        }
        var extraction = clock.Elapsed;
        var sets = Enumerable.Range(0, 4).Select(s => new EmbeddingSet(features[s], labels[s])).ToArray();

        clock.Restart();
        var head = HeadTrainer.Train(sets[0], sets[1], data.Classes, extractor.Embedding, options.Head,
            progress is null ? null : new SynchronousProgress(progress, options.Head.Epochs));
        var fitted = sets[0];
        if (options.RefitOnAll && sets[1].Count > 0)
        {
            fitted = new EmbeddingSet([.. sets[0].Features, .. sets[1].Features, .. sets[3].Features], [.. sets[0].Labels, .. sets[1].Labels, .. sets[3].Labels]);
            var refit = HeadTrainer.Train(fitted, new EmbeddingSet([], []), data.Classes, extractor.Embedding, options.Head with { Epochs = head.BestEpoch });
            head = refit.WithSelection(head);
        }
        var quantized = head.Quantize(fitted.Features);
        var training = clock.Elapsed;

        int floatCorrect = 0, quantizedCorrect = 0, agree = 0;
        var held = sets[2];
        for (int n = 0; n < held.Count; n++)
        {
            int floatClass = head.Predict(held.Features[n]);
            int quantizedClass = quantized.Predict(quantized.QuantizeInput(held.Features[n]));
            if (floatClass == held.Labels[n]) floatCorrect++;
            if (quantizedClass == held.Labels[n]) quantizedCorrect++;
            if (floatClass == quantizedClass) agree++;
        }
        double Rate(int count) => held.Count == 0 ? double.NaN : (double)count / held.Count;
        var perClass = Enumerable.Range(0, data.Classes.Count).Select(c => data.ImagesOf(c).Count()).ToArray();
        return new TransferLearningResult(head, quantized, perClass, train.Count, validation.Count, holdout.Count,
            Rate(floatCorrect), Rate(quantizedCorrect), Rate(agree), computed, fromCache, extraction, training, options.Background, options.AlphaCrop);
    }

    /// <summary>Per class, <c>round(n · fraction)</c> images chosen by a seeded shuffle go to the second list; a class keeps at least one training image.</summary>
    internal static (List<LabeledImage> Train, List<LabeledImage> Validation) StratifiedSplit(IReadOnlyList<LabeledImage> images, double fraction, int seed)
    {
        var train = new List<LabeledImage>();
        var validation = new List<LabeledImage>();
        foreach (var group in images.GroupBy(i => i.ClassIndex).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            new Random(unchecked((seed * 1_000_003) + group.Key)).Shuffle(members);
            int held = Math.Min((int)Math.Round(members.Length * fraction, MidpointRounding.AwayFromZero), members.Length - 1);
            validation.AddRange(members.Take(held).OrderBy(i => i.Path, StringComparer.Ordinal));
            train.AddRange(members.Skip(held).OrderBy(i => i.Path, StringComparer.Ordinal));
        }
        return (train, validation);
    }

    private static string ReadHash(string path)
    {
        try
        {
            return EmbeddingExtractor.Sha256OfFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainingException($"Cannot read image '{path}': {e.Message}", e);
        }
    }

    private static RgbImage Decode(string path, RgbColor background, AlphaCrop? crop)
    {
        try
        {
            return ImageDecoder.Decode(path, background, crop);
        }
        catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException)
        {
            throw new TrainingException($"Cannot read image '{path}': {e.Message}", e);
        }
    }

    /// <summary>Forwards epoch metrics on the training thread (Progress&lt;T&gt; would post them to a thread pool).</summary>
    private sealed class SynchronousProgress(IProgress<TransferLearningProgress> target, int epochs) : IProgress<EpochMetrics>
    {
        public void Report(EpochMetrics value) => target.Report(new TransferLearningProgress("training", value.Epoch, epochs, value));
    }
}
