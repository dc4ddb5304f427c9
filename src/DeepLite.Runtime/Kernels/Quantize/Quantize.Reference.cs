using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>Reference QUANTIZE: float32 → integer, and integer → integer requantization.</summary>
internal static class QuantizeReference
{
    /// <summary>
    /// TFLite's <c>AffineQuantize</c>: <c>q = clamp((int)round(x / scale) + zeroPoint)</c>, the division in
    /// float32 and rounding half away from zero (NaN gives the zero point).
    /// </summary>
    public static void FromFloat<T>(ReadOnlySpan<float> input, Span<T> output, QuantizedOperand quantization)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        CheckLengths(input.Length, output.Length);
        int min = int.CreateTruncating(T.MinValue), max = int.CreateTruncating(T.MaxValue);
        for (int i = 0; i < input.Length; i++)
        {
            float rounded = MathF.Round(input[i] / quantization.Scale, MidpointRounding.AwayFromZero);
            int q = (int)Math.Clamp(rounded, -2147483520f, 2147483520f) + quantization.ZeroPoint;
            output[i] = T.CreateTruncating(Math.Clamp(q, min, max));
        }
    }

    /// <summary>
    /// TFLite's <c>Requantize</c>: <c>q' = clamp(MultiplyByQuantizedMultiplier(q − inZero, multiplier, shift) + outZero)</c>
    /// with (multiplier, shift) from <c>inScale / outScale</c> in float64.
    /// </summary>
    public static void Requantize<TIn, TOut>(ReadOnlySpan<TIn> input, Span<TOut> output, QuantizedOperand from, QuantizedOperand to)
        where TIn : unmanaged, IBinaryInteger<TIn>
        where TOut : unmanaged, IBinaryInteger<TOut>, IMinMaxValue<TOut>
    {
        CheckLengths(input.Length, output.Length);
        var (multiplier, shift) = FixedPoint.QuantizeMultiplier((double)from.Scale / to.Scale);
        int min = int.CreateTruncating(TOut.MinValue), max = int.CreateTruncating(TOut.MaxValue);
        for (int i = 0; i < input.Length; i++)
        {
            int centred = int.CreateTruncating(input[i]) - from.ZeroPoint;
            int q = FixedPoint.MultiplyByQuantizedMultiplier(centred, multiplier, shift) + to.ZeroPoint;
            output[i] = TOut.CreateTruncating(Math.Clamp(q, min, max));
        }
    }

    private static void CheckLengths(int input, int output)
    {
        if (input != output) throw new ArgumentException($"Input has {input} elements but output has {output}.");
    }
}
