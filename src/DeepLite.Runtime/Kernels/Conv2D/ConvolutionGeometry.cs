namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Sizes and sliding window of a 2-D convolution over NHWC tensors, shared by CONV_2D,
/// DEPTHWISE_CONV_2D and TRANSPOSE_CONV.
/// </summary>
/// <remarks>
/// For CONV_2D and DEPTHWISE_CONV_2D, output pixel (oy, ox) reads input rows
/// <c>oy * StrideHeight - PadTop + fy * DilationHeight</c> and columns
/// <c>ox * StrideWidth - PadLeft + fx * DilationWidth</c>; taps outside the input contribute nothing
/// (zero padding in real values, i.e. the input zero point for quantized tensors).
/// For TRANSPOSE_CONV the roles swap: input pixel (iy, ix) scatters into output rows
/// <c>iy * StrideHeight - PadTop + fy</c> and columns <c>ix * StrideWidth - PadLeft + fx</c>.
/// <para><see cref="FilterChannels"/> is the input depth one filter sees: the input depth for an
/// ordinary convolution, a divisor of it for grouped convolution (groups = InputChannels / FilterChannels),
/// and 1 for depthwise convolution.</para>
/// </remarks>
internal readonly record struct ConvolutionGeometry(
    int Batches,
    int InputHeight,
    int InputWidth,
    int InputChannels,
    int FilterHeight,
    int FilterWidth,
    int FilterChannels,
    int OutputHeight,
    int OutputWidth,
    int OutputChannels,
    int StrideHeight,
    int StrideWidth,
    int DilationHeight,
    int DilationWidth,
    int PadTop,
    int PadLeft)
{
    public long InputLength => (long)Batches * InputHeight * InputWidth * InputChannels;
    public long OutputLength => (long)Batches * OutputHeight * OutputWidth * OutputChannels;

    /// <summary>
    /// The filter taps <c>[Start, End)</c> that land inside <c>[0, size)</c> for a window starting at
    /// <paramref name="origin"/> with taps <paramref name="dilation"/> apart; empty (Start ≥ End) when none do.
    /// </summary>
    public static (int Start, int End) TapsInside(int origin, int dilation, int filterSize, int size)
    {
        int start = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;
        int room = size - origin;
        int end = room <= 0 ? 0 : Math.Min(filterSize, (room + dilation - 1) / dilation);
        return (start, end);
    }

    /// <summary>Throws unless the span lengths are the ones this geometry implies (a kernel bug otherwise).</summary>
    public void CheckLengths(int input, long filter, int filterLength, int bias, int output)
    {
        if (input != InputLength || filterLength != filter || (bias != 0 && bias != OutputChannels) || output != OutputLength)
        {
            throw new ArgumentException(
                $"Span lengths input {input}, filter {filterLength}, bias {bias}, output {output} do not match {this}.");
        }
    }
}
