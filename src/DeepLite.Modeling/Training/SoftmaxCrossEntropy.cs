namespace DeepLite.Modeling.Training;

/// <summary>
/// Softmax and its cross-entropy, the loss of a softmax classifier. The largest logit is subtracted before
/// exponentiating and the sums are taken in double, so any finite logits give finite probabilities and loss.
/// </summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>Replaces <paramref name="logits"/> by softmax probabilities; a logit of −∞ gets probability 0.</summary>
    public static void SoftmaxInPlace(Span<float> logits)
    {
        var (max, sum) = MaxAndSum(logits);
        Normalize(logits, max, sum);
    }

    /// <summary>Replaces <paramref name="logits"/> by softmax probabilities and returns <c>−log p[label]</c>. The loss's
    /// gradient with respect to logit <c>c</c> is <c>p[c] − [c == label]</c>.</summary>
    public static double SoftmaxInPlace(Span<float> logits, int label)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, logits.Length);
        var (max, sum) = MaxAndSum(logits);
        double loss = Math.Log(sum) - (logits[label] - max);
        Normalize(logits, max, sum);
        return loss;
    }

    /// <summary>Replaces <paramref name="logits"/> by softmax probabilities and returns <c>−Σ_c target[c] · log p[c]</c>.
    /// When the targets sum to 1 the loss's gradient with respect to logit <c>c</c> is <c>p[c] − target[c]</c>.</summary>
    public static double SoftmaxInPlace(Span<float> logits, ReadOnlySpan<float> target)
    {
        if (target.Length != logits.Length) throw new ArgumentException($"{target.Length} targets for {logits.Length} logits.", nameof(target));
        var (max, sum) = MaxAndSum(logits);
        double logSum = Math.Log(sum), loss = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            if (target[c] != 0) loss += target[c] * (logSum - (logits[c] - max));
        }
        Normalize(logits, max, sum);
        return loss;
    }

    private static (float Max, double Sum) MaxAndSum(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = MathF.Max(max, v);
        double sum = 0;
        for (int c = 0; c < logits.Length; c++) sum += Math.Exp(logits[c] - max);
        return (max, sum);
    }

    private static void Normalize(Span<float> logits, float max, double sum)
    {
        for (int c = 0; c < logits.Length; c++) logits[c] = (float)(Math.Exp(logits[c] - max) / sum);
    }
}
