using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Vectorized pieces of MEAN, bit-exact with <see cref="MeanReference"/>: adding a contiguous run of inputs into the
/// sums of the outputs it reduces into (lane k is element k of the run, so every output still receives its inputs in
/// row-major order), summing a run of 8-bit values exactly, and dividing float32 sums by the count. Loops take blocks of
/// the widest allowed vector, hand the rest to each narrower one, and finish in scalar code.
/// </summary>
internal static class MeanMicrokernels
{
    /// <summary>F32: <c>sums[i] += values[i]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateF32(ReadOnlySpan<float> values, Span<float> sums, VectorTier tier)
    {
        if (values.Length != sums.Length) throw new ArgumentException($"{values.Length} values for {sums.Length} sums.");
        int n = values.Length, i = 0;
        ref float x = ref MemoryMarshal.GetReference(values);
        ref float s = ref MemoryMarshal.GetReference(sums);
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                (Vector512.LoadUnsafe(ref s, (nuint)i) + Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256.LoadUnsafe(ref s, (nuint)i) + Vector256.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
        {
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                (Vector128.LoadUnsafe(ref s, (nuint)i) + Vector128.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref s, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref s, i) += Unsafe.Add(ref x, i);
    }

    /// <summary>
    /// QU8/QS8: <c>sums[i] += values[i]</c> with the stored values widened to int32 (<see cref="ByteLanes"/>: a block of N
    /// values adds into four int32 vectors of sums); the last values go four at a time, then scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateQ8<T>(ReadOnlySpan<T> values, Span<int> sums, VectorTier tier)
        where T : unmanaged
    {
        if (values.Length != sums.Length) throw new ArgumentException($"{values.Length} values for {sums.Length} sums.");
        int n = values.Length, i = 0;
        ref T x = ref MemoryMarshal.GetReference(values);
        ref int s = ref MemoryMarshal.GetReference(sums);
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
        {
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                ByteLanes.Widen(Vector512.LoadUnsafe(ref x, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                ref int sum = ref Unsafe.Add(ref s, i);
                (Vector512.LoadUnsafe(ref sum) + x0).StoreUnsafe(ref sum);
                (Vector512.LoadUnsafe(ref sum, 16) + x1).StoreUnsafe(ref sum, 16);
                (Vector512.LoadUnsafe(ref sum, 32) + x2).StoreUnsafe(ref sum, 32);
                (Vector512.LoadUnsafe(ref sum, 48) + x3).StoreUnsafe(ref sum, 48);
            }
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
        {
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                ByteLanes.Widen(Vector256.LoadUnsafe(ref x, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                ref int sum = ref Unsafe.Add(ref s, i);
                (Vector256.LoadUnsafe(ref sum) + x0).StoreUnsafe(ref sum);
                (Vector256.LoadUnsafe(ref sum, 8) + x1).StoreUnsafe(ref sum, 8);
                (Vector256.LoadUnsafe(ref sum, 16) + x2).StoreUnsafe(ref sum, 16);
                (Vector256.LoadUnsafe(ref sum, 24) + x3).StoreUnsafe(ref sum, 24);
            }
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
        {
            for (; i <= n - Vector128<T>.Count; i += Vector128<T>.Count)
            {
                ByteLanes.Widen(Vector128.LoadUnsafe(ref x, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                ref int sum = ref Unsafe.Add(ref s, i);
                (Vector128.LoadUnsafe(ref sum) + x0).StoreUnsafe(ref sum);
                (Vector128.LoadUnsafe(ref sum, 4) + x1).StoreUnsafe(ref sum, 4);
                (Vector128.LoadUnsafe(ref sum, 8) + x2).StoreUnsafe(ref sum, 8);
                (Vector128.LoadUnsafe(ref sum, 12) + x3).StoreUnsafe(ref sum, 12);
            }
            for (; i <= n - 4; i += 4)
            {
                ref int sum = ref Unsafe.Add(ref s, i);
                (Vector128.LoadUnsafe(ref sum) + ByteLanes.LoadFour(ref Unsafe.Add(ref x, i))).StoreUnsafe(ref sum);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref s, i) += ByteLanes.ToInt32(Unsafe.Add(ref x, i));
    }

    /// <summary>
    /// QU8/QS8: the exact int32 sum of the stored values (int32 lanes accumulate blocks, then are added together; integer
    /// addition makes the order irrelevant). The caller keeps <c>255 · length</c> below 2^31.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int SumQ8<T>(ReadOnlySpan<T> values, VectorTier tier)
        where T : unmanaged
    {
        int n = values.Length, i = 0, total = 0;
        ref T x = ref MemoryMarshal.GetReference(values);
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512 && n >= Vector512<T>.Count)
        {
            var sum = Vector512<int>.Zero;
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                ByteLanes.Widen(Vector512.LoadUnsafe(ref x, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                sum += (x0 + x1) + (x2 + x3);
            }
            total += Vector512.Sum(sum);
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256 && n - i >= Vector256<T>.Count)
        {
            var sum = Vector256<int>.Zero;
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                ByteLanes.Widen(Vector256.LoadUnsafe(ref x, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                sum += (x0 + x1) + (x2 + x3);
            }
            total += Vector256.Sum(sum);
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128 && n - i >= Vector128<T>.Count)
        {
            var sum = Vector128<int>.Zero;
            for (; i <= n - Vector128<T>.Count; i += Vector128<T>.Count)
            {
                ByteLanes.Widen(Vector128.LoadUnsafe(ref x, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                sum += (x0 + x1) + (x2 + x3);
            }
            total += Vector128.Sum(sum);
        }
        for (; i < n; i++) total += ByteLanes.ToInt32(Unsafe.Add(ref x, i));
        return total;
    }

    /// <summary>F32: <c>output[i] = sums[i] / count</c> (IEEE division per lane, as the scalar form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DivideF32(ReadOnlySpan<float> sums, float count, Span<float> output, VectorTier tier)
    {
        if (sums.Length != output.Length) throw new ArgumentException($"{sums.Length} sums for {output.Length} outputs.");
        int n = sums.Length, i = 0;
        ref float s = ref MemoryMarshal.GetReference(sums);
        ref float o = ref MemoryMarshal.GetReference(output);
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
        {
            var divisor = Vector512.Create(count);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count) (Vector512.LoadUnsafe(ref s, (nuint)i) / divisor).StoreUnsafe(ref o, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
        {
            var divisor = Vector256.Create(count);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count) (Vector256.LoadUnsafe(ref s, (nuint)i) / divisor).StoreUnsafe(ref o, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
        {
            var divisor = Vector128.Create(count);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count) (Vector128.LoadUnsafe(ref s, (nuint)i) / divisor).StoreUnsafe(ref o, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref o, i) = Unsafe.Add(ref s, i) / count;
    }
}

/// <summary>float32 sums: vectorized adds of kept runs; reduced runs add one value at a time, in order, onto the running sum.</summary>
internal readonly struct FloatMeanLoop(VectorTier tier) : IReductionLoop<float, float>
{
    public void AddRun(ReadOnlySpan<float> run, Span<float> sums) => MeanMicrokernels.AccumulateF32(run, sums, tier);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float SumRun(ReadOnlySpan<float> run, float total)
    {
        foreach (float value in run) total += value;
        return total;
    }
}

/// <summary>Stored 8-bit values summed exactly in int32 (the kernel uses it while <c>255 · count</c> fits).</summary>
internal readonly struct EightBitMeanLoop<T>(VectorTier tier) : IReductionLoop<T, int>
    where T : unmanaged
{
    public void AddRun(ReadOnlySpan<T> run, Span<int> sums) => MeanMicrokernels.AccumulateQ8(run, sums, tier);

    public int SumRun(ReadOnlySpan<T> run, int total) => total + MeanMicrokernels.SumQ8(run, tier);
}

/// <summary>Stored 8-bit values summed exactly in int64, one at a time (reductions too large for int32 sums).</summary>
internal readonly struct WideEightBitMeanLoop<T> : IReductionLoop<T, long>
    where T : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddRun(ReadOnlySpan<T> run, Span<long> sums)
    {
        for (int i = 0; i < run.Length; i++) sums[i] += ByteLanes.ToInt32(run[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long SumRun(ReadOnlySpan<T> run, long total)
    {
        foreach (var value in run) total += ByteLanes.ToInt32(value);
        return total;
    }
}
