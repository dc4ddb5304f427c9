namespace DeepLite.Runtime.Kernels;

/// <summary>How MIRROR_PAD mirrors; values equal the schema's <c>MirrorPadMode</c>.</summary>
public enum MirrorPadMode : byte
{
    /// <summary>Mirror without repeating the edge: [a b c] padded by 2 → [c b a b c b a].</summary>
    Reflect = 0,

    /// <summary>Mirror repeating the edge: [a b c] padded by 2 → [b a a b c c b].</summary>
    Symmetric = 1,
}

/// <summary>
/// Reference semantics of MIRROR_PAD on row-major data of any element size. Output shape is
/// <c>before[d] + inputShape[d] + after[d]</c>; along each dimension, output index
/// <c>o</c> reads input index <see cref="SourceIndex"/>(<c>o - before[d]</c>).
/// Counts must be at most <c>inputShape[d] - 1</c> (REFLECT) or <c>inputShape[d]</c> (SYMMETRIC).
/// </summary>
internal static class MirrorPadReference
{
    /// <summary>
    /// The input index that position <paramref name="position"/> (relative to the first input
    /// element; negative in the leading padding) copies. REFLECT: <c>-p</c> before the start and
    /// <c>2(n-1) - p</c> after the end; SYMMETRIC: <c>-p - 1</c> and <c>2n - 1 - p</c>.
    /// </summary>
    public static int SourceIndex(int position, int size, MirrorPadMode mode)
    {
        int offset = mode == MirrorPadMode.Reflect ? 1 : 0;
        if (position < 0) return -position - 1 + offset;
        if (position >= size) return (2 * size) - 1 - offset - position;
        return position;
    }

    /// <summary>Mirror-pads <paramref name="input"/> into <paramref name="output"/>; <paramref name="elementSize"/> is in bytes.</summary>
    public static void MirrorPad(ReadOnlySpan<byte> input, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> before, ReadOnlySpan<int> after,
        MirrorPadMode mode, int elementSize, Span<byte> output)
    {
        int rank = inputShape.Length;
        if (before.Length != rank || after.Length != rank) throw new ArgumentException("one padding pair per dimension is required.", nameof(before));
        if (rank > DataMovement.MaxRank) throw new ArgumentException($"rank {rank} exceeds {DataMovement.MaxRank}.", nameof(inputShape));

        int limitOffset = mode == MirrorPadMode.Reflect ? 1 : 0;
        Span<int> inputStrides = stackalloc int[rank];
        long inputCount = 1;
        long outputCount = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            if (before[d] < 0 || after[d] < 0 || Math.Max(before[d], after[d]) > Math.Max(0, inputShape[d] - limitOffset))
            {
                throw new ArgumentException($"paddings ({before[d]}, {after[d]}) are invalid for size {inputShape[d]} in {mode} mode.", nameof(before));
            }
            inputStrides[d] = (int)inputCount;
            inputCount *= inputShape[d];
            outputCount *= (long)before[d] + inputShape[d] + after[d];
        }
        if (input.Length != inputCount * elementSize || output.Length != outputCount * elementSize)
        {
            throw new ArgumentException("input or output length does not match the shapes.", nameof(output));
        }
        if (outputCount == 0) return;
        if (rank == 0)
        {
            input.CopyTo(output);
            return;
        }
        int written = CopyDimension(input, output, inputShape, before, after, inputStrides, mode, elementSize, 0, 0, 0);
        System.Diagnostics.Debug.Assert(written == output.Length);
    }

    /// <summary>Writes the output block of <paramref name="dimension"/> starting at byte <paramref name="outputByte"/>; returns the bytes written.</summary>
    private static int CopyDimension(ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> before, ReadOnlySpan<int> after,
        ReadOnlySpan<int> inputStrides, MirrorPadMode mode, int elementSize, int dimension, int inputOffset, int outputByte)
    {
        int size = inputShape[dimension];
        int start = outputByte;
        bool innermost = dimension == inputShape.Length - 1;
        for (int position = -before[dimension]; position < size + after[dimension]; position++)
        {
            int source = inputOffset + (SourceIndex(position, size, mode) * inputStrides[dimension]);
            if (innermost)
            {
                input.Slice(source * elementSize, elementSize).CopyTo(output.Slice(outputByte, elementSize));
                outputByte += elementSize;
            }
            else
            {
                outputByte += CopyDimension(input, output, inputShape, before, after, inputStrides, mode, elementSize, dimension + 1, source, outputByte);
            }
        }
        return outputByte - start;
    }
}
