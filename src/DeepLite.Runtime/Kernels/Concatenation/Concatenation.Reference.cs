using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Where one input of a concatenation lands in the output, in elements. With the shapes split at the
/// axis into outer dimensions (before it) and a block (the axis and everything after it), input slab
/// <c>k</c> (of <see cref="InputBlock"/> elements) goes to output elements
/// <c>[k * OutputBlock + OutputOffset, k * OutputBlock + OutputOffset + InputBlock)</c> for k in [0, OuterCount).
/// </summary>
internal readonly record struct ConcatenationPart(int OuterCount, int InputBlock, int OutputBlock, int OutputOffset);

/// <summary>
/// Reference semantics of CONCATENATION, one input at a time (see <see cref="ConcatenationPart"/>).
/// </summary>
internal static class ConcatenationReference
{
    /// <summary>Copies one input's slabs unchanged; <paramref name="elementSize"/> is in bytes.</summary>
    public static void CopyPart(ReadOnlySpan<byte> input, Span<byte> output, ConcatenationPart part, int elementSize)
    {
        int inputBytes = part.InputBlock * elementSize;
        for (int k = 0; k < part.OuterCount; k++)
        {
            input.Slice(k * inputBytes, inputBytes)
                .CopyTo(output.Slice(((k * part.OutputBlock) + part.OutputOffset) * elementSize, inputBytes));
        }
    }

    /// <summary>
    /// Copies one uint8 or int8 input into an output with a different quantization, like TFLite's
    /// reference <c>ConcatenationWithScaling</c>: with <c>scale = inputScale * (1 / outputScale)</c> and
    /// <c>bias = -inputZeroPoint * scale</c> (float32), each value becomes
    /// <c>round(q * scale + bias) + outputZeroPoint</c>, rounding half away from zero and saturating
    /// to the range of <typeparamref name="T"/> ([0, 255] or [-128, 127]).
    /// </summary>
    public static void RequantizePart<T>(ReadOnlySpan<T> input, Span<T> output, ConcatenationPart part, ConcatenationRequantization requantization)
        where T : unmanaged, IBinaryInteger<T>
    {
        for (int k = 0; k < part.OuterCount; k++)
        {
            var source = input.Slice(k * part.InputBlock, part.InputBlock);
            var destination = output.Slice((k * part.OutputBlock) + part.OutputOffset, part.InputBlock);
            for (int j = 0; j < source.Length; j++)
            {
                destination[j] = T.CreateSaturating(requantization.Apply(int.CreateTruncating(source[j])));
            }
        }
    }
}

/// <summary>
/// The affine map from an input's stored integers to the output's:
/// <c>round_half_away_from_zero(q * Scale + Bias) + OutputZeroPoint</c>, computed in float32.
/// </summary>
internal readonly record struct ConcatenationRequantization(float Scale, float Bias, int OutputZeroPoint)
{
    /// <summary>TFLite's rule: <c>scale = inputScale * (1 / outputScale)</c>, <c>bias = -inputZeroPoint * scale</c>.</summary>
    public static ConcatenationRequantization Create(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint)
    {
        float scale = inputScale * (1f / outputScale);
        return new ConcatenationRequantization(scale, -inputZeroPoint * scale, outputZeroPoint);
    }

    /// <summary>The unclamped output integer for stored input integer <paramref name="q"/>.</summary>
    public int Apply(int q) => (int)MathF.Round((q * Scale) + Bias, MidpointRounding.AwayFromZero) + OutputZeroPoint;
}
