namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference semantics of PAD on row-major data of any element size: the output has shape
/// <c>before[d] + inputShape[d] + after[d]</c>; <c>output[before + i] = input[i]</c> for every input
/// index <c>i</c>, and every other output element equals the pad element.
/// </summary>
internal static class PadReference
{
    /// <summary>
    /// Pads <paramref name="input"/> (shape <paramref name="inputShape"/>) into <paramref name="output"/>.
    /// The element size in bytes is <c>padElement.Length</c>; padding counts are non-negative.
    /// </summary>
    public static void Pad(ReadOnlySpan<byte> input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> before, ReadOnlySpan<int> after,
        ReadOnlySpan<byte> padElement, Span<byte> output)
    {
        int rank = inputShape.Length;
        int elementSize = padElement.Length;
        if (before.Length != rank || after.Length != rank) throw new ArgumentException("one padding pair per dimension is required.", nameof(before));
        if (rank > DataMovement.MaxRank) throw new ArgumentException($"rank {rank} exceeds {DataMovement.MaxRank}.", nameof(inputShape));

        Span<int> inputStrides = stackalloc int[rank];
        Span<int> outputStrides = stackalloc int[rank];
        long inputCount = 1;
        long outputCount = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            inputStrides[d] = (int)inputCount;
            outputStrides[d] = (int)outputCount;
            inputCount *= inputShape[d];
            outputCount *= (long)before[d] + inputShape[d] + after[d];
        }
        if (input.Length != inputCount * elementSize || output.Length != outputCount * elementSize)
        {
            throw new ArgumentException("input or output length does not match the shapes.", nameof(output));
        }

        Fill(output, padElement);
        if (inputCount == 0) return;
        if (rank == 0)
        {
            input.CopyTo(output);
            return;
        }
        CopyInterior(input, output, inputShape, before, inputStrides, outputStrides, elementSize, 0, 0, 0);
    }

    /// <summary>Sets every element of <paramref name="output"/> to <paramref name="element"/>.</summary>
    public static void Fill(Span<byte> output, ReadOnlySpan<byte> element)
    {
        if (element.Length == 1 || !element.ContainsAnyExcept((byte)0))
        {
            output.Fill(element.IsEmpty ? (byte)0 : element[0]);
            return;
        }
        for (int offset = 0; offset < output.Length; offset += element.Length)
        {
            element.CopyTo(output.Slice(offset, element.Length));
        }
    }

    private static void CopyInterior(ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> before,
        ReadOnlySpan<int> inputStrides, ReadOnlySpan<int> outputStrides, int elementSize, int dimension, int inputOffset, int outputOffset)
    {
        int outputStart = outputOffset + (before[dimension] * outputStrides[dimension]);
        if (dimension == inputShape.Length - 1)
        {
            int bytes = inputShape[dimension] * elementSize;
            input.Slice(inputOffset * elementSize, bytes).CopyTo(output.Slice(outputStart * elementSize, bytes));
            return;
        }
        for (int i = 0; i < inputShape[dimension]; i++)
        {
            CopyInterior(input, output, inputShape, before, inputStrides, outputStrides, elementSize, dimension + 1,
                inputOffset + (i * inputStrides[dimension]), outputStart + (i * outputStrides[dimension]));
        }
    }
}
