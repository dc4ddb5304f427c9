using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// QUANTIZE microkernels, bit-exact with <see cref="QuantizeReference"/>. Loops take blocks of the widest allowed vector,
/// hand the rest to each narrower vector and finish in scalar code.
/// </summary>
internal static class QuantizeMicrokernels
{
    /// <summary>The reference's bound on the rounded quotient before the int32 conversion.</summary>
    private const float Bound = 2147483520f;

    /// <summary>
    /// F32 → QU8/QS8 (<see cref="QuantizeReference.FromFloat{T}"/>): per float lane <c>v = x / scale</c> (IEEE division; NaN
    /// becomes 0), rounded half away from zero as <c>t = trunc(v); t + (v − t ≥ 0.5) − (v − t ≤ −0.5)</c> (exact: <c>v − t</c>
    /// is exact), clamped to ±2147483520, converted to int32, plus the zero point with the reference's wrapping int32 add,
    /// clamped to the 8-bit range. Four vectors of float lanes narrow to one vector of 8-bit lanes (<see cref="ByteLanes"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromF32<T>(ReadOnlySpan<float> input, Span<T> output, float scale, int zeroPoint, VectorTier tier)
        where T : unmanaged
    {
        if (input.Length != output.Length) throw new ArgumentException($"Input has {input.Length} elements but output has {output.Length}.");
        int low = typeof(T) == typeof(byte) ? byte.MinValue : sbyte.MinValue, high = typeof(T) == typeof(byte) ? byte.MaxValue : sbyte.MaxValue;
        int n = input.Length, i = 0;
        ref float x = ref MemoryMarshal.GetReference(input);
        ref T q = ref MemoryMarshal.GetReference(output);
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
        {
            var (divisor, zero, min, max) = (Vector512.Create(scale), Vector512.Create(zeroPoint), Vector512.Create(low), Vector512.Create(high));
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                ref float block = ref Unsafe.Add(ref x, i);
                ByteLanes.Narrow<T>(
                    Quantize(Vector512.LoadUnsafe(ref block) / divisor, zero, min, max),
                    Quantize(Vector512.LoadUnsafe(ref block, 16) / divisor, zero, min, max),
                    Quantize(Vector512.LoadUnsafe(ref block, 32) / divisor, zero, min, max),
                    Quantize(Vector512.LoadUnsafe(ref block, 48) / divisor, zero, min, max)).StoreUnsafe(ref q, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
        {
            var (divisor, zero, min, max) = (Vector256.Create(scale), Vector256.Create(zeroPoint), Vector256.Create(low), Vector256.Create(high));
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                ref float block = ref Unsafe.Add(ref x, i);
                ByteLanes.Narrow<T>(
                    Quantize(Vector256.LoadUnsafe(ref block) / divisor, zero, min, max),
                    Quantize(Vector256.LoadUnsafe(ref block, 8) / divisor, zero, min, max),
                    Quantize(Vector256.LoadUnsafe(ref block, 16) / divisor, zero, min, max),
                    Quantize(Vector256.LoadUnsafe(ref block, 24) / divisor, zero, min, max)).StoreUnsafe(ref q, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
        {
            var (divisor, zero, min, max) = (Vector128.Create(scale), Vector128.Create(zeroPoint), Vector128.Create(low), Vector128.Create(high));
            for (; i <= n - Vector128<T>.Count; i += Vector128<T>.Count)
            {
                ref float block = ref Unsafe.Add(ref x, i);
                ByteLanes.Narrow<T>(
                    Quantize(Vector128.LoadUnsafe(ref block) / divisor, zero, min, max),
                    Quantize(Vector128.LoadUnsafe(ref block, 4) / divisor, zero, min, max),
                    Quantize(Vector128.LoadUnsafe(ref block, 8) / divisor, zero, min, max),
                    Quantize(Vector128.LoadUnsafe(ref block, 12) / divisor, zero, min, max)).StoreUnsafe(ref q, (nuint)i);
            }
            for (; i <= n - 4; i += 4)
            {
                ByteLanes.StoreFour(Quantize(Vector128.LoadUnsafe(ref x, (nuint)i) / divisor, zero, min, max), ref Unsafe.Add(ref q, i));
            }
        }
        for (; i < n; i++)
        {
            float rounded = MathF.Round(Unsafe.Add(ref x, i) / scale, MidpointRounding.AwayFromZero);
            int value = unchecked((int)Math.Clamp(rounded, -Bound, Bound) + zeroPoint);
            Unsafe.Add(ref q, i) = ByteLanes.FromInt32<T>(Math.Clamp(value, low, high));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Quantize(Vector512<float> v, Vector512<int> zero, Vector512<int> min, Vector512<int> max)
    {
        v = Vector512.ConditionalSelect(Vector512.Equals(v, v), v, Vector512<float>.Zero);
        var whole = Vector512.Truncate(v);
        var fraction = v - whole;
        var half = Vector512.Create(0.5f);
        var rounded = whole + (Vector512.GreaterThanOrEqual(fraction, half) & Vector512<float>.One) - (Vector512.LessThanOrEqual(fraction, -half) & Vector512<float>.One);
        var bounded = Vector512.Min(Vector512.Max(rounded, Vector512.Create(-Bound)), Vector512.Create(Bound));
        return Vector512.Min(Vector512.Max(Vector512.ConvertToInt32(bounded) + zero, min), max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize(Vector256<float> v, Vector256<int> zero, Vector256<int> min, Vector256<int> max)
    {
        v = Vector256.ConditionalSelect(Vector256.Equals(v, v), v, Vector256<float>.Zero);
        var whole = Vector256.Truncate(v);
        var fraction = v - whole;
        var half = Vector256.Create(0.5f);
        var rounded = whole + (Vector256.GreaterThanOrEqual(fraction, half) & Vector256<float>.One) - (Vector256.LessThanOrEqual(fraction, -half) & Vector256<float>.One);
        var bounded = Vector256.Min(Vector256.Max(rounded, Vector256.Create(-Bound)), Vector256.Create(Bound));
        return Vector256.Min(Vector256.Max(Vector256.ConvertToInt32(bounded) + zero, min), max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quantize(Vector128<float> v, Vector128<int> zero, Vector128<int> min, Vector128<int> max)
    {
        v = Vector128.ConditionalSelect(Vector128.Equals(v, v), v, Vector128<float>.Zero);
        var whole = Vector128.Truncate(v);
        var fraction = v - whole;
        var half = Vector128.Create(0.5f);
        var rounded = whole + (Vector128.GreaterThanOrEqual(fraction, half) & Vector128<float>.One) - (Vector128.LessThanOrEqual(fraction, -half) & Vector128<float>.One);
        var bounded = Vector128.Min(Vector128.Max(rounded, Vector128.Create(-Bound)), Vector128.Create(Bound));
        return Vector128.Min(Vector128.Max(Vector128.ConvertToInt32(bounded) + zero, min), max);
    }

    /// <summary>
    /// 8-bit → 8-bit requantization (<see cref="QuantizeReference.Requantize{TIn, TOut}"/>) as a lookup: every possible stored
    /// input value is requantized once (in Prepare) into a 256-entry table indexed by the input's byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] RequantizeTable<TIn, TOut>(QuantizedOperand from, QuantizedOperand to)
        where TIn : unmanaged, System.Numerics.IBinaryInteger<TIn>
        where TOut : unmanaged, System.Numerics.IBinaryInteger<TOut>, System.Numerics.IMinMaxValue<TOut>
    {
        var inputs = new TIn[256];
        for (int b = 0; b < 256; b++) inputs[b] = TIn.CreateTruncating(b);
        var outputs = new TOut[256];
        QuantizeReference.Requantize<TIn, TOut>(inputs, outputs, from, to);
        return MemoryMarshal.AsBytes(outputs.AsSpan()).ToArray();
    }

    /// <summary><c>output[i] = table[input[i]]</c> on the stored bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Lookup(ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<byte> table)
    {
        if (input.Length != output.Length || table.Length != 256) throw new ArgumentException($"Input of {input.Length}, output of {output.Length}, table of {table.Length}.");
        ref byte entries = ref MemoryMarshal.GetReference(table);
        for (int i = 0; i < input.Length; i++) output[i] = Unsafe.Add(ref entries, input[i]);
    }
}
