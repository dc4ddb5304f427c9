using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference ABS, SQRT and RSQRT: the per-value rules that the kernels apply (float32 directly,
/// int8 through tables built from these very functions). Quantized values are stored integers;
/// results are clamped to the storage type's range.
/// </summary>
internal static class ElementwiseReference
{
    /// <summary>float32 <c>|x|</c>.</summary>
    public static float Abs(float x) => MathF.Abs(x);

    /// <summary>float32 <c>√x</c> (NaN for negative x).</summary>
    public static float Sqrt(float x) => MathF.Sqrt(x);

    /// <summary>float32 <c>1 / √x</c>, computed as a division of 1 by the correctly rounded square root.</summary>
    public static float Rsqrt(float x) => 1f / MathF.Sqrt(x);

    /// <summary>
    /// Quantized ABS (TFLite's int8/int16 rule): <c>v = |q − inZero|</c>; when the scales are equal the
    /// result is <c>v + outZero</c>, otherwise <c>MultiplyByQuantizedMultiplier(v, inScale / outScale) + outZero</c>
    /// (the scale ratio is a float32 division, as in TFLite).
    /// </summary>
    public static int AbsQuantized(int q, QuantizedOperand input, QuantizedOperand output, TensorType type)
    {
        int value = Math.Abs(q - input.ZeroPoint);
        int result;
        if (input.Scale == output.Scale)
        {
            result = value + output.ZeroPoint;
        }
        else
        {
            var (multiplier, shift) = FixedPoint.QuantizeMultiplier(input.Scale / output.Scale);
            result = FixedPoint.MultiplyByQuantizedMultiplier(value, multiplier, shift) + output.ZeroPoint;
        }
        return Clamp(result, type);
    }

    /// <summary>
    /// Quantized SQRT (TFLite's int8 rule, in float32): <c>r = inScale · (q − inZero)</c>, then
    /// <c>trunc(√r / outScale) + outZero</c> (truncation toward zero, as TFLite's cast does).
    /// Undefined (TFLite fails) for q below the input zero point.
    /// </summary>
    public static int SqrtQuantized(int q, QuantizedOperand input, QuantizedOperand output, TensorType type)
    {
        float real = input.Scale * (q - input.ZeroPoint);
        int result = (int)(MathF.Sqrt(real) / output.Scale) + output.ZeroPoint;
        return Clamp(result, type);
    }

    /// <summary>
    /// Quantized RSQRT (TFLite's int8 rule, fixed point): <c>v = q − inZero</c>; v = 0 gives the type's
    /// maximum; otherwise 1/√v from <see cref="InverseSqrtMultiplier"/> is scaled by 2^20, then multiplied
    /// by <c>1 / (√inScale · outScale)</c> (Q31 multiplier, shift reduced by 20) and offset by outZero.
    /// The product √inScale · outScale is formed in float32 and the reciprocal in float64, as in TFLite.
    /// Undefined (TFLite fails) for q below the input zero point.
    /// </summary>
    public static int RsqrtQuantized(int q, QuantizedOperand input, QuantizedOperand output, TensorType type)
    {
        const int Headroom = 20;
        int value = q - input.ZeroPoint;
        if (value <= 0) return QuantizedRange.OfType(type).Max;
        var (inverseMultiplier, inverseShift) = InverseSqrtMultiplier.Compute(value, -1);
        int scaled = FixedPoint.MultiplyByQuantizedMultiplier(1, inverseMultiplier, inverseShift + Headroom);
        var (multiplier, shift) = FixedPoint.QuantizeMultiplier(1.0 / (MathF.Sqrt(input.Scale) * output.Scale));
        int result = FixedPoint.MultiplyByQuantizedMultiplier(scaled, multiplier, shift - Headroom) + output.ZeroPoint;
        return Clamp(result, type);
    }

    private static int Clamp(int value, TensorType type)
    {
        var (min, max) = QuantizedRange.OfType(type);
        return Math.Clamp(value, min, max);
    }
}
