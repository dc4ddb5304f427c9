using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>Sizes of a FULLY_CONNECTED product: input <c>[Batches, Depth]</c> times weights <c>[Units, Depth]</c> transposed.</summary>
internal readonly record struct FullyConnectedShape(int Batches, int Depth, int Units)
{
    /// <summary>Throws unless the span lengths are the ones this shape implies (a kernel bug otherwise).</summary>
    public void CheckLengths(int input, int weights, int bias, int output)
    {
        if (input != (long)Batches * Depth || weights != (long)Units * Depth || (bias != 0 && bias != Units) || output != (long)Batches * Units)
        {
            throw new ArgumentException($"Span lengths input {input}, weights {weights}, bias {bias}, output {output} do not match {this}.");
        }
    }
}

/// <summary>
/// Reference FULLY_CONNECTED: <c>output[b, u] = bias[u] + Σ_k input[b, k] · weights[u, k]</c>, bias optional (empty span).
/// </summary>
internal static class FullyConnectedReference
{
    /// <summary>float32: the sum is accumulated in float32 in order of k, then bias is added and the result clamped.</summary>
    public static void F32(in FullyConnectedShape s, ReadOnlySpan<float> input, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Span<float> output, float activationMin, float activationMax)
    {
        s.CheckLengths(input.Length, weights.Length, bias.Length, output.Length);
        for (int b = 0; b < s.Batches; b++)
        {
            var row = input.Slice(b * s.Depth, s.Depth);
            for (int u = 0; u < s.Units; u++)
            {
                var unitWeights = weights.Slice(u * s.Depth, s.Depth);
                float sum = 0;
                for (int k = 0; k < row.Length; k++)
                {
                    sum += row[k] * unitWeights[k];
                }
                if (!bias.IsEmpty) sum += bias[u];
                output[(b * s.Units) + u] = Math.Min(Math.Max(sum, activationMin), activationMax);
            }
        }
    }

    /// <summary>
    /// Quantized (uint8 per-tensor weights, or int8 per-channel weights along units):
    /// <c>acc = bias[u] + Σ_k (input + InputOffset) · (weights + FilterOffset)</c> in wrapping int32, then
    /// <see cref="QuantizedConvolutionParameters.Requantize"/> with channel <c>u</c> under <c>q.Rule</c>,
    /// plus the output zero point, clamped.
    /// </summary>
    public static void Quantized<T>(in FullyConnectedShape s, in QuantizedConvolutionParameters q, ReadOnlySpan<T> input,
        ReadOnlySpan<T> weights, ReadOnlySpan<int> bias, Span<T> output)
        where T : unmanaged, IBinaryInteger<T>
    {
        s.CheckLengths(input.Length, weights.Length, bias.Length, output.Length);
        q.CheckChannels(s.Units);
        int inputOffset = q.InputOffset;
        int filterOffset = q.FilterOffset;
        for (int b = 0; b < s.Batches; b++)
        {
            var row = input.Slice(b * s.Depth, s.Depth);
            for (int u = 0; u < s.Units; u++)
            {
                var unitWeights = weights.Slice(u * s.Depth, s.Depth);
                int acc = 0;
                for (int k = 0; k < row.Length; k++)
                {
                    acc += (int.CreateTruncating(row[k]) + inputOffset) * (int.CreateTruncating(unitWeights[k]) + filterOffset);
                }
                if (!bias.IsEmpty) acc += bias[u];
                output[(b * s.Units) + u] = T.CreateTruncating(q.Requantize(acc, u));
            }
        }
    }
}
