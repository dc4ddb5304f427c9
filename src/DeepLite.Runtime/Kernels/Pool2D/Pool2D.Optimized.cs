using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Channel-vectorized 2-D pooling over NHWC, bit-exact with <see cref="AveragePool2DReference"/> and
/// <see cref="MaxPool2DReference"/>. Each call handles output pixels [firstPixel, endPixel) in (batch, row, column)
/// order, so disjoint ranges can run on different workers. For one output pixel, the channels are cut into blocks:
/// lane k of a block is channel <c>c + k</c>, and each block folds the window's in-bounds input pixels (rows first, then
/// columns, the reference's order) into registers, then writes its output lanes. Block widths follow the tier ladder
/// (the widest allowed vector, then each narrower one for what is left), and the last channels run scalar code.
/// </summary>
internal static class Pool2DMicrokernels
{
    /// <summary>Windows with more in-bounds taps than this divide in scalar code (the vector division needs |sum| &lt; 2^24).</summary>
    public const int MaximumVectorTaps = 65535;

    /// <summary>
    /// F32 average: per lane <c>sum = 0 + x_0 + x_1 + …</c> in float32, then <c>min(max(sum / count, min), max)</c>.
    /// Blocks hold four vectors (four independent sums) of the widest tier, then of each narrower tier; the last
    /// channels go one Vector128 at a time and then scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageF32(in Pool2DGeometry g, ReadOnlySpan<float> input, Span<float> output, float min, float max,
        VectorTier tier, int firstPixel, int endPixel)
    {
        g.Check(input.Length, output.Length);
        int channels = g.Channels;
        ref float source = ref MemoryMarshal.GetReference(input);
        ref float destination = ref MemoryMarshal.GetReference(output);
        for (int pixel = firstPixel; pixel < endPixel; pixel++)
        {
            var w = PoolWindow.Of(g, pixel);
            ref float result = ref Unsafe.Add(ref destination, pixel * channels);
            int c = 0;
            if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
            {
                var (count, low, high) = (Vector512.Create((float)w.Count), Vector512.Create(min), Vector512.Create(max));
                for (; c <= channels - (4 * Vector512<float>.Count); c += 4 * Vector512<float>.Count)
                {
                    Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ref float x = ref Unsafe.Add(ref source, at);
                            s0 += Vector512.LoadUnsafe(ref x);
                            s1 += Vector512.LoadUnsafe(ref x, 16);
                            s2 += Vector512.LoadUnsafe(ref x, 32);
                            s3 += Vector512.LoadUnsafe(ref x, 48);
                        }
                    }
                    Vector512.Min(Vector512.Max(s0 / count, low), high).StoreUnsafe(ref result, (nuint)c);
                    Vector512.Min(Vector512.Max(s1 / count, low), high).StoreUnsafe(ref result, (nuint)c + 16);
                    Vector512.Min(Vector512.Max(s2 / count, low), high).StoreUnsafe(ref result, (nuint)c + 32);
                    Vector512.Min(Vector512.Max(s3 / count, low), high).StoreUnsafe(ref result, (nuint)c + 48);
                }
            }
            if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
            {
                var (count, low, high) = (Vector256.Create((float)w.Count), Vector256.Create(min), Vector256.Create(max));
                for (; c <= channels - (4 * Vector256<float>.Count); c += 4 * Vector256<float>.Count)
                {
                    Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ref float x = ref Unsafe.Add(ref source, at);
                            s0 += Vector256.LoadUnsafe(ref x);
                            s1 += Vector256.LoadUnsafe(ref x, 8);
                            s2 += Vector256.LoadUnsafe(ref x, 16);
                            s3 += Vector256.LoadUnsafe(ref x, 24);
                        }
                    }
                    Vector256.Min(Vector256.Max(s0 / count, low), high).StoreUnsafe(ref result, (nuint)c);
                    Vector256.Min(Vector256.Max(s1 / count, low), high).StoreUnsafe(ref result, (nuint)c + 8);
                    Vector256.Min(Vector256.Max(s2 / count, low), high).StoreUnsafe(ref result, (nuint)c + 16);
                    Vector256.Min(Vector256.Max(s3 / count, low), high).StoreUnsafe(ref result, (nuint)c + 24);
                }
            }
            if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
            {
                var (count, low, high) = (Vector128.Create((float)w.Count), Vector128.Create(min), Vector128.Create(max));
                for (; c <= channels - (4 * Vector128<float>.Count); c += 4 * Vector128<float>.Count)
                {
                    Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ref float x = ref Unsafe.Add(ref source, at);
                            s0 += Vector128.LoadUnsafe(ref x);
                            s1 += Vector128.LoadUnsafe(ref x, 4);
                            s2 += Vector128.LoadUnsafe(ref x, 8);
                            s3 += Vector128.LoadUnsafe(ref x, 12);
                        }
                    }
                    Vector128.Min(Vector128.Max(s0 / count, low), high).StoreUnsafe(ref result, (nuint)c);
                    Vector128.Min(Vector128.Max(s1 / count, low), high).StoreUnsafe(ref result, (nuint)c + 4);
                    Vector128.Min(Vector128.Max(s2 / count, low), high).StoreUnsafe(ref result, (nuint)c + 8);
                    Vector128.Min(Vector128.Max(s3 / count, low), high).StoreUnsafe(ref result, (nuint)c + 12);
                }
                for (; c <= channels - Vector128<float>.Count; c += Vector128<float>.Count)
                {
                    var sum = Vector128<float>.Zero;
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels) sum += Vector128.LoadUnsafe(ref source, (nuint)at);
                    }
                    Vector128.Min(Vector128.Max(sum / count, low), high).StoreUnsafe(ref result, (nuint)c);
                }
            }
            for (; c < channels; c++)
            {
                float sum = 0;
                for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                {
                    for (int k = 0, at = row; k < w.Columns; k++, at += channels) sum += Unsafe.Add(ref source, at);
                }
                Unsafe.Add(ref result, c) = Math.Min(Math.Max(sum / w.Count, min), max);
            }
        }
    }

    /// <summary>
    /// QU8/QS8 average: per lane the exact int32 sum of stored values, then
    /// <see cref="AveragePool2DReference.RoundedDivide"/> by the tap count (vectorized by <see cref="RoundedDivide(Vector512{int}, Vector512{int}, Vector512{int}, Vector512{float})"/>)
    /// and the clamp to [<paramref name="min"/>, <paramref name="max"/>]. Blocks widen N stored values to four int32 vectors (<see cref="ByteLanes"/>),
    /// widest tier first; the last channels go four at a time (one Vector128 of int32) and then scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageQ8<T>(in Pool2DGeometry g, ReadOnlySpan<T> input, Span<T> output, int min, int max,
        VectorTier tier, int firstPixel, int endPixel)
        where T : unmanaged
    {
        g.Check(input.Length, output.Length);
        int channels = g.Channels;
        ref T source = ref MemoryMarshal.GetReference(input);
        ref T destination = ref MemoryMarshal.GetReference(output);
        for (int pixel = firstPixel; pixel < endPixel; pixel++)
        {
            var w = PoolWindow.Of(g, pixel);
            ref T result = ref Unsafe.Add(ref destination, pixel * channels);
            var laneTier = w.Count <= MaximumVectorTaps ? tier : VectorTier.Scalar;
            int c = 0;
            if (Vector512.IsHardwareAccelerated && laneTier >= VectorTier.Vector512)
            {
                var (count, half, inverse) = (Vector512.Create(w.Count), Vector512.Create(w.Count / 2), Vector512.Create(1f / w.Count));
                var (low, high) = (Vector512.Create(min), Vector512.Create(max));
                for (; c <= channels - Vector512<T>.Count; c += Vector512<T>.Count)
                {
                    Vector512<int> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ByteLanes.Widen(Vector512.LoadUnsafe(ref source, (nuint)at), out var x0, out var x1, out var x2, out var x3);
                            (s0, s1, s2, s3) = (s0 + x0, s1 + x1, s2 + x2, s3 + x3);
                        }
                    }
                    ByteLanes.Narrow<T>(
                        Vector512.Min(Vector512.Max(RoundedDivide(s0, count, half, inverse), low), high),
                        Vector512.Min(Vector512.Max(RoundedDivide(s1, count, half, inverse), low), high),
                        Vector512.Min(Vector512.Max(RoundedDivide(s2, count, half, inverse), low), high),
                        Vector512.Min(Vector512.Max(RoundedDivide(s3, count, half, inverse), low), high)).StoreUnsafe(ref result, (nuint)c);
                }
            }
            if (Vector256.IsHardwareAccelerated && laneTier >= VectorTier.Vector256)
            {
                var (count, half, inverse) = (Vector256.Create(w.Count), Vector256.Create(w.Count / 2), Vector256.Create(1f / w.Count));
                var (low, high) = (Vector256.Create(min), Vector256.Create(max));
                for (; c <= channels - Vector256<T>.Count; c += Vector256<T>.Count)
                {
                    Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ByteLanes.Widen(Vector256.LoadUnsafe(ref source, (nuint)at), out var x0, out var x1, out var x2, out var x3);
                            (s0, s1, s2, s3) = (s0 + x0, s1 + x1, s2 + x2, s3 + x3);
                        }
                    }
                    ByteLanes.Narrow<T>(
                        Vector256.Min(Vector256.Max(RoundedDivide(s0, count, half, inverse), low), high),
                        Vector256.Min(Vector256.Max(RoundedDivide(s1, count, half, inverse), low), high),
                        Vector256.Min(Vector256.Max(RoundedDivide(s2, count, half, inverse), low), high),
                        Vector256.Min(Vector256.Max(RoundedDivide(s3, count, half, inverse), low), high)).StoreUnsafe(ref result, (nuint)c);
                }
            }
            if (Vector128.IsHardwareAccelerated && laneTier >= VectorTier.Vector128)
            {
                var (count, half, inverse) = (Vector128.Create(w.Count), Vector128.Create(w.Count / 2), Vector128.Create(1f / w.Count));
                var (low, high) = (Vector128.Create(min), Vector128.Create(max));
                for (; c <= channels - Vector128<T>.Count; c += Vector128<T>.Count)
                {
                    Vector128<int> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ByteLanes.Widen(Vector128.LoadUnsafe(ref source, (nuint)at), out var x0, out var x1, out var x2, out var x3);
                            (s0, s1, s2, s3) = (s0 + x0, s1 + x1, s2 + x2, s3 + x3);
                        }
                    }
                    ByteLanes.Narrow<T>(
                        Vector128.Min(Vector128.Max(RoundedDivide(s0, count, half, inverse), low), high),
                        Vector128.Min(Vector128.Max(RoundedDivide(s1, count, half, inverse), low), high),
                        Vector128.Min(Vector128.Max(RoundedDivide(s2, count, half, inverse), low), high),
                        Vector128.Min(Vector128.Max(RoundedDivide(s3, count, half, inverse), low), high)).StoreUnsafe(ref result, (nuint)c);
                }
                for (; c <= channels - 4; c += 4)
                {
                    var sum = Vector128<int>.Zero;
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels) sum += ByteLanes.LoadFour(ref Unsafe.Add(ref source, at));
                    }
                    ByteLanes.StoreFour(Vector128.Min(Vector128.Max(RoundedDivide(sum, count, half, inverse), low), high), ref Unsafe.Add(ref result, c));
                }
            }
            for (; c < channels; c++)
            {
                int sum = 0;
                for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                {
                    for (int k = 0, at = row; k < w.Columns; k++, at += channels) sum += ByteLanes.ToInt32(Unsafe.Add(ref source, at));
                }
                Unsafe.Add(ref result, c) = ByteLanes.FromInt32<T>(Math.Clamp(AveragePool2DReference.RoundedDivide(sum, w.Count), min, max));
            }
        }
    }

    /// <summary>
    /// F32 maximum: per lane a running maximum from <see cref="float.MinValue"/> that a value replaces only when strictly
    /// greater (compare and select, so NaN never wins), then <c>min(max(best, min), max)</c>. Blocks as in <see cref="AverageF32"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxF32(in Pool2DGeometry g, ReadOnlySpan<float> input, Span<float> output, float min, float max,
        VectorTier tier, int firstPixel, int endPixel)
    {
        g.Check(input.Length, output.Length);
        int channels = g.Channels;
        ref float source = ref MemoryMarshal.GetReference(input);
        ref float destination = ref MemoryMarshal.GetReference(output);
        for (int pixel = firstPixel; pixel < endPixel; pixel++)
        {
            var w = PoolWindow.Of(g, pixel);
            ref float result = ref Unsafe.Add(ref destination, pixel * channels);
            int c = 0;
            if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
            {
                var (low, high) = (Vector512.Create(min), Vector512.Create(max));
                for (; c <= channels - (4 * Vector512<float>.Count); c += 4 * Vector512<float>.Count)
                {
                    var b0 = Vector512.Create(float.MinValue);
                    var (b1, b2, b3) = (b0, b0, b0);
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ref float x = ref Unsafe.Add(ref source, at);
                            b0 = Larger(Vector512.LoadUnsafe(ref x), b0);
                            b1 = Larger(Vector512.LoadUnsafe(ref x, 16), b1);
                            b2 = Larger(Vector512.LoadUnsafe(ref x, 32), b2);
                            b3 = Larger(Vector512.LoadUnsafe(ref x, 48), b3);
                        }
                    }
                    Vector512.Min(Vector512.Max(b0, low), high).StoreUnsafe(ref result, (nuint)c);
                    Vector512.Min(Vector512.Max(b1, low), high).StoreUnsafe(ref result, (nuint)c + 16);
                    Vector512.Min(Vector512.Max(b2, low), high).StoreUnsafe(ref result, (nuint)c + 32);
                    Vector512.Min(Vector512.Max(b3, low), high).StoreUnsafe(ref result, (nuint)c + 48);
                }
            }
            if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
            {
                var (low, high) = (Vector256.Create(min), Vector256.Create(max));
                for (; c <= channels - (4 * Vector256<float>.Count); c += 4 * Vector256<float>.Count)
                {
                    var b0 = Vector256.Create(float.MinValue);
                    var (b1, b2, b3) = (b0, b0, b0);
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ref float x = ref Unsafe.Add(ref source, at);
                            b0 = Larger(Vector256.LoadUnsafe(ref x), b0);
                            b1 = Larger(Vector256.LoadUnsafe(ref x, 8), b1);
                            b2 = Larger(Vector256.LoadUnsafe(ref x, 16), b2);
                            b3 = Larger(Vector256.LoadUnsafe(ref x, 24), b3);
                        }
                    }
                    Vector256.Min(Vector256.Max(b0, low), high).StoreUnsafe(ref result, (nuint)c);
                    Vector256.Min(Vector256.Max(b1, low), high).StoreUnsafe(ref result, (nuint)c + 8);
                    Vector256.Min(Vector256.Max(b2, low), high).StoreUnsafe(ref result, (nuint)c + 16);
                    Vector256.Min(Vector256.Max(b3, low), high).StoreUnsafe(ref result, (nuint)c + 24);
                }
            }
            if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
            {
                var (low, high) = (Vector128.Create(min), Vector128.Create(max));
                for (; c <= channels - (4 * Vector128<float>.Count); c += 4 * Vector128<float>.Count)
                {
                    var b0 = Vector128.Create(float.MinValue);
                    var (b1, b2, b3) = (b0, b0, b0);
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                        {
                            ref float x = ref Unsafe.Add(ref source, at);
                            b0 = Larger(Vector128.LoadUnsafe(ref x), b0);
                            b1 = Larger(Vector128.LoadUnsafe(ref x, 4), b1);
                            b2 = Larger(Vector128.LoadUnsafe(ref x, 8), b2);
                            b3 = Larger(Vector128.LoadUnsafe(ref x, 12), b3);
                        }
                    }
                    Vector128.Min(Vector128.Max(b0, low), high).StoreUnsafe(ref result, (nuint)c);
                    Vector128.Min(Vector128.Max(b1, low), high).StoreUnsafe(ref result, (nuint)c + 4);
                    Vector128.Min(Vector128.Max(b2, low), high).StoreUnsafe(ref result, (nuint)c + 8);
                    Vector128.Min(Vector128.Max(b3, low), high).StoreUnsafe(ref result, (nuint)c + 12);
                }
                for (; c <= channels - Vector128<float>.Count; c += Vector128<float>.Count)
                {
                    var best = Vector128.Create(float.MinValue);
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels) best = Larger(Vector128.LoadUnsafe(ref source, (nuint)at), best);
                    }
                    Vector128.Min(Vector128.Max(best, low), high).StoreUnsafe(ref result, (nuint)c);
                }
            }
            for (; c < channels; c++)
            {
                float best = float.MinValue;
                for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                {
                    for (int k = 0, at = row; k < w.Columns; k++, at += channels)
                    {
                        float x = Unsafe.Add(ref source, at);
                        if (x > best) best = x;
                    }
                }
                Unsafe.Add(ref result, c) = Math.Min(Math.Max(best, min), max);
            }
        }
    }

    /// <summary>Per lane <c>x &gt; best ? x : best</c> (NaN in <paramref name="x"/> never wins).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Larger(Vector512<float> x, Vector512<float> best) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, best), x, best);

    /// <inheritdoc cref="Larger(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Larger(Vector256<float> x, Vector256<float> best) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, best), x, best);

    /// <inheritdoc cref="Larger(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Larger(Vector128<float> x, Vector128<float> best) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, best), x, best);

    /// <summary>
    /// QU8/QS8 maximum: per 8-bit lane the largest stored value of the window (the first tap starts it; windows are
    /// never empty), then the clamp to [<paramref name="min"/>, <paramref name="max"/>], all in the stored type.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxQ8<T>(in Pool2DGeometry g, ReadOnlySpan<T> input, Span<T> output, int min, int max,
        VectorTier tier, int firstPixel, int endPixel)
        where T : unmanaged
    {
        g.Check(input.Length, output.Length);
        int channels = g.Channels;
        ref T source = ref MemoryMarshal.GetReference(input);
        ref T destination = ref MemoryMarshal.GetReference(output);
        T storedMin = ByteLanes.FromInt32<T>(min), storedMax = ByteLanes.FromInt32<T>(max);
        for (int pixel = firstPixel; pixel < endPixel; pixel++)
        {
            var w = PoolWindow.Of(g, pixel);
            ref T result = ref Unsafe.Add(ref destination, pixel * channels);
            int c = 0;
            if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
            {
                var (low, high) = (Vector512.Create(storedMin), Vector512.Create(storedMax));
                for (; c <= channels - Vector512<T>.Count; c += Vector512<T>.Count)
                {
                    var best = Vector512.LoadUnsafe(ref source, (nuint)(w.First + c));
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels) best = Vector512.Max(best, Vector512.LoadUnsafe(ref source, (nuint)at));
                    }
                    Vector512.Min(Vector512.Max(best, low), high).StoreUnsafe(ref result, (nuint)c);
                }
            }
            if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
            {
                var (low, high) = (Vector256.Create(storedMin), Vector256.Create(storedMax));
                for (; c <= channels - Vector256<T>.Count; c += Vector256<T>.Count)
                {
                    var best = Vector256.LoadUnsafe(ref source, (nuint)(w.First + c));
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels) best = Vector256.Max(best, Vector256.LoadUnsafe(ref source, (nuint)at));
                    }
                    Vector256.Min(Vector256.Max(best, low), high).StoreUnsafe(ref result, (nuint)c);
                }
            }
            if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
            {
                var (low, high) = (Vector128.Create(storedMin), Vector128.Create(storedMax));
                for (; c <= channels - Vector128<T>.Count; c += Vector128<T>.Count)
                {
                    var best = Vector128.LoadUnsafe(ref source, (nuint)(w.First + c));
                    for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                    {
                        for (int k = 0, at = row; k < w.Columns; k++, at += channels) best = Vector128.Max(best, Vector128.LoadUnsafe(ref source, (nuint)at));
                    }
                    Vector128.Min(Vector128.Max(best, low), high).StoreUnsafe(ref result, (nuint)c);
                }
            }
            for (; c < channels; c++)
            {
                int best = int.MinValue;
                for (int r = 0, row = w.First + c; r < w.Rows; r++, row += w.RowStride)
                {
                    for (int k = 0, at = row; k < w.Columns; k++, at += channels) best = Math.Max(best, ByteLanes.ToInt32(Unsafe.Add(ref source, at)));
                }
                Unsafe.Add(ref result, c) = ByteLanes.FromInt32<T>(Math.Clamp(best, min, max));
            }
        }
    }

    /// <summary>
    /// <see cref="AveragePool2DReference.RoundedDivide"/> per lane: <c>sign(total) · ⌊(|total| + count/2) / count⌋</c>. The
    /// quotient is estimated in float32 (exact inputs below 2^24, error far below one) and corrected by one step using the
    /// exact int32 remainder.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> RoundedDivide(Vector512<int> total, Vector512<int> count, Vector512<int> half, Vector512<float> inverse)
    {
        var dividend = Vector512.Abs(total) + half;
        var quotient = Vector512.ConvertToInt32(Vector512.ConvertToSingle(dividend) * inverse);
        var remainder = dividend - (quotient * count);
        quotient = quotient - Vector512.GreaterThanOrEqual(remainder, count) + Vector512.LessThan(remainder, Vector512<int>.Zero);
        return Vector512.ConditionalSelect(Vector512.LessThan(total, Vector512<int>.Zero), -quotient, quotient);
    }

    /// <inheritdoc cref="RoundedDivide(Vector512{int}, Vector512{int}, Vector512{int}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> RoundedDivide(Vector256<int> total, Vector256<int> count, Vector256<int> half, Vector256<float> inverse)
    {
        var dividend = Vector256.Abs(total) + half;
        var quotient = Vector256.ConvertToInt32(Vector256.ConvertToSingle(dividend) * inverse);
        var remainder = dividend - (quotient * count);
        quotient = quotient - Vector256.GreaterThanOrEqual(remainder, count) + Vector256.LessThan(remainder, Vector256<int>.Zero);
        return Vector256.ConditionalSelect(Vector256.LessThan(total, Vector256<int>.Zero), -quotient, quotient);
    }

    /// <inheritdoc cref="RoundedDivide(Vector512{int}, Vector512{int}, Vector512{int}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> RoundedDivide(Vector128<int> total, Vector128<int> count, Vector128<int> half, Vector128<float> inverse)
    {
        var dividend = Vector128.Abs(total) + half;
        var quotient = Vector128.ConvertToInt32(Vector128.ConvertToSingle(dividend) * inverse);
        var remainder = dividend - (quotient * count);
        quotient = quotient - Vector128.GreaterThanOrEqual(remainder, count) + Vector128.LessThan(remainder, Vector128<int>.Zero);
        return Vector128.ConditionalSelect(Vector128.LessThan(total, Vector128<int>.Zero), -quotient, quotient);
    }

    /// <summary>
    /// The in-bounds part of one output pixel's window: <see cref="Rows"/> × <see cref="Columns"/> input pixels, the first
    /// at element offset <see cref="First"/>, rows <see cref="RowStride"/> elements apart and pixels Channels apart.
    /// </summary>
    private readonly record struct PoolWindow(int First, int Rows, int Columns, int RowStride)
    {
        public int Count => Rows * Columns;

        public static PoolWindow Of(in Pool2DGeometry g, int pixel)
        {
            int perImage = g.OutputHeight * g.OutputWidth;
            int batch = pixel / perImage, rest = pixel - (batch * perImage);
            int outputY = rest / g.OutputWidth, outputX = rest - (outputY * g.OutputWidth);
            var (yStart, yEnd, yOrigin) = g.Rows(outputY);
            var (xStart, xEnd, xOrigin) = g.Columns(outputX);
            int first = ((((batch * g.InputHeight) + yOrigin + yStart) * g.InputWidth) + xOrigin + xStart) * g.Channels;
            return new PoolWindow(first, yEnd - yStart, xEnd - xStart, g.InputWidth * g.Channels);
        }
    }
}
