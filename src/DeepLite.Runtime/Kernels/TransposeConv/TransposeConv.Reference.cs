using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference TRANSPOSE_CONV over NHWC tensors (the gradient of CONV_2D with respect to its input).
/// Input <c>[Batches, InputHeight, InputWidth, InputChannels]</c>, filter
/// <c>[OutputChannels, FilterHeight, FilterWidth, InputChannels]</c>, bias <c>[OutputChannels]</c> or empty,
/// output <c>[Batches, OutputHeight, OutputWidth, OutputChannels]</c>. Dilation is 1 and
/// <see cref="ConvolutionGeometry.FilterChannels"/> equals InputChannels.
/// </summary>
/// <remarks>
/// Each input pixel (iy, ix) scatters into output pixel <c>(iy · StrideHeight − PadTop + fy, ix · StrideWidth − PadLeft + fx)</c>
/// the values <c>Σ_k input[b, iy, ix, k] · filter[oc, fy, fx, k]</c>; positions outside the output are dropped. These
/// functions compute the same sums gathered per output value: output (oy, ox) takes tap (fy, fx) from input row
/// <c>iy = (oy + PadTop − fy) / StrideHeight</c> when that division is exact and iy is inside the input (columns alike).
/// Bias is added and the activation applied after the sum.
/// </remarks>
internal static class TransposeConvReference
{
    /// <summary>float32: each output value is summed in float32 over taps in row-major order (channels innermost), then bias and clamp.</summary>
    public static void F32(in ConvolutionGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> filter,
        ReadOnlySpan<float> bias, Span<float> output, float activationMin, float activationMax)
    {
        CheckGeometry(g, input.Length, filter.Length, bias.Length, output.Length);
        int depth = g.InputChannels;
        int outputIndex = 0;
        for (int b = 0; b < g.Batches; b++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    for (int oc = 0; oc < g.OutputChannels; oc++)
                    {
                        float sum = 0;
                        for (int fy = 0; fy < g.FilterHeight; fy++)
                        {
                            int iy = SourceIndex(oy + g.PadTop - fy, g.StrideHeight, g.InputHeight);
                            if (iy < 0) continue;
                            for (int fx = 0; fx < g.FilterWidth; fx++)
                            {
                                int ix = SourceIndex(ox + g.PadLeft - fx, g.StrideWidth, g.InputWidth);
                                if (ix < 0) continue;
                                var pixel = input.Slice((((b * g.InputHeight) + iy) * g.InputWidth + ix) * depth, depth);
                                var weights = filter.Slice((((oc * g.FilterHeight) + fy) * g.FilterWidth + fx) * depth, depth);
                                for (int k = 0; k < pixel.Length; k++)
                                {
                                    sum += pixel[k] * weights[k];
                                }
                            }
                        }
                        if (!bias.IsEmpty) sum += bias[oc];
                        output[outputIndex++] = Math.Min(Math.Max(sum, activationMin), activationMax);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Quantized (uint8 per-tensor weights, or int8 per-channel weights along dimension 0):
    /// <c>acc = bias[oc] + Σ (input + InputOffset) · (filter + FilterOffset)</c> over the contributing taps in
    /// wrapping int32, then <see cref="QuantizedConvolutionParameters.Requantize"/> under <c>q.Rule</c> gives the
    /// clamped output.
    /// </summary>
    public static void Quantized<T>(in ConvolutionGeometry g, in QuantizedConvolutionParameters q, ReadOnlySpan<T> input,
        ReadOnlySpan<T> filter, ReadOnlySpan<int> bias, Span<T> output)
        where T : unmanaged, IBinaryInteger<T>
    {
        CheckGeometry(g, input.Length, filter.Length, bias.Length, output.Length);
        q.CheckChannels(g.OutputChannels);
        int depth = g.InputChannels;
        int inputOffset = q.InputOffset;
        int filterOffset = q.FilterOffset;
        int outputIndex = 0;
        for (int b = 0; b < g.Batches; b++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    for (int oc = 0; oc < g.OutputChannels; oc++)
                    {
                        int acc = 0;
                        for (int fy = 0; fy < g.FilterHeight; fy++)
                        {
                            int iy = SourceIndex(oy + g.PadTop - fy, g.StrideHeight, g.InputHeight);
                            if (iy < 0) continue;
                            for (int fx = 0; fx < g.FilterWidth; fx++)
                            {
                                int ix = SourceIndex(ox + g.PadLeft - fx, g.StrideWidth, g.InputWidth);
                                if (ix < 0) continue;
                                var pixel = input.Slice((((b * g.InputHeight) + iy) * g.InputWidth + ix) * depth, depth);
                                var weights = filter.Slice((((oc * g.FilterHeight) + fy) * g.FilterWidth + fx) * depth, depth);
                                for (int k = 0; k < pixel.Length; k++)
                                {
                                    acc += (int.CreateTruncating(pixel[k]) + inputOffset) * (int.CreateTruncating(weights[k]) + filterOffset);
                                }
                            }
                        }
                        if (!bias.IsEmpty) acc += bias[oc];
                        output[outputIndex++] = T.CreateTruncating(q.Requantize(acc, oc));
                    }
                }
            }
        }
    }

    /// <summary>The input index whose stride step lands on <paramref name="position"/>, or -1 when none does or it is outside <c>[0, size)</c>.</summary>
    private static int SourceIndex(int position, int stride, int size)
    {
        if (position < 0 || position % stride != 0) return -1;
        int index = position / stride;
        return index < size ? index : -1;
    }

    private static void CheckGeometry(in ConvolutionGeometry g, int input, int filter, int bias, int output)
    {
        if (g.FilterChannels != g.InputChannels || g.OutputChannels <= 0 || g.StrideHeight <= 0 || g.StrideWidth <= 0)
        {
            throw new ArgumentException($"Transpose convolution needs FilterChannels equal to InputChannels, output channels and positive strides: {g}.");
        }
        g.CheckLengths(input, (long)g.OutputChannels * g.FilterHeight * g.FilterWidth * g.FilterChannels, filter, bias, output);
    }
}
