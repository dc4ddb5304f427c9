using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference MAX_POOL_2D over NHWC: each output value is the largest input value under its window among
/// positions inside the input, then clamped by the fused activation.
/// </summary>
internal static class MaxPool2DReference
{
    /// <summary>float32: running maximum from <see cref="float.MinValue"/>, replaced only by strictly greater values (NaN never wins).</summary>
    public static void F32(in Pool2DGeometry g, ReadOnlySpan<float> input, Span<float> output, float activationMin, float activationMax)
    {
        g.Check(input.Length, output.Length);
        foreach (var (index, taps) in g.Windows())
        {
            float max = float.MinValue;
            foreach (int tap in taps)
            {
                if (input[tap] > max) max = input[tap];
            }
            output[index] = Math.Min(Math.Max(max, activationMin), activationMax);
        }
    }

    /// <summary>uint8/int8: largest stored value, clamped to [<paramref name="activationMin"/>, <paramref name="activationMax"/>].</summary>
    public static void Quantized<T>(in Pool2DGeometry g, ReadOnlySpan<T> input, Span<T> output, int activationMin, int activationMax)
        where T : unmanaged, IBinaryInteger<T>
    {
        g.Check(input.Length, output.Length);
        foreach (var (index, taps) in g.Windows())
        {
            int max = int.MinValue;
            foreach (int tap in taps) max = Math.Max(max, int.CreateTruncating(input[tap]));
            output[index] = T.CreateTruncating(Math.Clamp(max, activationMin, activationMax));
        }
    }
}
