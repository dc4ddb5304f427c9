using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// SOFTMAX of one row. Loops take blocks of the widest allowed vector (lane k = element k of the block), hand the rest to
/// each narrower vector and finish in scalar code.
/// </summary>
internal static class SoftmaxMicrokernels
{
    /// <summary>
    /// F32, within float rounding of <see cref="SoftmaxReference.F32"/>: the row maximum (exact: NaN-propagating, like
    /// <see cref="Math.Max(float, float)"/>), <c>e_j = exp((x_j − max) · beta)</c> with the vector exponential (within an ulp
    /// or so of <see cref="MathF.Exp"/>), a lane-wise sum of the <c>e_j</c> (a different order than the reference's), and
    /// <c>y_j = e_j / sum</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void F32(ReadOnlySpan<float> x, Span<float> y, float beta, VectorTier tier)
    {
        if (x.Length != y.Length || x.IsEmpty) throw new ArgumentException($"Rows of {x.Length} and {y.Length} elements.");
        int n = x.Length;
        ref float input = ref MemoryMarshal.GetReference(x);
        ref float output = ref MemoryMarshal.GetReference(y);
        float max = Max(x, tier);
        float sum = 0;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512 && n >= Vector512<float>.Count)
        {
            var (vmax, vbeta, total) = (Vector512.Create(max), Vector512.Create(beta), Vector512<float>.Zero);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var e = Vector512.Exp((Vector512.LoadUnsafe(ref input, (nuint)i) - vmax) * vbeta);
                e.StoreUnsafe(ref output, (nuint)i);
                total += e;
            }
            sum += Vector512.Sum(total);
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256 && n - i >= Vector256<float>.Count)
        {
            var (vmax, vbeta, total) = (Vector256.Create(max), Vector256.Create(beta), Vector256<float>.Zero);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var e = Vector256.Exp((Vector256.LoadUnsafe(ref input, (nuint)i) - vmax) * vbeta);
                e.StoreUnsafe(ref output, (nuint)i);
                total += e;
            }
            sum += Vector256.Sum(total);
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128 && n - i >= Vector128<float>.Count)
        {
            var (vmax, vbeta, total) = (Vector128.Create(max), Vector128.Create(beta), Vector128<float>.Zero);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var e = Vector128.Exp((Vector128.LoadUnsafe(ref input, (nuint)i) - vmax) * vbeta);
                e.StoreUnsafe(ref output, (nuint)i);
                total += e;
            }
            sum += Vector128.Sum(total);
        }
        for (; i < n; i++)
        {
            float e = MathF.Exp((Unsafe.Add(ref input, i) - max) * beta);
            Unsafe.Add(ref output, i) = e;
            sum += e;
        }
        i = 0;
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
        {
            var divisor = Vector512.Create(sum);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count) (Vector512.LoadUnsafe(ref output, (nuint)i) / divisor).StoreUnsafe(ref output, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
        {
            var divisor = Vector256.Create(sum);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count) (Vector256.LoadUnsafe(ref output, (nuint)i) / divisor).StoreUnsafe(ref output, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
        {
            var divisor = Vector128.Create(sum);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count) (Vector128.LoadUnsafe(ref output, (nuint)i) / divisor).StoreUnsafe(ref output, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref output, i) /= sum;
    }

    /// <summary>The largest value of a non-empty row, NaN if any value is NaN (the reference's running <see cref="Math.Max(float, float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Max(ReadOnlySpan<float> x, VectorTier tier)
    {
        int n = x.Length, i = 0;
        ref float input = ref MemoryMarshal.GetReference(x);
        float max = float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512 && n >= Vector512<float>.Count)
        {
            var best = Vector512.LoadUnsafe(ref input);
            for (i = Vector512<float>.Count; i <= n - Vector512<float>.Count; i += Vector512<float>.Count) best = Vector512.Max(best, Vector512.LoadUnsafe(ref input, (nuint)i));
            var folded = Vector256.Max(best.GetLower(), best.GetUpper());
            max = MaxOfLanes(Vector128.Max(folded.GetLower(), folded.GetUpper()), max);
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256 && n - i >= Vector256<float>.Count)
        {
            var best = Vector256.LoadUnsafe(ref input, (nuint)i);
            for (i += Vector256<float>.Count; i <= n - Vector256<float>.Count; i += Vector256<float>.Count) best = Vector256.Max(best, Vector256.LoadUnsafe(ref input, (nuint)i));
            max = MaxOfLanes(Vector128.Max(best.GetLower(), best.GetUpper()), max);
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128 && n - i >= Vector128<float>.Count)
        {
            var best = Vector128.LoadUnsafe(ref input, (nuint)i);
            for (i += Vector128<float>.Count; i <= n - Vector128<float>.Count; i += Vector128<float>.Count) best = Vector128.Max(best, Vector128.LoadUnsafe(ref input, (nuint)i));
            max = MaxOfLanes(best, max);
        }
        for (; i < n; i++) max = Math.Max(max, Unsafe.Add(ref input, i));
        return max;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float MaxOfLanes(Vector128<float> lanes, float max)
    {
        for (int k = 0; k < Vector128<float>.Count; k++) max = Math.Max(max, lanes.GetElement(k));
        return max;
    }

    /// <summary>
    /// QU8/QS8, bit-exact with <see cref="SoftmaxReference.Quantized{T}"/>: the row's largest stored value (vector max),
    /// the sum of <c>table[255 − max + x_j]</c> one element at a time in order (the reference's float32 sum; reordering it
    /// would change roundings), then the outputs. Rows of at least 256 elements first quantize every possible stored value
    /// v ≤ max at once, <c>lookup[v] = quantize(table[255 − max + v] · inverse)</c> (the whole table, contiguous, vectorized
    /// by <see cref="QuantizeProbabilities{T}"/>), and then set <c>y_j = lookup[x_j]</c>; shorter rows quantize element by element.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q8<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<float> table, float outputScale, int outputZeroPoint, VectorTier tier)
        where T : unmanaged
    {
        if (x.Length != y.Length || x.IsEmpty || table.Length != 256) throw new ArgumentException($"Rows of {x.Length} and {y.Length} elements, table of {table.Length}.");
        int max = Max(x, tier);
        int offset = 255 - max;
        ref float exponentials = ref Unsafe.Add(ref MemoryMarshal.GetReference(table), offset);
        ref T input = ref MemoryMarshal.GetReference(x);
        ref T output = ref MemoryMarshal.GetReference(y);
        float sum = 0;
        for (int j = 0; j < x.Length; j++) sum += Unsafe.Add(ref exponentials, ByteLanes.ToInt32(Unsafe.Add(ref input, j)));
        float inverse = 1f / (sum * outputScale);
        if (x.Length < 256)
        {
            for (int j = 0; j < x.Length; j++)
            {
                float p = Unsafe.Add(ref exponentials, ByteLanes.ToInt32(Unsafe.Add(ref input, j))) * inverse;
                Unsafe.Add(ref output, j) = QuantizeProbability<T>(p, outputZeroPoint);
            }
            return;
        }
        Span<T> lookup = stackalloc T[256];
        QuantizeProbabilities(table, inverse, outputZeroPoint, lookup, tier);
        ref T quantized = ref Unsafe.Add(ref MemoryMarshal.GetReference(lookup), offset);
        for (int j = 0; j < x.Length; j++) Unsafe.Add(ref output, j) = Unsafe.Add(ref quantized, ByteLanes.ToInt32(Unsafe.Add(ref input, j)));
    }

    /// <summary>The reference's quantization of one probability <paramref name="p"/> ≥ 0 (see <see cref="QuantizeProbabilities{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T QuantizeProbability<T>(float p, int zeroPoint)
        where T : unmanaged =>
        typeof(T) == typeof(byte)
            ? ByteLanes.FromInt32<T>(Math.Clamp((int)(p + 0.5f), byte.MinValue, byte.MaxValue))
            : ByteLanes.FromInt32<T>(Math.Clamp((int)MathF.Round(p, MidpointRounding.AwayFromZero) + zeroPoint, sbyte.MinValue, sbyte.MaxValue));

    /// <summary>
    /// <c>destination[k] = quantize(exponentials[k] · inverse)</c> with the reference's rules for non-negative p: uint8 stores
    /// <c>(int)(p + 0.5f)</c> (float add, then truncation) clamped to [0, 255]; int8 stores <c>round_half_away(p) + zeroPoint</c>,
    /// computed as <c>t = trunc(p); t + (p − t ≥ 0.5 ? 1 : 0)</c> (exact for p ≥ 0), clamped to [−128, 127]. Blocks of four
    /// vectors of float lanes are narrowed to one vector of 8-bit lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuantizeProbabilities<T>(ReadOnlySpan<float> exponentials, float inverse, int zeroPoint, Span<T> destination, VectorTier tier)
        where T : unmanaged
    {
        bool unsigned = typeof(T) == typeof(byte);
        int low = unsigned ? byte.MinValue : sbyte.MinValue, high = unsigned ? byte.MaxValue : sbyte.MaxValue;
        int n = destination.Length, i = 0;
        ref float e = ref MemoryMarshal.GetReference(exponentials);
        ref T d = ref MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
        {
            var (scale, zero, min, max) = (Vector512.Create(inverse), Vector512.Create(zeroPoint), Vector512.Create(low), Vector512.Create(high));
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                ref float block = ref Unsafe.Add(ref e, i);
                ByteLanes.Narrow<T>(
                    Quantize(Vector512.LoadUnsafe(ref block) * scale, unsigned, zero, min, max),
                    Quantize(Vector512.LoadUnsafe(ref block, 16) * scale, unsigned, zero, min, max),
                    Quantize(Vector512.LoadUnsafe(ref block, 32) * scale, unsigned, zero, min, max),
                    Quantize(Vector512.LoadUnsafe(ref block, 48) * scale, unsigned, zero, min, max)).StoreUnsafe(ref d, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
        {
            var (scale, zero, min, max) = (Vector256.Create(inverse), Vector256.Create(zeroPoint), Vector256.Create(low), Vector256.Create(high));
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                ref float block = ref Unsafe.Add(ref e, i);
                ByteLanes.Narrow<T>(
                    Quantize(Vector256.LoadUnsafe(ref block) * scale, unsigned, zero, min, max),
                    Quantize(Vector256.LoadUnsafe(ref block, 8) * scale, unsigned, zero, min, max),
                    Quantize(Vector256.LoadUnsafe(ref block, 16) * scale, unsigned, zero, min, max),
                    Quantize(Vector256.LoadUnsafe(ref block, 24) * scale, unsigned, zero, min, max)).StoreUnsafe(ref d, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
        {
            var (scale, zero, min, max) = (Vector128.Create(inverse), Vector128.Create(zeroPoint), Vector128.Create(low), Vector128.Create(high));
            for (; i <= n - Vector128<T>.Count; i += Vector128<T>.Count)
            {
                ref float block = ref Unsafe.Add(ref e, i);
                ByteLanes.Narrow<T>(
                    Quantize(Vector128.LoadUnsafe(ref block) * scale, unsigned, zero, min, max),
                    Quantize(Vector128.LoadUnsafe(ref block, 4) * scale, unsigned, zero, min, max),
                    Quantize(Vector128.LoadUnsafe(ref block, 8) * scale, unsigned, zero, min, max),
                    Quantize(Vector128.LoadUnsafe(ref block, 12) * scale, unsigned, zero, min, max)).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = QuantizeProbability<T>(Unsafe.Add(ref e, i) * inverse, zeroPoint);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Quantize(Vector512<float> p, bool unsigned, Vector512<int> zero, Vector512<int> min, Vector512<int> max)
    {
        Vector512<int> q;
        if (unsigned)
        {
            q = Vector512.ConvertToInt32(p + Vector512.Create(0.5f));
        }
        else
        {
            var whole = Vector512.Truncate(p);
            q = Vector512.ConvertToInt32(whole) - Vector512.GreaterThanOrEqual(p - whole, Vector512.Create(0.5f)).AsInt32() + zero;
        }
        return Vector512.Min(Vector512.Max(q, min), max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize(Vector256<float> p, bool unsigned, Vector256<int> zero, Vector256<int> min, Vector256<int> max)
    {
        Vector256<int> q;
        if (unsigned)
        {
            q = Vector256.ConvertToInt32(p + Vector256.Create(0.5f));
        }
        else
        {
            var whole = Vector256.Truncate(p);
            q = Vector256.ConvertToInt32(whole) - Vector256.GreaterThanOrEqual(p - whole, Vector256.Create(0.5f)).AsInt32() + zero;
        }
        return Vector256.Min(Vector256.Max(q, min), max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quantize(Vector128<float> p, bool unsigned, Vector128<int> zero, Vector128<int> min, Vector128<int> max)
    {
        Vector128<int> q;
        if (unsigned)
        {
            q = Vector128.ConvertToInt32(p + Vector128.Create(0.5f));
        }
        else
        {
            var whole = Vector128.Truncate(p);
            q = Vector128.ConvertToInt32(whole) - Vector128.GreaterThanOrEqual(p - whole, Vector128.Create(0.5f)).AsInt32() + zero;
        }
        return Vector128.Min(Vector128.Max(q, min), max);
    }

    /// <summary>The largest stored value of a non-empty row, as int32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Max<T>(ReadOnlySpan<T> x, VectorTier tier)
        where T : unmanaged
    {
        int n = x.Length, i = 0;
        ref T input = ref MemoryMarshal.GetReference(x);
        int max = int.MinValue;
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512 && n >= Vector512<T>.Count)
        {
            var best = Vector512.LoadUnsafe(ref input);
            for (i = Vector512<T>.Count; i <= n - Vector512<T>.Count; i += Vector512<T>.Count) best = Vector512.Max(best, Vector512.LoadUnsafe(ref input, (nuint)i));
            var folded = Vector256.Max(best.GetLower(), best.GetUpper());
            max = MaxOfLanes(Vector128.Max(folded.GetLower(), folded.GetUpper()), max);
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256 && n - i >= Vector256<T>.Count)
        {
            var best = Vector256.LoadUnsafe(ref input, (nuint)i);
            for (i += Vector256<T>.Count; i <= n - Vector256<T>.Count; i += Vector256<T>.Count) best = Vector256.Max(best, Vector256.LoadUnsafe(ref input, (nuint)i));
            max = MaxOfLanes(Vector128.Max(best.GetLower(), best.GetUpper()), max);
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128 && n - i >= Vector128<T>.Count)
        {
            var best = Vector128.LoadUnsafe(ref input, (nuint)i);
            for (i += Vector128<T>.Count; i <= n - Vector128<T>.Count; i += Vector128<T>.Count) best = Vector128.Max(best, Vector128.LoadUnsafe(ref input, (nuint)i));
            max = MaxOfLanes(best, max);
        }
        for (; i < n; i++) max = Math.Max(max, ByteLanes.ToInt32(Unsafe.Add(ref input, i)));
        return max;
    }

    /// <summary>The larger of <paramref name="max"/> and the largest 8-bit lane, folding the vector onto itself (shuffle and max) four times.</summary>
    private static int MaxOfLanes<T>(Vector128<T> lanes, int max)
        where T : unmanaged
    {
        lanes = Vector128.Max(lanes, Vector128.Shuffle(lanes.AsByte(), Vector128.Create((byte)8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15)).As<byte, T>());
        lanes = Vector128.Max(lanes, Vector128.Shuffle(lanes.AsByte(), Vector128.Create((byte)4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7)).As<byte, T>());
        lanes = Vector128.Max(lanes, Vector128.Shuffle(lanes.AsByte(), Vector128.Create((byte)2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3)).As<byte, T>());
        lanes = Vector128.Max(lanes, Vector128.Shuffle(lanes.AsByte(), Vector128.Create((byte)1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)).As<byte, T>());
        return Math.Max(max, ByteLanes.ToInt32(lanes.ToScalar()));
    }
}
