namespace DeepLite.Client.Learning;

/// <summary>
/// The float weights of a classifier's last layer, <c>logits = W·e + b</c>, with <c>W</c> stored row by row
/// (<see cref="Classes"/> rows of <see cref="Depth"/> values, row c = class c).
/// </summary>
public sealed class ClassifierHead
{
    public ClassifierHead(float[] weights, float[] bias, int depth)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        if (weights.Length != bias.Length * depth)
        {
            throw new ArgumentException($"{weights.Length} weights do not make {bias.Length} rows of {depth}.", nameof(weights));
        }
        Weights = weights;
        Bias = bias;
        Depth = depth;
    }

    public float[] Weights { get; }
    public float[] Bias { get; }
    public int Depth { get; }
    public int Classes => Bias.Length;

    public ReadOnlySpan<float> Row(int c) => Weights.AsSpan(c * Depth, Depth);

    /// <summary><c>W·e + b</c> for one embedding.</summary>
    public float[] Logits(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Depth) throw new ArgumentException($"Embedding has {embedding.Length} values; the head expects {Depth}.", nameof(embedding));
        var logits = new float[Classes];
        for (int c = 0; c < Classes; c++) logits[c] = Dot(Row(c), embedding) + Bias[c];
        return logits;
    }

    /// <summary>Σ a[i]·b[i] over equal-length spans, accumulated in double.</summary>
    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return (float)sum;
    }
}

/// <summary>
/// Weight imprinting: a class learned from a handful of embeddings without retraining, and without changing any
/// existing class's weights (so nothing already learned is forgotten).
/// </summary>
/// <remarks>
/// <para><b>New class.</b> Each example embedding is scaled to unit length and the scaled examples are averaged into
/// a prototype <c>p</c>. The new row is <c>w = r · p / |p|</c>, where <c>r</c> is the mean length of the existing rows,
/// so the new class's logits have the same scale as the others. Its bias starts at the mean existing bias and is
/// raised, when needed, until every example scores the new class at least <see cref="Margin"/> above its best
/// existing class: <c>b = max(mean(b_old), max_i(max_c(w_c·e_i + b_c) − w·e_i) + Margin)</c>.</para>
/// <para><b>More examples of an existing class.</b> The row's direction moves toward the new examples' prototype,
/// weighted by how many examples each side represents (<c>existingWeight</c> for the row), and keeps its length;
/// the bias is unchanged.</para>
/// </remarks>
public static class WeightImprinting
{
    /// <summary>Logit margin by which the examples of an imprinted class must beat every existing class.</summary>
    public const float Margin = 0.5f;

    /// <summary>Returns a head with one more class (the last row) imprinted from <paramref name="examples"/>.</summary>
    /// <param name="head">The existing classes; unchanged.</param>
    /// <param name="examples">Embeddings of the new class.</param>
    /// <param name="imprintWeight">
    /// 1: the row is the pure imprinted prototype. Below 1: the row (and starting bias) is
    /// <c>imprintWeight · imprinted + (1 − imprintWeight) · Σ_c α_c W_c</c>, where <c>α</c> is the examples' mean softmax
    /// over the existing classes. The mixture part scores any input at most as high as its best existing class (a convex
    /// combination of logits), so lower weights trade the new direction for less interference with existing classes.
    /// </param>
    public static ClassifierHead AddClass(ClassifierHead head, IReadOnlyList<float[]> examples, float imprintWeight = 1)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentOutOfRangeException.ThrowIfNegative(imprintWeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(imprintWeight, 1);
        var prototype = Prototype(examples, head.Depth);
        float rowLength = 0;
        for (int c = 0; c < head.Classes; c++) rowLength += Length(head.Row(c));
        rowLength = head.Classes == 0 ? 1 : rowLength / head.Classes;
        var row = prototype.Select(v => v * rowLength).ToArray();

        float bias = head.Classes == 0 ? 0 : head.Bias.Average();
        if (head.Classes > 0 && imprintWeight < 1)
        {
            var alpha = new double[head.Classes];
            foreach (var e in examples)
            {
                var logits = head.Logits(e);
                float max = logits.Max();
                double sum = logits.Sum(l => Math.Exp(l - max));
                for (int c = 0; c < alpha.Length; c++) alpha[c] += Math.Exp(logits[c] - max) / sum / examples.Count;
            }
            var mixture = new double[head.Depth];
            double mixtureBias = 0;
            for (int c = 0; c < alpha.Length; c++)
            {
                var w = head.Row(c);
                for (int i = 0; i < mixture.Length; i++) mixture[i] += alpha[c] * w[i];
                mixtureBias += alpha[c] * head.Bias[c];
            }
            for (int i = 0; i < row.Length; i++) row[i] = (float)((imprintWeight * row[i]) + ((1 - imprintWeight) * mixture[i]));
            bias = (float)((imprintWeight * bias) + ((1 - imprintWeight) * mixtureBias));
        }
        if (head.Classes > 0)
        {
            foreach (var e in examples)
            {
                float best = head.Logits(e).Max();
                bias = Math.Max(bias, best - ClassifierHead.Dot(row, e) + Margin);
            }
        }
        return new ClassifierHead([.. head.Weights, .. row], [.. head.Bias, bias], head.Depth);
    }

    /// <summary>
    /// Returns a head whose row <paramref name="classIndex"/> has turned toward <paramref name="examples"/>; the row
    /// counts as <paramref name="existingWeight"/> examples (e.g. the number it was trained or imprinted from).
    /// </summary>
    public static ClassifierHead AddExamples(ClassifierHead head, int classIndex, IReadOnlyList<float[]> examples, int existingWeight)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, head.Classes);
        ArgumentOutOfRangeException.ThrowIfLessThan(existingWeight, 1);
        var prototype = Prototype(examples, head.Depth);
        var old = head.Row(classIndex);
        float length = Length(old);
        var mixed = new float[head.Depth];
        for (int i = 0; i < mixed.Length; i++) mixed[i] = (existingWeight * old[i] / length) + (examples.Count * prototype[i]);
        float mixedLength = Length(mixed);
        var weights = (float[])head.Weights.Clone();
        for (int i = 0; i < mixed.Length; i++) weights[(classIndex * head.Depth) + i] = mixed[i] / mixedLength * length;
        return new ClassifierHead(weights, (float[])head.Bias.Clone(), head.Depth);
    }

    /// <summary>The unit-length mean direction of the unit-length examples.</summary>
    private static float[] Prototype(IReadOnlyList<float[]> examples, int depth)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("At least one example embedding is needed.", nameof(examples));
        var sum = new float[depth];
        foreach (var e in examples)
        {
            if (e.Length != depth) throw new ArgumentException($"An example has {e.Length} values; the head expects {depth}.", nameof(examples));
            float length = Length(e);
            if (length == 0 || !float.IsFinite(length)) throw new ArgumentException("An example embedding is all zeros or not finite.", nameof(examples));
            for (int i = 0; i < depth; i++) sum[i] += e[i] / length;
        }
        float sumLength = Length(sum);
        if (sumLength == 0) throw new ArgumentException("The examples cancel out: their mean direction is zero.", nameof(examples));
        for (int i = 0; i < depth; i++) sum[i] /= sumLength;
        return sum;
    }

    private static float Length(ReadOnlySpan<float> v) => MathF.Sqrt(ClassifierHead.Dot(v, v));
}
