using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference SOFTMAX over the last dimension of a tensor viewed as <c>[rows, depth]</c>.
/// </summary>
internal static class SoftmaxReference
{
    /// <summary>
    /// float32: <c>e_j = exp((x_j − max) · beta)</c>, <c>sum = Σ e_j</c> (in order), <c>y_j = e_j / sum</c>.
    /// </summary>
    public static void F32(ReadOnlySpan<float> input, Span<float> output, int depth, float beta)
    {
        CheckRows(input.Length, output.Length, depth);
        for (int start = 0; start < input.Length; start += depth)
        {
            var x = input.Slice(start, depth);
            var y = output.Slice(start, depth);
            float max = float.NegativeInfinity;
            foreach (float v in x) max = Math.Max(max, v);
            float sum = 0;
            for (int j = 0; j < depth; j++)
            {
                y[j] = MathF.Exp((x[j] - max) * beta);
                sum += y[j];
            }
            for (int j = 0; j < depth; j++) y[j] /= sum;
        }
    }

    /// <summary>
    /// TFLite's 256-entry exponent table for 8-bit softmax: <c>table[255 − d] = expf(−inScale · beta · d)</c> for
    /// d = 0..255 (the product <c>−inScale · beta</c> and each <c>scale · d</c> in float32).
    /// </summary>
    public static float[] ExpTable(float inputScale, float beta)
    {
        var table = new float[256];
        float scale = -inputScale * beta;
        for (int d = 0; d <= 255; d++) table[255 - d] = MathF.Exp(scale * d);
        return table;
    }

    /// <summary>
    /// uint8/int8 in TFLite's builtin-kernel arithmetic (float32 throughout): with <c>m</c> the row maximum
    /// (stored values), <c>e_j = table[255 − m + x_j]</c> = exp(−inScale · beta · (m − x_j)),
    /// <c>sum = Σ e_j</c> in order, <c>inv = 1 / (sum · outScale)</c>, <c>p_j = e_j · inv</c>; uint8 stores
    /// <c>(int)(p_j + 0.5)</c> (truncation; zero point 0), int8 stores <c>round(p_j) + outZero</c> (ties away
    /// from zero); both clamped to the type.
    /// </summary>
    public static void Quantized<T>(ReadOnlySpan<T> input, Span<T> output, int depth, ReadOnlySpan<float> table, float outputScale, int outputZeroPoint)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        CheckRows(input.Length, output.Length, depth);
        bool unsigned = T.IsZero(T.MinValue);
        int min = int.CreateTruncating(T.MinValue), max = int.CreateTruncating(T.MaxValue);
        for (int start = 0; start < input.Length; start += depth)
        {
            var x = input.Slice(start, depth);
            var y = output.Slice(start, depth);
            int rowMax = int.MinValue;
            foreach (var v in x) rowMax = Math.Max(rowMax, int.CreateTruncating(v));
            int offset = 255 - rowMax;
            float sum = 0;
            foreach (var v in x) sum += table[offset + int.CreateTruncating(v)];
            float inverse = 1f / (sum * outputScale);
            for (int j = 0; j < depth; j++)
            {
                float probability = table[offset + int.CreateTruncating(x[j])] * inverse;
                int q = unsigned
                    ? (int)(probability + 0.5f)
                    : (int)MathF.Round(probability, MidpointRounding.AwayFromZero) + outputZeroPoint;
                y[j] = T.CreateTruncating(Math.Clamp(q, min, max));
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
