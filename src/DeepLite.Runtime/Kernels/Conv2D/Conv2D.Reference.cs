using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference CONV_2D over NHWC tensors: the plain, obviously-correct arithmetic that optimized kernels
/// are tested against. Input <c>[Batches, InputHeight, InputWidth, InputChannels]</c>, filter
/// <c>[OutputChannels, FilterHeight, FilterWidth, FilterChannels]</c>, bias <c>[OutputChannels]</c> or empty,
/// output <c>[Batches, OutputHeight, OutputWidth, OutputChannels]</c>.
/// </summary>
/// <remarks>
/// <c>output[b, oy, ox, oc] = bias[oc] + Σ_{fy, fx, k} input[b, iy, ix, g · FilterChannels + k] · filter[oc, fy, fx, k]</c>
/// with <c>iy = oy · StrideHeight − PadTop + fy · DilationHeight</c>, <c>ix</c> likewise, taps outside the input
/// skipped, and <c>g = oc / (OutputChannels / groups)</c> the group of output channel <c>oc</c>
/// (groups = InputChannels / FilterChannels; 1 for an ordinary convolution).
/// </remarks>
internal static class Conv2DReference
{
    /// <summary>
    /// float32 convolution; the sum is accumulated in float32 (taps in row-major order, channels innermost),
    /// then bias is added and the result clamped to [<paramref name="activationMin"/>, <paramref name="activationMax"/>].
    /// </summary>
    public static void F32(in ConvolutionGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> filter,
        ReadOnlySpan<float> bias, Span<float> output, float activationMin, float activationMax)
    {
        CheckGeometry(g, input.Length, filter.Length, bias.Length, output.Length);
        int depth = g.FilterChannels;
        int outputsPerGroup = g.OutputChannels / (g.InputChannels / depth);
        int outputIndex = 0;
        for (int b = 0; b < g.Batches; b++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                int originY = (oy * g.StrideHeight) - g.PadTop;
                var (fyStart, fyEnd) = ConvolutionGeometry.TapsInside(originY, g.DilationHeight, g.FilterHeight, g.InputHeight);
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    int originX = (ox * g.StrideWidth) - g.PadLeft;
                    var (fxStart, fxEnd) = ConvolutionGeometry.TapsInside(originX, g.DilationWidth, g.FilterWidth, g.InputWidth);
                    for (int oc = 0; oc < g.OutputChannels; oc++)
                    {
                        int channelStart = oc / outputsPerGroup * depth;
                        float sum = 0;
                        for (int fy = fyStart; fy < fyEnd; fy++)
                        {
                            int iy = originY + (fy * g.DilationHeight);
                            int inputRow = ((b * g.InputHeight) + iy) * g.InputWidth;
                            int filterRow = ((oc * g.FilterHeight) + fy) * g.FilterWidth;
                            for (int fx = fxStart; fx < fxEnd; fx++)
                            {
                                int ix = originX + (fx * g.DilationWidth);
                                var pixel = input.Slice(((inputRow + ix) * g.InputChannels) + channelStart, depth);
                                var weights = filter.Slice((filterRow + fx) * depth, depth);
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
    /// Quantized convolution (uint8 with per-tensor weights, or int8 with per-channel weights): for each
    /// output value, <c>acc = bias[oc] + Σ (input + InputOffset) · (filter + FilterOffset)</c> in wrapping int32,
    /// then <see cref="QuantizedConvolutionParameters.Requantize"/> under <c>q.Rule</c>,
    /// add the output zero point and clamp. Skipped taps contribute 0, as if the input held its zero point there.
    /// </summary>
    public static void Quantized<T>(in ConvolutionGeometry g, in QuantizedConvolutionParameters q, ReadOnlySpan<T> input,
        ReadOnlySpan<T> filter, ReadOnlySpan<int> bias, Span<T> output)
        where T : unmanaged, IBinaryInteger<T>
    {
        CheckGeometry(g, input.Length, filter.Length, bias.Length, output.Length);
        q.CheckChannels(g.OutputChannels);
        int depth = g.FilterChannels;
        int outputsPerGroup = g.OutputChannels / (g.InputChannels / depth);
        int inputOffset = q.InputOffset;
        int filterOffset = q.FilterOffset;
        int outputIndex = 0;
        for (int b = 0; b < g.Batches; b++)
        {
            for (int oy = 0; oy < g.OutputHeight; oy++)
            {
                int originY = (oy * g.StrideHeight) - g.PadTop;
                var (fyStart, fyEnd) = ConvolutionGeometry.TapsInside(originY, g.DilationHeight, g.FilterHeight, g.InputHeight);
                for (int ox = 0; ox < g.OutputWidth; ox++)
                {
                    int originX = (ox * g.StrideWidth) - g.PadLeft;
                    var (fxStart, fxEnd) = ConvolutionGeometry.TapsInside(originX, g.DilationWidth, g.FilterWidth, g.InputWidth);
                    for (int oc = 0; oc < g.OutputChannels; oc++)
                    {
                        int channelStart = oc / outputsPerGroup * depth;
                        int acc = 0;
                        for (int fy = fyStart; fy < fyEnd; fy++)
                        {
                            int iy = originY + (fy * g.DilationHeight);
                            int inputRow = ((b * g.InputHeight) + iy) * g.InputWidth;
                            int filterRow = ((oc * g.FilterHeight) + fy) * g.FilterWidth;
                            for (int fx = fxStart; fx < fxEnd; fx++)
                            {
                                int ix = originX + (fx * g.DilationWidth);
                                var pixel = input.Slice(((inputRow + ix) * g.InputChannels) + channelStart, depth);
                                var weights = filter.Slice((filterRow + fx) * depth, depth);
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

    private static void CheckGeometry(in ConvolutionGeometry g, int input, int filter, int bias, int output)
    {
        if (g.FilterChannels <= 0 || g.InputChannels % g.FilterChannels != 0 || g.OutputChannels % (g.InputChannels / g.FilterChannels) != 0)
        {
            throw new ArgumentException($"Filter depth {g.FilterChannels} does not split {g.InputChannels} input channels and {g.OutputChannels} output channels into groups.");
        }
        g.CheckLengths(input, (long)g.OutputChannels * g.FilterHeight * g.FilterWidth * g.FilterChannels, filter, bias, output);
    }
}
