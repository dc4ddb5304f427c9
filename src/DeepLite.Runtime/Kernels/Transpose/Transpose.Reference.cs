namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference semantics of TRANSPOSE on row-major data of any element size: output dimension
/// <c>d</c> is input dimension <c>perm[d]</c>, and <c>output[i_0, ..., i_{r-1}] = input[j]</c> where
/// <c>j[perm[d]] = i_d</c>.
/// </summary>
internal static class TransposeReference
{
    /// <summary>The output shape: <c>outputShape[d] = inputShape[perm[d]]</c>.</summary>
    public static int[] OutputShape(ReadOnlySpan<int> inputShape, ReadOnlySpan<int> perm)
    {
        var shape = new int[perm.Length];
        for (int d = 0; d < perm.Length; d++) shape[d] = inputShape[perm[d]];
        return shape;
    }

    /// <summary>
    /// Transposes <paramref name="input"/> (shape <paramref name="inputShape"/>) by <paramref name="perm"/>,
    /// a permutation of [0, rank); <paramref name="elementSize"/> is in bytes.
    /// </summary>
    public static void Transpose(ReadOnlySpan<byte> input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> perm, int elementSize, Span<byte> output)
    {
        int rank = inputShape.Length;
        if (perm.Length != rank) throw new ArgumentException($"perm has {perm.Length} entries for rank {rank}.", nameof(perm));
        if (rank > DataMovement.MaxRank) throw new ArgumentException($"rank {rank} exceeds {DataMovement.MaxRank}.", nameof(inputShape));
        if (input.Length != output.Length) throw new ArgumentException("input and output lengths differ.", nameof(output));
        if (input.IsEmpty) return;

        // For each output dimension: its size, and how far one step along it moves in the input.
        Span<int> inputStrides = stackalloc int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            inputStrides[d] = stride;
            stride *= inputShape[d];
        }
        if (stride * elementSize != input.Length) throw new ArgumentException("input length does not match its shape.", nameof(input));
        Span<int> outputSizes = stackalloc int[rank];
        Span<int> steps = stackalloc int[rank];
        for (int d = 0; d < rank; d++)
        {
            if ((uint)perm[d] >= (uint)rank) throw new ArgumentException($"perm entry {perm[d]} is out of range.", nameof(perm));
            outputSizes[d] = inputShape[perm[d]];
            steps[d] = inputStrides[perm[d]];
        }
        if (rank == 0)
        {
            input.CopyTo(output);
            return;
        }
        int outputElement = 0;
        Gather(input, output, outputSizes, steps, elementSize, 0, 0, ref outputElement);
    }

    /// <summary>Walks the output in row-major order, copying from the input at the matching position.</summary>
    private static void Gather(ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<int> outputSizes, ReadOnlySpan<int> steps, int elementSize,
        int dimension, int inputOffset, ref int outputElement)
    {
        bool innermost = dimension == outputSizes.Length - 1;
        for (int i = 0; i < outputSizes[dimension]; i++)
        {
            int source = inputOffset + (i * steps[dimension]);
            if (innermost)
            {
                input.Slice(source * elementSize, elementSize).CopyTo(output.Slice(outputElement * elementSize, elementSize));
                outputElement++;
            }
            else
            {
                Gather(input, output, outputSizes, steps, elementSize, dimension + 1, source, ref outputElement);
            }
        }
    }
}
