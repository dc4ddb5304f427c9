namespace DeepLite.Toolchain.Training;

/// <summary>
/// A trained classification head for a base model's embedding: <c>logits = Weights · embedding + Bias</c>, then
/// softmax. <see cref="Weights"/> is classes × embedding size (TFLite FULLY_CONNECTED's <c>[units, depth]</c> layout);
/// the embedding is the float (dequantized) value of <see cref="Embedding"/>'s tensor.
/// </summary>
public sealed class TrainedHead
{
    internal TrainedHead(float[,] weights, float[] bias, string[] labels, EmbeddingSpec embedding, IReadOnlyList<EpochMetrics> history, int bestEpoch)
    {
        Weights = weights;
        Bias = bias;
        Labels = labels;
        Embedding = embedding;
        History = history;
        BestEpoch = bestEpoch;
    }

    /// <summary>[class, embedding index].</summary>
    public float[,] Weights { get; }

    /// <summary>One per class.</summary>
    public float[] Bias { get; }

    /// <summary>Class names, in class-index order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The base-model tensor this head reads.</summary>
    public EmbeddingSpec Embedding { get; }

    /// <summary>Metrics of every epoch run (early stopping may end before the configured count).</summary>
    public IReadOnlyList<EpochMetrics> History { get; }

    /// <summary>The epoch whose weights were kept (lowest validation loss).</summary>
    public int BestEpoch { get; }

    public int ClassCount => Bias.Length;

    /// <summary>
    /// True when these weights were trained afresh on training plus validation embeddings for <see cref="BestEpoch"/>
    /// epochs after early stopping chose that count; <see cref="History"/> is then the early-stopping run's.
    /// </summary>
    public bool Refit { get; private init; }

    /// <summary>This head's weights with <paramref name="selection"/>'s history and best epoch, marked <see cref="Refit"/>.</summary>
    internal TrainedHead WithSelection(TrainedHead selection) =>
        new(Weights, Bias, [.. Labels], Embedding, selection.History, selection.BestEpoch) { Refit = true };

    /// <summary>Float logits of one embedding.</summary>
    public float[] Logits(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Embedding.Size) throw new ArgumentException($"The embedding has {embedding.Length} values; the head takes {Embedding.Size}.", nameof(embedding));
        var logits = new float[ClassCount];
        var flat = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref Weights[0, 0], Weights.Length);
        ComputeLogits(flat, Bias, embedding, logits);
        return logits;
    }

    /// <summary>The class with the highest logit (the lowest index among ties).</summary>
    public int Predict(ReadOnlySpan<float> embedding) => ArgMax(Logits(embedding));

    /// <summary>Softmax probabilities of one embedding.</summary>
    public float[] Probabilities(ReadOnlySpan<float> embedding)
    {
        var logits = Logits(embedding);
        float max = logits.Max();
        double sum = logits.Sum(v => Math.Exp(v - max));
        return logits.Select(v => (float)(Math.Exp(v - max) / sum)).ToArray();
    }

    /// <summary>
    /// The uint8 head for a TFLite FULLY_CONNECTED + SOFTMAX: weights per-tensor asymmetric over their range (with 0),
    /// int32 bias at <c>inputScale · weightScale</c>, input quantization from <see cref="Embedding"/> (uint8 as is, int8
    /// shifted by 128) or, for a float embedding, from the range of <paramref name="calibration"/>, and output (logit)
    /// quantization from the range of the float logits on <paramref name="calibration"/> (with 0).
    /// </summary>
    public QuantizedHead Quantize(IReadOnlyList<float[]> calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        if (calibration.Count == 0) throw new ArgumentException("Quantizing the head needs at least one calibration embedding.", nameof(calibration));
        var input = Embedding.Quantization switch
        {
            { } q when Embedding.Type == Runtime.TensorType.Int8 => q with { ZeroPoint = q.ZeroPoint + 128 },
            { } q => q,
            null => QuantizedHead.RangeQuantization(calibration.Min(e => e.Min()), calibration.Max(e => e.Max())),
        };
        var weights = QuantizedHead.RangeQuantization(Weights.Cast<float>().Min(), Weights.Cast<float>().Max());
        float biasScale = input.Scale * weights.Scale;
        int classes = ClassCount, size = Embedding.Size;
        var quantizedWeights = new byte[classes, size];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < size; i++) quantizedWeights[c, i] = QuantizedHead.QuantizeU8(Weights[c, i], weights);
        }
        var quantizedBias = Bias.Select(b => (int)Math.Clamp(Math.Round((double)b / biasScale, MidpointRounding.ToEven), int.MinValue, int.MaxValue)).ToArray();
        float low = 0, high = 0;
        foreach (var embedding in calibration)
        {
            foreach (float logit in Logits(embedding))
            {
                low = Math.Min(low, logit);
                high = Math.Max(high, logit);
            }
        }
        var output = QuantizedHead.RangeQuantization(low, high);
        return new QuantizedHead(quantizedWeights, weights, quantizedBias, biasScale, input, output);
    }

    internal static void ComputeLogits(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> logits)
    {
        int size = x.Length;
        for (int c = 0; c < logits.Length; c++)
        {
            var row = weights.Slice(c * size, size);
            float sum = bias[c];
            for (int i = 0; i < size; i++) sum += row[i] * x[i];
            logits[c] = sum;
        }
    }

    internal static int ArgMax<T>(ReadOnlySpan<T> values) where T : IComparable<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i].CompareTo(values[best]) > 0) best = i;
        }
        return best;
    }

    internal static int ArgMax(float[] values) => ArgMax<float>(values);
}
