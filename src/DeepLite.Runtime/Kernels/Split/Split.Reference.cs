namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference semantics of SPLIT on row-major data of any element size. With the input shape split
/// at the axis into outer dimensions (count <c>outerCount</c>) and a block of <c>inputBlock</c>
/// elements (the axis and everything after it), part <c>p</c> of <c>n</c> equal parts takes, from
/// every block, the <c>partBlock = inputBlock / n</c> elements starting at <c>p * partBlock</c>.
/// </summary>
internal static class SplitReference
{
    /// <summary>
    /// Copies part <paramref name="part"/> of the input into <paramref name="output"/>: for k in
    /// [0, outerCount), <c>output[k * partBlock + j] = input[k * inputBlock + part * partBlock + j]</c>.
    /// Sizes are in elements; <paramref name="elementSize"/> is in bytes.
    /// </summary>
    public static void CopyPart(ReadOnlySpan<byte> input, Span<byte> output, int outerCount, int inputBlock, int partBlock, int part, int elementSize)
    {
        int partBytes = partBlock * elementSize;
        for (int k = 0; k < outerCount; k++)
        {
            input.Slice(((k * inputBlock) + (part * partBlock)) * elementSize, partBytes).CopyTo(output.Slice(k * partBytes, partBytes));
        }
    }
}
