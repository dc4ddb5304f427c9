using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// TFLite's <c>GetInvSqrtQuantizedMultiplierExp</c>: 1/√x of a positive integer as a Q31 multiplier and a
/// power-of-two exponent, computed in gemmlowp fixed point (five Newton–Raphson steps on a value with
/// 3 integer bits), so that integer kernels (L2_NORMALIZATION, RSQRT int8) reproduce TFLite bit for bit.
/// </summary>
internal static class InverseSqrtMultiplier
{
    private const int OneQ28 = 1 << 28;              // 1.0 with 3 integer bits
    private const int ThreeHalvesQ28 = (1 << 28) + (1 << 27);
    private const int HalfSqrt2Q31 = 1518500250;     // √2 / 2 with 0 integer bits

    /// <summary>
    /// For <paramref name="input"/> ≥ 2 returns (multiplier, shift) with
    /// <c>1/√input ≈ multiplier · 2^(shift · reverseShift − 31)</c> as TFLite defines it; inputs 0 and 1
    /// give (int.MaxValue, 0). With <paramref name="reverseShift"/> = −1 (TFLite's <c>kReverseShift</c>)
    /// the shift is a left shift for <see cref="FixedPoint.MultiplyByQuantizedMultiplier"/>.
    /// </summary>
    public static (int Multiplier, int Shift) Compute(int input, int reverseShift)
    {
        if (input < 0) throw new ArgumentOutOfRangeException(nameof(input), input, "The inverse square root needs a non-negative input.");
        if (input <= 1) return (int.MaxValue, 0);
        int shift = 11;
        while (input >= (1 << 29))
        {
            input /= 4;
            shift++;
        }
        int maxLeftShiftBits = BitOperations.LeadingZeroCount((uint)input) - 1;
        int leftShiftBitPairs = (maxLeftShiftBits / 2) - 1;
        shift -= leftShiftBitPairs;
        input <<= 2 * leftShiftBitPairs;

        // Newton–Raphson for 1/√(input/2) on values with 3 integer bits (raw / 2^28).
        int fixedInput = input >> 1;
        int halfInput = FixedPoint.RoundingDivideByPowerOfTwo(fixedInput, 1);
        int x = OneQ28;
        for (int i = 0; i < 5; i++)
        {
            // x³ carries 9 integer bits; rescaling to 3 multiplies the raw value by 2^6, saturating.
            int cube = SaturatingShiftLeft(Mul(Mul(x, x), x), 6);
            // Both products carry 6 integer bits; the difference wraps like gemmlowp's raw subtraction.
            int next = unchecked(Mul(ThreeHalvesQ28, x) - Mul(halfInput, cube));
            x = SaturatingShiftLeft(next, 3);
        }
        x = Mul(x, HalfSqrt2Q31);
        if (shift < 0)
        {
            x <<= -shift;
            shift = 0;
        }
        return (x, shift * reverseShift);
    }

    private static int Mul(int a, int b) => FixedPoint.SaturatingRoundingDoublingHighMul(a, b);

    /// <summary>gemmlowp's <c>SaturatingRoundingMultiplyByPOT</c> for a positive exponent.</summary>
    private static int SaturatingShiftLeft(int x, int exponent)
    {
        int threshold = (1 << (31 - exponent)) - 1;
        if (x > threshold) return int.MaxValue;
        if (x < -threshold) return int.MinValue;
        return x << exponent;
    }
}
