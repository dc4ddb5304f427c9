using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference SQUARED_DIFFERENCE with NumPy broadcasting: float32 <c>(a − b) · (a − b)</c>; int8 follows
/// TFLite's rule in <see cref="QuantizedSquaredDifferenceParameters.Apply"/>.
/// </summary>
internal static class SquaredDifferenceReference
{
    /// <summary>float32 <c>d = a − b; output = d · d</c>.</summary>
    public static void F32(ReadOnlySpan<int> shapeA, ReadOnlySpan<float> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<float> b, Span<float> output) =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output, (x, y) => (x - y) * (x - y));

    /// <summary>int8, one stored value at a time.</summary>
    public static void Int8(ReadOnlySpan<int> shapeA, ReadOnlySpan<sbyte> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<sbyte> b,
        Span<sbyte> output, QuantizedSquaredDifferenceParameters p) =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output, (x, y) => (sbyte)p.Apply(x, y));
}

/// <summary>
/// TFLite's int8 SQUARED_DIFFERENCE: both inputs are brought to the scale <c>2 · max(scale1, scale2)</c> with
/// 7 bits of headroom (as in 8-bit ADD), subtracted, squared in int32, and requantized with the multiplier
/// <c>(2 · max scale)² / (2^14 · outScale)</c>; all multiplies are TFLite's "smaller than one" fixed-point
/// multiply (rounding doubling high multiply, rounding right shift). The result is clamped to int8.
/// </summary>
internal readonly record struct QuantizedSquaredDifferenceParameters(
    int Input1Offset, int Input1Multiplier, int Input1Shift,
    int Input2Offset, int Input2Multiplier, int Input2Shift,
    int OutputOffset, int OutputMultiplier, int OutputShift)
{
    private const int LeftShift = 7;

    public static QuantizedSquaredDifferenceParameters Create(QuantizedOperand input1, QuantizedOperand input2, QuantizedOperand output)
    {
        double twiceMaxInputScale = 2 * Math.Max(input1.Scale, input2.Scale);
        var (multiplier1, shift1) = FixedPoint.QuantizeMultiplier(input1.Scale / twiceMaxInputScale);
        var (multiplier2, shift2) = FixedPoint.QuantizeMultiplier(input2.Scale / twiceMaxInputScale);
        var (outputMultiplier, outputShift) = FixedPoint.QuantizeMultiplier(
            twiceMaxInputScale * twiceMaxInputScale / ((1 << (LeftShift * 2)) * output.Scale));
        return new QuantizedSquaredDifferenceParameters(-input1.ZeroPoint, multiplier1, shift1, -input2.ZeroPoint, multiplier2, shift2,
            output.ZeroPoint, outputMultiplier, outputShift);
    }

    /// <summary>True when every multiplier is below one (shifts ≤ 0), which TFLite's arithmetic assumes.</summary>
    public bool HasMultipliersBelowOne => Input1Shift <= 0 && Input2Shift <= 0 && OutputShift <= 0;

    public int Apply(int q1, int q2)
    {
        int scaled1 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOne((q1 + Input1Offset) * (1 << LeftShift), Input1Multiplier, Input1Shift);
        int scaled2 = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOne((q2 + Input2Offset) * (1 << LeftShift), Input2Multiplier, Input2Shift);
        int difference = scaled1 - scaled2;
        int raw = FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOne(difference * difference, OutputMultiplier, OutputShift) + OutputOffset;
        return Math.Clamp(raw, sbyte.MinValue, sbyte.MaxValue);
    }
}
