using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>Reference DEQUANTIZE: stored integers or float16 → float32.</summary>
internal static class DequantizeReference
{
    /// <summary>Per-tensor: <c>x = (float)(scale · (q − zeroPoint))</c>, the product in float64 as TFLite computes it.</summary>
    public static void PerTensor<T>(ReadOnlySpan<T> input, Span<float> output, float scale, int zeroPoint)
        where T : unmanaged, IBinaryInteger<T>
    {
        CheckLengths(input.Length, output.Length);
        double wideScale = scale;
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = (float)(wideScale * (int.CreateTruncating(input[i]) - zeroPoint));
        }
    }

    /// <summary>
    /// Per-channel along a dimension of extent <paramref name="channels"/> whose elements are <paramref name="innerSize"/>
    /// apart: <c>x = (q − zeroPoints[c]) · scales[c]</c> in float32, as TFLite's <c>PerChannelDequantize</c>.
    /// </summary>
    public static void PerChannel<T>(ReadOnlySpan<T> input, Span<float> output, ReadOnlySpan<float> scales, ReadOnlySpan<int> zeroPoints, int channels, int innerSize)
        where T : unmanaged, IBinaryInteger<T>
    {
        CheckLengths(input.Length, output.Length);
        if (scales.Length != channels || zeroPoints.Length != channels || innerSize <= 0 || input.Length % (channels * innerSize) != 0)
        {
            throw new ArgumentException($"{scales.Length} scales and {zeroPoints.Length} zero points do not fit {channels} channels of {innerSize} elements over {input.Length} values.");
        }
        for (int i = 0; i < input.Length; i++)
        {
            int c = i / innerSize % channels;
            output[i] = (int.CreateTruncating(input[i]) - zeroPoints[c]) * scales[c];
        }
    }

    /// <summary>float16 → float32, exact.</summary>
    public static void FromHalf(ReadOnlySpan<Half> input, Span<float> output)
    {
        CheckLengths(input.Length, output.Length);
        for (int i = 0; i < input.Length; i++) output[i] = (float)input[i];
    }

    private static void CheckLengths(int input, int output)
    {
        if (input != output) throw new ArgumentException($"Input has {input} elements but output has {output}.");
    }
}
