namespace DeepLite.Vision;

/// <summary>The highest scores of a score vector.</summary>
public static class TopK
{
    /// <summary>
    /// The <paramref name="k"/> highest scores (fewer when there are fewer scores) as (index, score),
    /// highest first; equal scores in ascending index order; NaN ranks below every number.
    /// </summary>
    public static (int Index, float Score)[] Compute(ReadOnlySpan<float> scores, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        int count = Math.Min(k, scores.Length);
        if (count == 0) return [];

        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var values = scores.ToArray();
        Array.Sort(order, (left, right) => Compare(values, left, right));

        var result = new (int Index, float Score)[count];
        for (int i = 0; i < count; i++) result[i] = (order[i], values[order[i]]);
        return result;
    }

    /// <summary>Negative when index <paramref name="left"/> ranks before <paramref name="right"/>.</summary>
    private static int Compare(float[] values, int left, int right)
    {
        float a = values[left], b = values[right];
        bool aIsNaN = float.IsNaN(a), bIsNaN = float.IsNaN(b);
        if (aIsNaN != bIsNaN) return aIsNaN ? 1 : -1;
        if (!aIsNaN && a != b) return a > b ? -1 : 1;
        return left.CompareTo(right);
    }
}
