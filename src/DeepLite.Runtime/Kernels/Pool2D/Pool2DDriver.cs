using System.Numerics;
using System.Runtime.InteropServices;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Folds the input pixels under one pooling window (contiguous runs of Channels values, visited rows first,
/// then columns) into per-channel state, then writes the window's output pixel.
/// </summary>
internal interface IPoolWindow<T>
{
    /// <summary>Starts a new window.</summary>
    void Reset();

    /// <summary>Folds one input pixel (Channels values) into the state.</summary>
    void Add(ReadOnlySpan<T> pixel);

    /// <summary>Writes the output pixel for a window of <paramref name="count"/> in-bounds input pixels.</summary>
    void Write(Span<T> destination, int count);
}

/// <summary>
/// The loop behind every 2-D pooling kernel, channels innermost: for each output pixel (batch, row, column
/// order) the window's in-bounds input pixels are handed to an <see cref="IPoolWindow{T}"/> whole, so the
/// per-channel work is a contiguous (vectorizable) run.
/// </summary>
internal static class Pool2DDriver
{
    public static void Run<T, TWindow>(in Pool2DGeometry g, ReadOnlySpan<T> input, Span<T> output, TWindow window)
        where TWindow : struct, IPoolWindow<T>
    {
        g.Check(input.Length, output.Length);
        int channels = g.Channels;
        int outputIndex = 0;
        for (int b = 0; b < g.Batches; b++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                var (yStart, yEnd, yOrigin) = g.Rows(oy);
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    var (xStart, xEnd, xOrigin) = g.Columns(ox);
                    window.Reset();
                    for (int fy = yStart; fy < yEnd; fy++)
                    {
                        int row = ((b * g.InputHeight) + yOrigin + fy) * g.InputWidth;
                        for (int fx = xStart; fx < xEnd; fx++)
                        {
                            window.Add(input.Slice((row + xOrigin + fx) * channels, channels));
                        }
                    }
                    window.Write(output.Slice(outputIndex, channels), (yEnd - yStart) * (xEnd - xStart));
                    outputIndex += channels;
                }
            }
        }
    }
}

/// <summary>float32 average: per-channel float32 sums, then <c>min(max(sum / count, Min), Max)</c>.</summary>
internal readonly struct FloatAverageWindow(float[] sums, int channels, float min, float max) : IPoolWindow<float>
{
    private Span<float> Sums => sums.AsSpan(0, channels);

    public void Reset() => Sums.Clear();

    /// <summary><c>sums[c] += pixel[c]</c>, Vector&lt;float&gt;.Count channels at a time, scalar tail.</summary>
    public void Add(ReadOnlySpan<float> pixel)
    {
        var total = Sums;
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref float sum = ref MemoryMarshal.GetReference(total);
            ref float value = ref MemoryMarshal.GetReference(pixel);
            for (; c <= total.Length - Vector<float>.Count; c += Vector<float>.Count)
            {
                (Vector.LoadUnsafe(ref sum, (nuint)c) + Vector.LoadUnsafe(ref value, (nuint)c)).StoreUnsafe(ref sum, (nuint)c);
            }
        }
        for (; c < total.Length; c++) total[c] += pixel[c];
    }

    public void Write(Span<float> destination, int count)
    {
        var total = Sums;
        for (int c = 0; c < destination.Length; c++) destination[c] = Math.Min(Math.Max(total[c] / count, min), max);
    }
}

/// <summary>8-bit average: per-channel int32 sums, then <see cref="AveragePool2DReference.RoundedDivide"/> and the clamp.</summary>
internal readonly struct IntegerAverageWindow<T>(int[] sums, int channels, int min, int max) : IPoolWindow<T>
    where T : unmanaged, IBinaryInteger<T>
{
    private Span<int> Sums => sums.AsSpan(0, channels);

    public void Reset() => Sums.Clear();

    public void Add(ReadOnlySpan<T> pixel)
    {
        var total = Sums;
        for (int c = 0; c < total.Length; c++) total[c] += int.CreateTruncating(pixel[c]);
    }

    public void Write(Span<T> destination, int count)
    {
        var total = Sums;
        for (int c = 0; c < destination.Length; c++)
        {
            destination[c] = T.CreateTruncating(Math.Clamp(AveragePool2DReference.RoundedDivide(total[c], count), min, max));
        }
    }
}

/// <summary>
/// float32 maximum: a running per-channel maximum from <see cref="float.MinValue"/> that a value replaces only
/// when strictly greater (so NaN never wins, as in the reference), then the clamp.
/// </summary>
internal readonly struct FloatMaxWindow(float[] maxima, int channels, float min, float max) : IPoolWindow<float>
{
    private Span<float> Maxima => maxima.AsSpan(0, channels);

    public void Reset() => Maxima.Fill(float.MinValue);

    /// <summary>
    /// <c>running[c] = pixel[c] &gt; running[c] ? pixel[c] : running[c]</c>, Vector&lt;float&gt;.Count channels at a
    /// time with a compare-and-select, scalar tail.
    /// </summary>
    public void Add(ReadOnlySpan<float> pixel)
    {
        var running = Maxima;
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref float current = ref MemoryMarshal.GetReference(running);
            ref float value = ref MemoryMarshal.GetReference(pixel);
            for (; c <= running.Length - Vector<float>.Count; c += Vector<float>.Count)
            {
                var best = Vector.LoadUnsafe(ref current, (nuint)c);
                var candidate = Vector.LoadUnsafe(ref value, (nuint)c);
                Vector.ConditionalSelect(Vector.GreaterThan(candidate, best), candidate, best).StoreUnsafe(ref current, (nuint)c);
            }
        }
        for (; c < running.Length; c++)
        {
            if (pixel[c] > running[c]) running[c] = pixel[c];
        }
    }

    public void Write(Span<float> destination, int count)
    {
        var running = Maxima;
        for (int c = 0; c < destination.Length; c++) destination[c] = Math.Min(Math.Max(running[c], min), max);
    }
}

/// <summary>8-bit maximum: a running per-channel maximum of stored values, then the clamp.</summary>
internal readonly struct IntegerMaxWindow<T>(int[] maxima, int channels, int min, int max) : IPoolWindow<T>
    where T : unmanaged, IBinaryInteger<T>
{
    private Span<int> Maxima => maxima.AsSpan(0, channels);

    public void Reset() => Maxima.Fill(int.MinValue);

    public void Add(ReadOnlySpan<T> pixel)
    {
        var running = Maxima;
        for (int c = 0; c < running.Length; c++) running[c] = Math.Max(running[c], int.CreateTruncating(pixel[c]));
    }

    public void Write(Span<T> destination, int count)
    {
        var running = Maxima;
        for (int c = 0; c < destination.Length; c++) destination[c] = T.CreateTruncating(Math.Clamp(running[c], min, max));
    }
}
