using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference RELU, RELU6, LOGISTIC, TANH and HARD_SWISH: the per-value rules the kernels apply (float32
/// directly; uint8/int8 through 256-entry tables built from these functions). Quantized arguments and
/// results are stored integers; results are clamped to the storage type's range.
/// </summary>
internal static class ActivationsReference
{
    /// <summary><c>max(x, 0)</c> (.NET's IEEE maximum: NaN stays NaN, −0 becomes +0).</summary>
    public static float Relu(float x) => Math.Max(x, 0f);

    /// <summary><c>min(max(x, 0), 6)</c>.</summary>
    public static float Relu6(float x) => Math.Min(Math.Max(x, 0f), 6f);

    /// <summary><c>1 / (1 + e^(−x))</c> in float32.</summary>
    public static float Logistic(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary><c>tanh(x)</c> in float32.</summary>
    public static float Tanh(float x) => MathF.Tanh(x);

    /// <summary><c>x · min(6, max(0, x + 3)) / 6</c> in float32, in that order.</summary>
    public static float HardSwish(float x) => x * Math.Min(6f, Math.Max(0f, x + 3f)) / 6f;

    /// <summary>
    /// Quantized RELU / RELU6 (TFLite's <c>ReluX</c>): <c>outZero + MultiplyByQuantizedMultiplier(q − inZero,
    /// inScale / outScale)</c> clamped to the activation's quantized range
    /// (<see cref="QuantizedRange.ForActivation(FusedActivation, TensorType, float, int)"/>).
    /// The scale ratio is a float32 division, as in TFLite.
    /// </summary>
    public static int ReluQuantized(int q, FusedActivation activation, QuantizedOperand input, QuantizedOperand output, TensorType type)
    {
        var (multiplier, shift) = FixedPoint.QuantizeMultiplier(input.Scale / output.Scale);
        var (min, max) = QuantizedRange.ForActivation(activation, type, output.Scale, output.ZeroPoint);
        int value = output.ZeroPoint + FixedPoint.MultiplyByQuantizedMultiplier(q - input.ZeroPoint, multiplier, shift);
        return Math.Clamp(value, min, max);
    }

    /// <summary>
    /// A quantized activation through float32, as TFLite fills its 8-bit tables: <c>r = inScale · (q − inZero)</c>,
    /// <c>y = f(r)</c>, result <c>(int)(round(y · (1 / outScale)) + outZero)</c> with rounding half away from
    /// zero, clamped to the type.
    /// </summary>
    public static int ThroughFloat(int q, Func<float, float> function, QuantizedOperand input, QuantizedOperand output, TensorType type)
    {
        float real = input.Scale * (q - input.ZeroPoint);
        float inverseScale = 1f / output.Scale;
        float rescaled = MathF.Round(function(real) * inverseScale, MidpointRounding.AwayFromZero);
        int value = (int)(rescaled + output.ZeroPoint);
        var (min, max) = QuantizedRange.OfType(type);
        return Math.Clamp(value, min, max);
    }

    /// <summary>Quantized LOGISTIC: <see cref="ThroughFloat"/> with <see cref="Logistic"/>.</summary>
    public static int LogisticQuantized(int q, QuantizedOperand input, QuantizedOperand output, TensorType type) =>
        ThroughFloat(q, Logistic, input, output, type);

    /// <summary>Quantized TANH: <see cref="ThroughFloat"/> with <see cref="Tanh"/>.</summary>
    public static int TanhQuantized(int q, QuantizedOperand input, QuantizedOperand output, TensorType type) =>
        ThroughFloat(q, Tanh, input, output, type);

    /// <summary>
    /// Quantized HARD_SWISH in TFLite's 16-bit fixed point. With <c>x = (q − inZero) · 2^7</c> on the
    /// "high-resolution" input scale <c>inScale / 128</c>:
    /// <c>p = SRDHM16(x, outputMultiplier)</c> (x on the output scale before its final shift);
    /// <c>r</c> = x rescaled by <c>reluishMultiplier</c> (saturating left shifts, then SRDHM16, or a rounding right
    /// shift) so that real 3.0 maps to 32768, then mapped from [−1, 1] to [0, 1] as <c>(r + 2^15) &gt;&gt; 1</c>;
    /// result <c>RoundingDivideByPOT16(SDHM16(r, p), −outputExponent) + outZero</c>, clamped to the type.
    /// SRDHM16 rounds (ties away from zero); SDHM16 truncates toward zero.
    /// </summary>
    public static int HardSwishQuantized(int q, in HardSwishParameters p, TensorType type)
    {
        short inputValue = (short)(q - p.InputZeroPoint);
        short highResolution = (short)(inputValue * (1 << 7));
        short preshiftOutput = RoundingDoublingHighMul16(highResolution, p.OutputMultiplier);
        short reluish = highResolution;
        if (p.ReluishExponent > 0) reluish = SaturatingShiftLeft16(reluish, p.ReluishExponent - 1);
        reluish = RoundingDoublingHighMul16(reluish, p.ReluishMultiplier);
        if (p.ReluishExponent > 0) reluish = SaturatingShiftLeft16(reluish, 1);
        if (p.ReluishExponent < 0) reluish = RoundingDivideByPowerOfTwo16(reluish, -p.ReluishExponent);
        reluish = (short)((reluish + (1 << 15)) >> 1);
        short preshiftResult = DoublingHighMul16(reluish, preshiftOutput);
        int value = RoundingDivideByPowerOfTwo16(preshiftResult, -p.OutputExponent) + p.OutputZeroPoint;
        var (min, max) = QuantizedRange.OfType(type);
        return Math.Clamp(value, min, max);
    }

    /// <summary>gemmlowp's 16-bit <c>SaturatingRoundingDoublingHighMul</c>: <c>round(a · b / 2^15)</c>, ties away from zero.</summary>
    private static short RoundingDoublingHighMul16(short a, short b)
    {
        if (a == short.MinValue && b == short.MinValue) return short.MaxValue;
        int product = a * b;
        int nudge = product >= 0 ? 1 << 14 : 1 - (1 << 14);
        return (short)((product + nudge) / (1 << 15));
    }

    /// <summary>TFLite's <c>SaturatingDoublingHighMul</c>: <c>a · b / 2^15</c> truncated toward zero.</summary>
    private static short DoublingHighMul16(short a, short b)
    {
        if (a == short.MinValue && b == short.MinValue) return short.MaxValue;
        return (short)(a * b / (1 << 15));
    }

    private static short SaturatingShiftLeft16(short value, int amount)
    {
        long result = (long)value << amount;
        return (short)Math.Clamp(result, short.MinValue, short.MaxValue);
    }

    /// <summary>gemmlowp's <c>RoundingDivideByPOT</c> on int16 (ties away from zero; the mask wraps to 16 bits as in gemmlowp).</summary>
    private static short RoundingDivideByPowerOfTwo16(short x, int exponent)
    {
        short mask = (short)((1L << exponent) - 1);
        short remainder = (short)(x & mask);
        int threshold = (short)(mask >> 1) + (x < 0 ? 1 : 0);
        return (short)((x >> exponent) + (remainder > threshold ? 1 : 0));
    }
}

/// <summary>
/// Fixed-point parameters of quantized HARD_SWISH, derived as TFLite's Prepare does: both multipliers are
/// Q31 values (from float32 scale ratios) rounded to Q15.
/// </summary>
internal readonly record struct HardSwishParameters(int InputZeroPoint, int OutputZeroPoint, short OutputMultiplier, int OutputExponent, short ReluishMultiplier, int ReluishExponent)
{
    /// <summary>
    /// Output multiplier = <c>(inScale / 128) / outScale</c>; reluish multiplier = <c>(inScale / 128) / (3 / 32768)</c>.
    /// Returns null when the output exponent would be positive (TFLite rejects such models).
    /// </summary>
    public static HardSwishParameters? Create(QuantizedOperand input, QuantizedOperand output)
    {
        float highResolutionScale = (1f / 128f) * input.Scale;
        const float ReluishScale = 3f / 32768f;
        var (outputMultiplier, outputExponent) = FixedPoint.QuantizeMultiplier(highResolutionScale / output.Scale);
        var (reluishMultiplier, reluishExponent) = FixedPoint.QuantizeMultiplier(highResolutionScale / ReluishScale);
        if (outputExponent > 0) return null;
        return new HardSwishParameters(input.ZeroPoint, output.ZeroPoint, ToQ15(outputMultiplier), outputExponent,
            ToQ15(reluishMultiplier), reluishExponent);
    }

    /// <summary>Rounds a non-negative Q31 multiplier to Q15, saturating at <see cref="short.MaxValue"/>.</summary>
    private static short ToQ15(int multiplier) =>
        multiplier >= int.MaxValue - (1 << 15) ? short.MaxValue : (short)((multiplier + (1 << 15)) >> 16);
}
