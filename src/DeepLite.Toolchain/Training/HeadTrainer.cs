using DeepLite.Modeling.Training;

namespace DeepLite.Toolchain.Training;

/// <summary>How the head's weights are updated from each mini-batch gradient.</summary>
public enum HeadOptimizer
{
    /// <summary>Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected).</summary>
    Adam,

    /// <summary>Plain stochastic gradient descent: <c>w -= learningRate · g</c>.</summary>
    Sgd,
}

/// <summary>Settings of <see cref="HeadTrainer.Train"/>.</summary>
public sealed record HeadTrainingOptions
{
    public HeadOptimizer Optimizer { get; init; } = HeadOptimizer.Adam;

    /// <summary>Step size; null means 0.003 for Adam and 0.05 for SGD.</summary>
    public float? LearningRate { get; init; }

    /// <summary>Most passes over the training embeddings.</summary>
    public int Epochs { get; init; } = 200;

    public int BatchSize { get; init; } = 32;

    /// <summary>L2 penalty <c>λ/2 · ‖W‖²</c> on the weights (not the bias), added to the gradient as <c>λ · W</c>.</summary>
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Seeds the initial weights and the batch order: the same seed and data give bit-identical weights.</summary>
    public int Seed { get; init; }

    /// <summary>Stop after this many epochs without a lower validation loss; the best epoch's weights are kept.</summary>
    public int Patience { get; init; } = 20;

    /// <summary>Weight each example's loss by <c>N / (classes · n_class)</c>, so small classes count as much as large ones.</summary>
    public bool ClassBalanced { get; init; } = true;
}

/// <summary>Embeddings and their class indices.</summary>
public sealed record EmbeddingSet(IReadOnlyList<float[]> Features, IReadOnlyList<int> Labels)
{
    public int Count => Features.Count;
}

/// <summary>Loss and accuracy after one epoch (validation values are NaN without a validation set).</summary>
public readonly record struct EpochMetrics(int Epoch, double TrainLoss, double ValidationLoss, double ValidationAccuracy);

/// <summary>
/// Trains a fully connected layer with softmax (multinomial logistic regression) on embeddings by mini-batch
/// gradient descent on the mean cross-entropy. Single-threaded with a fixed summation order, so results are
/// reproducible bit for bit from <see cref="HeadTrainingOptions.Seed"/>.
/// </summary>
public static class HeadTrainer
{
    /// <summary>
    /// Trains on <paramref name="train"/>; after each epoch computes the loss on <paramref name="validation"/> (may be
    /// empty: then every epoch runs and the last weights are kept) for early stopping. <paramref name="progress"/>
    /// receives each epoch's metrics.
    /// </summary>
    public static TrainedHead Train(EmbeddingSet train, EmbeddingSet validation, IReadOnlyList<string> labels, EmbeddingSpec embedding,
        HeadTrainingOptions options, IProgress<EpochMetrics>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Patience, 1);
        if (train.Count == 0) throw new TrainingException("No training embeddings.");
        int classes = labels.Count, size = embedding.Size;
        if (classes < 2) throw new TrainingException("Training a classifier needs at least 2 classes.");
        foreach (var (set, name) in new[] { (train, "training"), (validation, "validation") })
        {
            for (int i = 0; i < set.Count; i++)
            {
                if (set.Features[i].Length != size) throw new ArgumentException($"A {name} embedding has {set.Features[i].Length} values, not {size}.");
                if ((uint)set.Labels[i] >= (uint)classes) throw new ArgumentException($"A {name} label {set.Labels[i]} is not a class index below {classes}.");
            }
        }

        var random = new Random(options.Seed);
        var weights = new float[classes * size];
        var bias = new float[classes];
        float limit = MathF.Sqrt(6f / (size + classes));
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)((random.NextDouble() * 2) - 1) * limit * 0.1f;

        var exampleWeight = ExampleWeights(train, classes, options.ClassBalanced);
        float rate = options.LearningRate ?? (options.Optimizer == HeadOptimizer.Adam ? 0.003f : 0.05f);
        var optimizer = options.Optimizer == HeadOptimizer.Adam
            ? GradientDescent.Adam(rate, weights.Length + bias.Length)
            : GradientDescent.Sgd(rate);
        var gradient = new float[weights.Length + bias.Length];
        var logits = new float[classes];
        var order = Enumerable.Range(0, train.Count).ToArray();
        var history = new List<EpochMetrics>();
        float[] bestWeights = (float[])weights.Clone(), bestBias = (float[])bias.Clone();
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(order);
            double epochLoss = 0, epochWeight = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                int end = Math.Min(start + options.BatchSize, order.Length);
                Array.Clear(gradient);
                float batchWeight = 0;
                for (int b = start; b < end; b++)
                {
                    int n = order[b];
                    var x = train.Features[n];
                    float w = exampleWeight[n];
                    TrainedHead.ComputeLogits(weights, bias, x, logits);
                    epochLoss += w * SoftmaxCrossEntropy.SoftmaxInPlace(logits, train.Labels[n]);
                    batchWeight += w;
                    // d(loss)/d(logit_c) = p_c - [c == label], scaled by the example weight.
                    for (int c = 0; c < classes; c++)
                    {
                        float delta = w * (logits[c] - (c == train.Labels[n] ? 1f : 0f));
                        var row = gradient.AsSpan(c * size, size);
                        for (int i = 0; i < size; i++) row[i] += delta * x[i];
                        gradient[weights.Length + c] += delta;
                    }
                }
                epochWeight += batchWeight;
                float inverse = 1f / batchWeight;
                for (int i = 0; i < weights.Length; i++) gradient[i] = (gradient[i] * inverse) + (options.WeightDecay * weights[i]);
                for (int c = 0; c < classes; c++) gradient[weights.Length + c] *= inverse;
                optimizer.Step(weights, bias, gradient);
            }

            var (validationLoss, validationAccuracy) = Evaluate(weights, bias, validation, classes);
            var metrics = new EpochMetrics(epoch, epochLoss / epochWeight, validationLoss, validationAccuracy);
            history.Add(metrics);
            progress?.Report(metrics);
            double criterion = validation.Count > 0 ? validationLoss : metrics.TrainLoss;
            if (validation.Count == 0 || criterion < bestLoss)
            {
                bestLoss = criterion;
                bestEpoch = epoch;
                sinceBest = 0;
                weights.CopyTo(bestWeights, 0);
                bias.CopyTo(bestBias, 0);
            }
            else if (++sinceBest >= options.Patience)
            {
                break;
            }
        }

        var matrix = new float[classes, size];
        Buffer.BlockCopy(bestWeights, 0, matrix, 0, bestWeights.Length * sizeof(float));
        return new TrainedHead(matrix, bestBias, labels.ToArray(), embedding, history, bestEpoch);
    }

    private static float[] ExampleWeights(EmbeddingSet train, int classes, bool balanced)
    {
        var counts = new int[classes];
        foreach (int label in train.Labels) counts[label]++;
        var result = new float[train.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = balanced ? (float)train.Count / (classes * counts[train.Labels[i]]) : 1f;
        }
        return result;
    }

    private static (double Loss, double Accuracy) Evaluate(float[] weights, float[] bias, EmbeddingSet set, int classes)
    {
        if (set.Count == 0) return (double.NaN, double.NaN);
        var logits = new float[classes];
        double loss = 0;
        int correct = 0;
        for (int n = 0; n < set.Count; n++)
        {
            TrainedHead.ComputeLogits(weights, bias, set.Features[n], logits);
            if (TrainedHead.ArgMax(logits) == set.Labels[n]) correct++;
            loss += SoftmaxCrossEntropy.SoftmaxInPlace(logits, set.Labels[n]);
        }
        return (loss / set.Count, (double)correct / set.Count);
    }
}
