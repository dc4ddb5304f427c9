namespace DeepLite.Runtime.Quantization;

/// <summary>
/// TensorFlow Lite's integer requantization arithmetic (the reference kernels' rules, after gemmlowp):
/// a real multiplier is stored as a Q31 fixed-point value and a power-of-two shift, and applied with a
/// saturating rounding doubling high multiply followed by a rounding arithmetic right shift
/// (round half away from zero).
/// </summary>
public static class FixedPoint
{
    /// <summary>
    /// Splits <paramref name="realMultiplier"/> into <c>multiplier * 2^(shift - 31)</c> with the
    /// multiplier in [2^30, 2^31). Zero gives (0, 0). A positive shift is a left shift.
    /// </summary>
    public static (int Multiplier, int Shift) QuantizeMultiplier(double realMultiplier)
    {
        if (realMultiplier == 0 || !double.IsFinite(realMultiplier)) return (0, 0);
        // frexp: realMultiplier = q * 2^shift with q in [0.5, 1).
        int shift = Math.ILogB(realMultiplier) + 1;
        double q = Math.ScaleB(realMultiplier, -shift);
        long qFixed = (long)Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
        if (qFixed == 1L << 31)
        {
            qFixed /= 2;
            shift++;
        }
        if (shift < -31)
        {
            return (0, 0);
        }
        if (shift > 30)
        {
            // Multipliers this large never occur in valid models; saturate like TFLite does.
            return (int.MaxValue, 30);
        }
        return ((int)qFixed, shift);
    }

    /// <summary>(a * b * 2) / 2^32 rounded to nearest (ties away from zero), saturating the one overflow case.</summary>
    public static int SaturatingRoundingDoublingHighMul(int a, int b)
    {
        if (a == b && a == int.MinValue) return int.MaxValue;
        long ab = (long)a * b;
        long nudge = ab >= 0 ? 1L << 30 : 1 - (1L << 30);
        return (int)((ab + nudge) / (1L << 31));
    }

    /// <summary>x / 2^exponent rounded to nearest, ties away from zero (an arithmetic shift with rounding).</summary>
    public static int RoundingDivideByPowerOfTwo(int x, int exponent)
    {
        int mask = (int)((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /// <summary>TFLite's <c>MultiplyByQuantizedMultiplier</c>: x * multiplier * 2^(shift-31), rounded.</summary>
    public static int MultiplyByQuantizedMultiplier(int x, int multiplier, int shift)
    {
        int leftShift = shift > 0 ? shift : 0;
        int rightShift = shift > 0 ? 0 : -shift;
        return RoundingDivideByPowerOfTwo(SaturatingRoundingDoublingHighMul(x * (1 << leftShift), multiplier), rightShift);
    }

    /// <summary>TFLite's <c>MultiplyByQuantizedMultiplierSmallerThanOneExp</c>: shift must be ≤ 0.</summary>
    public static int MultiplyByQuantizedMultiplierSmallerThanOne(int x, int multiplier, int shift) =>
        RoundingDivideByPowerOfTwo(SaturatingRoundingDoublingHighMul(x, multiplier), -shift);

    /// <summary>
    /// XNNPACK's float requantization, which TFLite applies by default on CPU:
    /// <c>round_half_to_even(acc * scale) + zeroPoint</c> computed in float32 (not clamped).
    /// </summary>
    public static int RequantizeFloat(int accumulator, float scale, int zeroPoint) =>
        (int)MathF.Round(accumulator * scale, MidpointRounding.ToEven) + zeroPoint;
}
