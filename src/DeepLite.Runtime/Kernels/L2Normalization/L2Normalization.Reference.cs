using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>Reference L2_NORMALIZATION over the last dimension of a tensor viewed as <c>[rows, depth]</c>.</summary>
internal static class L2NormalizationReference
{
    /// <summary>TFLite's lower bound on the float32 norm.</summary>
    public const float Epsilon = 1e-6f;

    /// <summary>float32: <c>n = max(√(Σ x²), 1e-6)</c> (squares summed in order), <c>y = x / n</c>.</summary>
    public static void F32(ReadOnlySpan<float> input, Span<float> output, int depth)
    {
        CheckRows(input.Length, output.Length, depth);
        for (int start = 0; start < input.Length; start += depth)
        {
            var x = input.Slice(start, depth);
            var y = output.Slice(start, depth);
            float squares = 0;
            foreach (float v in x) squares += v * v;
            float norm = Math.Max(MathF.Sqrt(squares), Epsilon);
            for (int j = 0; j < depth; j++) y[j] = x[j] / norm;
        }
    }

    /// <summary>
    /// uint8 (TFLite's rule; output scale 1/128, zero point 128): with <c>d = q − inZero</c> and
    /// (m, s) = <see cref="InverseSqrtMultiplier.Compute"/>(Σ d², −1), each output is
    /// <c>clamp(128 + MultiplyByQuantizedMultiplierSmallerThanOne(128 · d, m, s), 0, 255)</c>.
    /// </summary>
    public static void UInt8(ReadOnlySpan<byte> input, Span<byte> output, int depth, int inputZeroPoint) =>
        Quantized(input, output, depth, inputZeroPoint,
            static (d, multiplier, shift) => Math.Clamp(128 + FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOne(128 * d, multiplier, shift), 0, 255));

    /// <summary>
    /// int8 (TFLite's rule; output scale 1/128, zero point 0): with <c>d = q − inZero</c> and
    /// (m, s) = <see cref="InverseSqrtMultiplier.Compute"/>(Σ d², −1), each output is
    /// <c>clamp(MultiplyByQuantizedMultiplier(d, m, s + 7), −128, 127)</c>.
    /// </summary>
    public static void Int8(ReadOnlySpan<sbyte> input, Span<sbyte> output, int depth, int inputZeroPoint) =>
        Quantized(input, output, depth, inputZeroPoint,
            static (d, multiplier, shift) => Math.Clamp(FixedPoint.MultiplyByQuantizedMultiplier(d, multiplier, shift + 7), sbyte.MinValue, sbyte.MaxValue));

    /// <summary>Per row: the int32 sum of squared centred values, its inverse square root, then <paramref name="rescale"/>(d, m, s) per value.</summary>
    private static void Quantized<T>(ReadOnlySpan<T> input, Span<T> output, int depth, int inputZeroPoint, Func<int, int, int, int> rescale)
        where T : unmanaged, IBinaryInteger<T>
    {
        CheckRows(input.Length, output.Length, depth);
        for (int start = 0; start < input.Length; start += depth)
        {
            var x = input.Slice(start, depth);
            var y = output.Slice(start, depth);
            int squares = 0;
            foreach (var v in x)
            {
                int d = int.CreateTruncating(v) - inputZeroPoint;
                squares += d * d;
            }
            var (multiplier, shift) = InverseSqrtMultiplier.Compute(squares, -1);
            for (int j = 0; j < depth; j++)
            {
                y[j] = T.CreateTruncating(rescale(int.CreateTruncating(x[j]) - inputZeroPoint, multiplier, shift));
            }
        }
    }

    private static void CheckRows(int input, int output, int depth)
    {
        if (depth <= 0 || input != output || input % depth != 0)
        {
            throw new ArgumentException($"Buffers of {input} and {output} elements do not form rows of depth {depth}.");
        }
    }
}
