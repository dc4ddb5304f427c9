using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// XNNPACK's fp32 requantization (<see cref="RequantizationRule.Float"/>) of int32 accumulators of consecutive output
/// channels, for the optimized DEPTHWISE_CONV_2D and FULLY_CONNECTED microkernels. For channel <c>c</c>:
/// <c>out = (int)round_half_to_even(clamp((float)acc · scale[c], Lower, Upper)) + ZeroPoint</c>, bit for bit what
/// <see cref="QuantizedConvolutionParameters.Requantize"/> computes under the float rule.
/// </summary>
/// <remarks>
/// The vector forms round with the magic-bias trick: after the clamp <c>|y| ≤ 383</c>, so <c>y + 1.5·2²³</c> lies in
/// <c>[2²³, 2²⁴)</c> where float32 spacing is 1; the float add rounds half to even (the default rounding mode) and the
/// float's bit pattern is <c>0x4B400000 + round(y)</c>. Subtracting <see cref="MagicBiasMinusZeroPoint"/> as an integer
/// leaves <c>round(y) + ZeroPoint</c>. The int→float conversion (round to nearest even) and the float multiply are the
/// scalar ones lane by lane, and as the bounds are integers clamping before rounding equals rounding before clamping.
/// </remarks>
internal readonly struct ChannelRequantization
{
    /// <summary>1.5 · 2²³: adding it to a float of magnitude below 2²² rounds that float to an integer, half to even.</summary>
    private const float MagicBias = 12582912f;
    private const int MagicBiasBits = 0x4B400000;

    public ChannelRequantization(in QuantizedConvolutionParameters q)
    {
        Lower = q.ActivationMin - q.OutputZeroPoint;
        Upper = q.ActivationMax - q.OutputZeroPoint;
        ZeroPoint = q.OutputZeroPoint;
        MagicBiasMinusZeroPoint = MagicBiasBits - q.OutputZeroPoint;
    }

    /// <summary>Lowest scaled value kept, <c>ActivationMin − ZeroPoint</c>.</summary>
    public float Lower { get; }

    /// <summary>Highest scaled value kept, <c>ActivationMax − ZeroPoint</c>.</summary>
    public float Upper { get; }

    public int ZeroPoint { get; }

    /// <summary>The magic bias' bit pattern minus the output zero point.</summary>
    public int MagicBiasMinusZeroPoint { get; }

    /// <summary>The scalar rule, exactly <see cref="QuantizedConvolutionParameters.Requantize"/> under the float rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Apply(int accumulator, float scale)
    {
        float scaled = accumulator * scale;
        scaled = Math.Min(Math.Max(scaled, Lower), Upper);
        return (int)MathF.Round(scaled, MidpointRounding.ToEven) + ZeroPoint;
    }

    /// <summary>16 channels: lane i of the result is <see cref="Apply(int, float)"/>(accumulator[i], scale[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Apply(Vector512<int> accumulator, Vector512<float> scale)
    {
        var scaled = Vector512.ConvertToSingle(accumulator) * scale;
        scaled = Vector512.MinNative(Vector512.MaxNative(scaled, Vector512.Create(Lower)), Vector512.Create(Upper));
        return (scaled + Vector512.Create(MagicBias)).AsInt32() - Vector512.Create(MagicBiasMinusZeroPoint);
    }

    /// <summary>8 channels: lane i of the result is <see cref="Apply(int, float)"/>(accumulator[i], scale[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> accumulator, Vector256<float> scale)
    {
        var scaled = Vector256.ConvertToSingle(accumulator) * scale;
        scaled = Vector256.MinNative(Vector256.MaxNative(scaled, Vector256.Create(Lower)), Vector256.Create(Upper));
        return (scaled + Vector256.Create(MagicBias)).AsInt32() - Vector256.Create(MagicBiasMinusZeroPoint);
    }

    /// <summary>4 channels: lane i of the result is <see cref="Apply(int, float)"/>(accumulator[i], scale[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<int> Apply(Vector128<int> accumulator, Vector128<float> scale)
    {
        var scaled = Vector128.ConvertToSingle(accumulator) * scale;
        scaled = Vector128.MinNative(Vector128.MaxNative(scaled, Vector128.Create(Lower)), Vector128.Create(Upper));
        return (scaled + Vector128.Create(MagicBias)).AsInt32() - Vector128.Create(MagicBiasMinusZeroPoint);
    }

    /// <summary>
    /// Stores 16 requantized values (each already within the output type's range) as bytes: lane i goes to
    /// <c>destination[i]</c>. Truncating to the low byte gives the right pattern for both uint8 and int8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector512<int> values, byte* destination) =>
        Avx512F.ConvertToVector128Byte(values).Store(destination);

    /// <summary>Stores 8 requantized values as bytes (lane i to <c>destination[i]</c>, see the 16-lane form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector256<int> values, byte* destination)
    {
        var bytes = Narrow(values.GetLower(), values.GetUpper());
        Unsafe.WriteUnaligned(destination, bytes.AsUInt64().ToScalar());
    }

    /// <summary>Stores 4 requantized values as bytes (lane i to <c>destination[i]</c>, see the 16-lane form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector128<int> values, byte* destination)
    {
        var bytes = Narrow(values, values);
        Unsafe.WriteUnaligned(destination, bytes.AsUInt32().ToScalar());
    }

    /// <summary>
    /// Bytes 0–3 are the low bytes of <paramref name="low"/>'s lanes, bytes 4–7 those of <paramref name="high"/>'s
    /// (bytes 8–15 repeat them): <c>Vector128.Narrow</c> truncates, which keeps any value in [−128, 255] as its byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Narrow(Vector128<int> low, Vector128<int> high)
    {
        var words = Vector128.Narrow(low, high);
        return Vector128.Narrow(words, words).AsByte();
    }
}
