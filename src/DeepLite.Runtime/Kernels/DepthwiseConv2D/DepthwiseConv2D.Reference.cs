using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference DEPTHWISE_CONV_2D over NHWC tensors. Input <c>[Batches, InputHeight, InputWidth, InputChannels]</c>,
/// filter <c>[1, FilterHeight, FilterWidth, OutputChannels]</c>, bias <c>[OutputChannels]</c> or empty, output
/// <c>[Batches, OutputHeight, OutputWidth, OutputChannels]</c>, with OutputChannels = InputChannels · multiplier
/// (<see cref="ConvolutionGeometry.FilterChannels"/> is 1).
/// </summary>
/// <remarks>
/// <c>output[b, oy, ox, ic · multiplier + m] = bias[oc] + Σ_{fy, fx} input[b, iy, ix, ic] · filter[0, fy, fx, ic · multiplier + m]</c>
/// with <c>iy = oy · StrideHeight − PadTop + fy · DilationHeight</c>, <c>ix</c> likewise, and taps outside the input skipped.
/// </remarks>
internal static class DepthwiseConv2DReference
{
    /// <summary>float32 depthwise convolution accumulated in float32 over taps in row-major order, then bias and clamp.</summary>
    public static void F32(in ConvolutionGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> filter,
        ReadOnlySpan<float> bias, Span<float> output, float activationMin, float activationMax)
    {
        int multiplier = CheckGeometry(g, input.Length, filter.Length, bias.Length, output.Length);
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
                        int ic = oc / multiplier;
                        float sum = 0;
                        for (int fy = fyStart; fy < fyEnd; fy++)
                        {
                            int inputRow = ((b * g.InputHeight) + originY + (fy * g.DilationHeight)) * g.InputWidth;
                            for (int fx = fxStart; fx < fxEnd; fx++)
                            {
                                int ix = originX + (fx * g.DilationWidth);
                                sum += input[((inputRow + ix) * g.InputChannels) + ic] * filter[(((fy * g.FilterWidth) + fx) * g.OutputChannels) + oc];
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
    /// Quantized depthwise convolution (uint8 per-tensor or int8 per-channel weights):
    /// <c>acc = bias[oc] + Σ (input + InputOffset) · (filter + FilterOffset)</c> in wrapping int32, then
    /// <see cref="QuantizedConvolutionParameters.Requantize"/> under <c>q.Rule</c>,
    /// plus the output zero point, clamped.
    /// </summary>
    public static void Quantized<T>(in ConvolutionGeometry g, in QuantizedConvolutionParameters q, ReadOnlySpan<T> input,
        ReadOnlySpan<T> filter, ReadOnlySpan<int> bias, Span<T> output)
        where T : unmanaged, IBinaryInteger<T>
    {
        int multiplier = CheckGeometry(g, input.Length, filter.Length, bias.Length, output.Length);
        q.CheckChannels(g.OutputChannels);
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
                        int ic = oc / multiplier;
                        int acc = 0;
                        for (int fy = fyStart; fy < fyEnd; fy++)
                        {
                            int inputRow = ((b * g.InputHeight) + originY + (fy * g.DilationHeight)) * g.InputWidth;
                            for (int fx = fxStart; fx < fxEnd; fx++)
                            {
                                int ix = originX + (fx * g.DilationWidth);
                                int x = int.CreateTruncating(input[((inputRow + ix) * g.InputChannels) + ic]) + inputOffset;
                                int w = int.CreateTruncating(filter[(((fy * g.FilterWidth) + fx) * g.OutputChannels) + oc]) + filterOffset;
                                acc += x * w;
                            }
                        }
                        if (!bias.IsEmpty) acc += bias[oc];
                        output[outputIndex++] = T.CreateTruncating(q.Requantize(acc, oc));
                    }
                }
            }
        }
    }

    /// <summary>Checks the span lengths and returns the depth multiplier.</summary>
    private static int CheckGeometry(in ConvolutionGeometry g, int input, int filter, int bias, int output)
    {
        if (g.FilterChannels != 1 || g.InputChannels <= 0 || g.OutputChannels % g.InputChannels != 0)
        {
            throw new ArgumentException($"Depthwise geometry needs FilterChannels 1 and OutputChannels a multiple of InputChannels: {g}.");
        }
        g.CheckLengths(input, (long)g.FilterHeight * g.FilterWidth * g.OutputChannels, filter, bias, output);
        return g.OutputChannels / g.InputChannels;
    }
}
