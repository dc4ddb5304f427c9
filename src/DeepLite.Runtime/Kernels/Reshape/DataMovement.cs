namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Prepare-time checks shared by the operators that only move data (reshape, squeeze, pad,
/// mirror pad, transpose, strided slice, split, concatenation, resizes). They work on raw bytes,
/// so any element type with a fixed size is accepted.
/// </summary>
internal static class DataMovement
{
    /// <summary>Largest rank the data-movement kernels accept (TFLite's kernels stop at 5 or 6).</summary>
    public const int MaxRank = 8;

    /// <summary>Bytes per element of <paramref name="tensor"/>; unsupported for types without a fixed size (string, int4, ...).</summary>
    public static int ElementSize(KernelContext context, Tensor tensor, string role)
    {
        int size = tensor.Type.ElementSize();
        if (size <= 0) throw context.Unsupported($"{role} '{tensor.Name}' has type {tensor.Type.Name()}, which has no fixed element size.");
        return size;
    }

    /// <summary>
    /// The checks every data-movement kernel makes on its data input and output: a fixed element
    /// size, the same type and quantization, and a rank of at most <paramref name="maxRank"/>.
    /// Returns the element size in bytes.
    /// </summary>
    public static int CheckMove(KernelContext context, Tensor input, Tensor output, int maxRank = MaxRank)
    {
        int elementSize = ElementSize(context, input, "input");
        ExpectSameTypeAndQuantization(context, input, output);
        ExpectRankAtMost(context, input, maxRank, "input");
        return elementSize;
    }

    /// <summary>Throws unless the rank of <paramref name="tensor"/> is at most <paramref name="maxRank"/>.</summary>
    public static void ExpectRankAtMost(KernelContext context, Tensor tensor, int maxRank, string role)
    {
        if (tensor.Rank > maxRank)
        {
            throw context.Unsupported($"{role} '{tensor.Name}' has rank {tensor.Rank}; at most {maxRank} is supported.");
        }
    }

    /// <summary>True for the types whose stored integers carry a quantization (uint8, int8, int16).</summary>
    public static bool IsQuantizedType(TensorType type) => type is TensorType.UInt8 or TensorType.Int8 or TensorType.Int16;

    /// <summary>
    /// Checks that <paramref name="output"/> has the type of <paramref name="input"/> and, for quantized
    /// types, the very same quantization: a pure data movement cannot requantize.
    /// </summary>
    public static void ExpectSameTypeAndQuantization(KernelContext context, Tensor input, Tensor output, string inputRole = "input", string outputRole = "output")
    {
        if (input.Type != output.Type)
        {
            throw context.Invalid($"{outputRole} '{output.Name}' is {output.Type.Name()} but {inputRole} '{input.Name}' is {input.Type.Name()}.");
        }
        if (IsQuantizedType(input.Type) && !SameQuantization(input.Quantization, output.Quantization))
        {
            throw context.Unsupported($"{inputRole} '{input.Name}' and {outputRole} '{output.Name}' have different quantization; this operator only moves data and cannot requantize.");
        }
    }

    /// <summary>True when both are absent, or both have equal scales and zero points (and, per channel, the same quantized dimension).</summary>
    public static bool SameQuantization(QuantizationParameters? a, QuantizationParameters? b)
    {
        bool aEmpty = a is null || a.Scales.Length == 0;
        bool bEmpty = b is null || b.Scales.Length == 0;
        if (aEmpty || bEmpty) return aEmpty == bEmpty;
        if (!a!.Scales.AsSpan().SequenceEqual(b!.Scales)) return false;
        if (!a.IsPerChannel) return a.ZeroPoint == b.ZeroPoint;
        return a.ZeroPoints.AsSpan().SequenceEqual(b.ZeroPoints) && a.QuantizedDimension == b.QuantizedDimension;
    }

    /// <summary>Maps an axis in [-rank, rank) to [0, rank); anything else is a format error.</summary>
    public static int NormalizeAxis(KernelContext context, int axis, int rank, string what)
    {
        if (axis < -rank || axis >= rank) throw context.Invalid($"{what} {axis} is out of range for rank {rank}.");
        return axis < 0 ? axis + rank : axis;
    }

    /// <summary>Shape as text for error messages: <c>[1,2,3]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => $"[{string.Join(",", shape.ToArray())}]";
}
