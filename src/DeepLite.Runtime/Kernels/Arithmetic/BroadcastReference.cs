namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Plain broadcasting for reference kernels: every output element is visited in row-major order, its
/// multi-index is decomposed, and each operand is read at that index with broadcast (extent-1) dimensions
/// pinned to 0. Slow and obviously correct; the specification that <see cref="BroadcastPlan"/> must match.
/// </summary>
internal static class BroadcastReference
{
    /// <summary>The broadcast shape of two shapes (NumPy rules), or throws <see cref="ArgumentException"/>.</summary>
    public static int[] OutputShape(ReadOnlySpan<int> shapeA, ReadOnlySpan<int> shapeB)
    {
        int rank = Math.Max(shapeA.Length, shapeB.Length);
        var output = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int a = Extended(shapeA, d, rank), b = Extended(shapeB, d, rank);
            output[d] = a == b || b == 1 ? a : a == 1 ? b : throw new ArgumentException($"Dimension {d}: {a} and {b} cannot be broadcast.");
        }
        return output;
    }

    /// <summary><c>output[i] = f(a[index of i in A], b[index of i in B])</c> over the broadcast shape.</summary>
    public static void Apply<T>(ReadOnlySpan<int> shapeA, ReadOnlySpan<T> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<T> b, Span<T> output, Func<T, T, T> f)
    {
        int[] shape = OutputShape(shapeA, shapeB);
        int rank = shape.Length;
        int count = 1;
        foreach (int d in shape) count *= d;
        if (output.Length != count) throw new ArgumentException($"Output holds {output.Length} elements, the broadcast shape {count}.");
        var index = new int[rank];
        for (int i = 0; i < count; i++)
        {
            int rest = i;
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
            output[i] = f(a[Offset(shapeA, index)], b[Offset(shapeB, index)]);
        }
    }

    /// <summary>Row-major offset of the broadcast multi-index <paramref name="index"/> in an operand of <paramref name="shape"/>.</summary>
    private static int Offset(ReadOnlySpan<int> shape, int[] index)
    {
        int offset = 0;
        int skip = index.Length - shape.Length;
        for (int d = 0; d < shape.Length; d++)
        {
            int i = shape[d] == 1 ? 0 : index[skip + d];
            offset = (offset * shape[d]) + i;
        }
        return offset;
    }

    private static int Extended(ReadOnlySpan<int> shape, int d, int rank)
    {
        int index = d - (rank - shape.Length);
        return index < 0 ? 1 : shape[index];
    }
}
