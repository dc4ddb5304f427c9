using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference AVERAGE_POOL_2D over NHWC: each output value is the mean of the input values under its window
/// that lie inside the input (padding is excluded from both sum and count).
/// </summary>
internal static class AveragePool2DReference
{
    /// <summary>float32: sum in float32 (window rows, then columns), divided by the count, clamped.</summary>
    public static void F32(in Pool2DGeometry g, ReadOnlySpan<float> input, Span<float> output, float activationMin, float activationMax)
    {
        g.Check(input.Length, output.Length);
        foreach (var (index, taps) in g.Windows())
        {
            float total = 0;
            foreach (int tap in taps) total += input[tap];
            output[index] = Math.Min(Math.Max(total / taps.Length, activationMin), activationMax);
        }
    }

    /// <summary>
    /// uint8/int8 (TFLite's rule): integer sum of the stored values, divided by the count rounding half away
    /// from zero (<see cref="RoundedDivide"/>), clamped to [<paramref name="activationMin"/>, <paramref name="activationMax"/>].
    /// Input and output share scale and zero point.
    /// </summary>
    public static void Quantized<T>(in Pool2DGeometry g, ReadOnlySpan<T> input, Span<T> output, int activationMin, int activationMax)
        where T : unmanaged, IBinaryInteger<T>
    {
        g.Check(input.Length, output.Length);
        foreach (var (index, taps) in g.Windows())
        {
            int total = 0;
            foreach (int tap in taps) total += int.CreateTruncating(input[tap]);
            output[index] = T.CreateTruncating(Math.Clamp(RoundedDivide(total, taps.Length), activationMin, activationMax));
        }
    }

    /// <summary><c>total / count</c> rounded half away from zero: <c>(total ± count/2) / count</c> with truncating division.</summary>
    public static int RoundedDivide(int total, int count) =>
        total > 0 ? (total + (count / 2)) / count : (total - (count / 2)) / count;
}
