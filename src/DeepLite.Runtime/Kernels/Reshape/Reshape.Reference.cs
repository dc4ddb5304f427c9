namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference semantics of RESHAPE and SQUEEZE. Both keep the elements in their row-major order, so
/// the data is copied unchanged; only the shape differs.
/// </summary>
internal static class ReshapeReference
{
    /// <summary><c>output[i] = input[i]</c> for every byte; the lengths must be equal. Overlap is allowed.</summary>
    public static void Copy(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length != output.Length) throw new ArgumentException($"input has {input.Length} bytes but output has {output.Length}.", nameof(output));
        input.CopyTo(output);
    }

    /// <summary>
    /// The shape RESHAPE produces for a requested shape: every entry is kept, except that one -1
    /// entry is inferred as <paramref name="elementCount"/> divided by the product of the others.
    /// Returns null with a reason when no shape with exactly <paramref name="elementCount"/> elements
    /// matches (a second -1, another negative entry, or a product that does not divide).
    /// </summary>
    public static int[]? ResolveShape(ReadOnlySpan<int> requested, long elementCount, out string error)
    {
        error = "";
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < requested.Length; i++)
        {
            int d = requested[i];
            if (d == -1)
            {
                if (inferred >= 0)
                {
                    error = "has more than one -1 dimension";
                    return null;
                }
                inferred = i;
            }
            else if (d < 0)
            {
                error = $"has a negative dimension {d}";
                return null;
            }
            else
            {
                known *= d;
                if (known > int.MaxValue)
                {
                    error = "is too large";
                    return null;
                }
            }
        }

        var shape = requested.ToArray();
        if (inferred >= 0)
        {
            if (known == 0 || elementCount % known != 0)
            {
                error = $"cannot infer its -1 dimension: {elementCount} elements are not a multiple of {known}";
                return null;
            }
            shape[inferred] = (int)(elementCount / known);
            known = elementCount;
        }
        if (known != elementCount)
        {
            error = $"has {known} elements but the input has {elementCount}";
            return null;
        }
        return shape;
    }

    /// <summary>
    /// SQUEEZE's output shape: <paramref name="inputShape"/> without the listed axes (each in
    /// [0, rank) and of size 1), or without every size-1 axis when <paramref name="axes"/> is empty.
    /// </summary>
    public static int[] SqueezeShape(ReadOnlySpan<int> inputShape, ReadOnlySpan<int> axes)
    {
        var shape = new List<int>(inputShape.Length);
        for (int i = 0; i < inputShape.Length; i++)
        {
            bool drop = axes.IsEmpty ? inputShape[i] == 1 : axes.Contains(i);
            if (!drop) shape.Add(inputShape[i]);
        }
        return [.. shape];
    }
}
