using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Sizes and coordinate mapping of an NHWC image resize: batch count, input and output height and
/// width, channels. <c>AlignCorners</c> maps the corner pixels of input and output onto each other
/// (scale (in - 1) / (out - 1) when out &gt; 1); <c>HalfPixelCenters</c> samples at pixel centres.
/// The two are never set together.
/// </summary>
internal readonly record struct ResizeParameters(
    int Batches, int InputHeight, int InputWidth, int Channels, int OutputHeight, int OutputWidth, bool AlignCorners, bool HalfPixelCenters)
{
    /// <summary>Elements of the input (N·H·W·C).</summary>
    public long InputLength => (long)Batches * InputHeight * InputWidth * Channels;

    /// <summary>Elements of the output.</summary>
    public long OutputLength => (long)Batches * OutputHeight * OutputWidth * Channels;

    /// <summary>Throws unless the buffers hold exactly the images described (and at least one pixel each).</summary>
    public void CheckLengths(int inputLength, int outputLength)
    {
        if (Batches < 0 || Channels < 0 || InputHeight <= 0 || InputWidth <= 0 || OutputHeight <= 0 || OutputWidth <= 0)
        {
            throw new ArgumentException("image sizes must be positive.");
        }
        if (inputLength != InputLength || outputLength != OutputLength)
        {
            throw new ArgumentException("buffer lengths do not match the image sizes.");
        }
    }
}

/// <summary>
/// Reference semantics of RESIZE_BILINEAR (TFLite's reference kernels). The source coordinate of
/// output row <c>y</c> is <c>y * scale</c>, or <c>(y + 0.5) * scale - 0.5</c> with half-pixel
/// centres, where <c>scale = in / out</c> (or <c>(in - 1) / (out - 1)</c> with aligned corners);
/// it is blended from rows <c>max(floor(s), 0)</c> and <c>min(ceil(s), in - 1)</c>, and columns likewise.
/// The lower row is also kept at most <c>in - 1</c>, which only matters for extreme up-scaling where
/// float rounding would otherwise step past the last row (TFLite reads out of bounds there).
/// </summary>
internal static class ResizeBilinearReference
{
    /// <summary>
    /// float32: <c>v = p00 (1-dy)(1-dx) + p10 dy (1-dx) + p01 (1-dy) dx + p11 dy dx</c> in float32,
    /// with <c>dy = s_y - y0</c> and <c>dx = s_x - x0</c>, evaluated left to right.
    /// </summary>
    public static void ResizeF32(ReadOnlySpan<float> input, Span<float> output, ResizeParameters p) =>
        BlendInFloat(input, output, p, static value => value);

    /// <summary>
    /// uint8 (TFLite's reference <c>ResizeBilinear&lt;uint8_t&gt;</c>): the float32 blend of
    /// <see cref="ResizeF32"/> on the stored integers, plus 0.5, truncated (round half up), clamped to [0, 255].
    /// </summary>
    public static void ResizeQU8(ReadOnlySpan<byte> input, Span<byte> output, ResizeParameters p) =>
        BlendInFloat(input, output, p, static value => (byte)Math.Clamp((int)(value + 0.5f), byte.MinValue, byte.MaxValue));

    /// <summary>The float32 blend shared by <see cref="ResizeF32"/> and <see cref="ResizeQU8"/>; <paramref name="store"/> converts each result.</summary>
    private static void BlendInFloat<T>(ReadOnlySpan<T> input, Span<T> output, ResizeParameters p, Func<float, T> store)
        where T : unmanaged, INumberBase<T>
    {
        p.CheckLengths(input.Length, output.Length);
        var (heightScale, widthScale) = FloatScales(p);
        int o = 0;
        for (int b = 0; b < p.Batches; b++)
        {
            for (int y = 0; y < p.OutputHeight; y++)
            {
                var (sy, y0, y1) = FloatSource(y, heightScale, p.HalfPixelCenters, p.InputHeight);
                for (int x = 0; x < p.OutputWidth; x++)
                {
                    var (sx, x0, x1) = FloatSource(x, widthScale, p.HalfPixelCenters, p.InputWidth);
                    float dy = sy - y0;
                    float dx = sx - x0;
                    int i00 = Index(p, b, y0, x0);
                    int i10 = Index(p, b, y1, x0);
                    int i01 = Index(p, b, y0, x1);
                    int i11 = Index(p, b, y1, x1);
                    for (int c = 0; c < p.Channels; c++)
                    {
                        float value = (float.CreateTruncating(input[i00 + c]) * (1 - dy) * (1 - dx))
                            + (float.CreateTruncating(input[i10 + c]) * dy * (1 - dx))
                            + (float.CreateTruncating(input[i01 + c]) * (1 - dy) * dx)
                            + (float.CreateTruncating(input[i11 + c]) * dy * dx);
                        output[o++] = store(value);
                    }
                }
            }
        }
    }

    /// <summary>
    /// int8 (TFLite's <c>ResizeBilinearInteger</c>, used for int8 by TFLite's default kernels and
    /// TFLite Micro): no floating point. Scales are 10-bit fixed point,
    /// <c>scale10 = (1024 * in + out / 2) / out</c> (aligned corners: <c>(1024 (in-1) + (out-1)/2) / (out-1)</c>);
    /// the source coordinate is <c>s = y * scale10</c> (half-pixel: <c>y * scale10 + scale10 / 2 - 512</c>),
    /// rows <c>max(s / 1024, 0)</c> and <c>min((s + 1023) / 1024, in - 1)</c> (C division, truncating);
    /// the four products with 10-bit weights are summed in 64 bits and divided by 2^20, rounding half away from zero.
    /// </summary>
    public static void ResizeQS8(ReadOnlySpan<sbyte> input, Span<sbyte> output, ResizeParameters p)
    {
        p.CheckLengths(input.Length, output.Length);
        var (heightScale, widthScale) = IntegerScales(p);
        int o = 0;
        for (int b = 0; b < p.Batches; b++)
        {
            for (int y = 0; y < p.OutputHeight; y++)
            {
                var (sy, y0, y1) = IntegerSource(y, heightScale, p.HalfPixelCenters, p.InputHeight);
                long dy = sy - (1024L * y0);
                for (int x = 0; x < p.OutputWidth; x++)
                {
                    var (sx, x0, x1) = IntegerSource(x, widthScale, p.HalfPixelCenters, p.InputWidth);
                    long dx = sx - (1024L * x0);
                    int i00 = Index(p, b, y0, x0);
                    int i10 = Index(p, b, y1, x0);
                    int i01 = Index(p, b, y0, x1);
                    int i11 = Index(p, b, y1, x1);
                    for (int c = 0; c < p.Channels; c++)
                    {
                        long sum = (input[i00 + c] * (1024 - dy) * (1024 - dx))
                            + (input[i10 + c] * dy * (1024 - dx))
                            + (input[i01 + c] * (1024 - dy) * dx)
                            + (input[i11 + c] * dy * dx);
                        long rounded = (sum + (sum > 0 ? 1L << 19 : -(1L << 19))) / (1L << 20);
                        output[o++] = (sbyte)Math.Clamp(rounded, sbyte.MinValue, sbyte.MaxValue);
                    }
                }
            }
        }
    }

    private static int Index(ResizeParameters p, int b, int y, int x) => (((b * p.InputHeight) + y) * p.InputWidth + x) * p.Channels;

    private static (float Height, float Width) FloatScales(ResizeParameters p)
    {
        float height = (float)p.InputHeight / p.OutputHeight;
        float width = (float)p.InputWidth / p.OutputWidth;
        if (p.AlignCorners && p.OutputHeight > 1) height = (float)(p.InputHeight - 1) / (p.OutputHeight - 1);
        if (p.AlignCorners && p.OutputWidth > 1) width = (float)(p.InputWidth - 1) / (p.OutputWidth - 1);
        return (height, width);
    }

    private static (float Source, int Lower, int Upper) FloatSource(int destination, float scale, bool halfPixelCenters, int inputSize)
    {
        float source = halfPixelCenters ? ((destination + 0.5f) * scale) - 0.5f : destination * scale;
        int lower = Math.Clamp((int)MathF.Floor(source), 0, inputSize - 1);
        int upper = Math.Min((int)MathF.Ceiling(source), inputSize - 1);
        return (source, lower, upper);
    }

    private static (long Height, long Width) IntegerScales(ResizeParameters p)
    {
        long height = ((1024L * p.InputHeight) + (p.OutputHeight / 2)) / p.OutputHeight;
        long width = ((1024L * p.InputWidth) + (p.OutputWidth / 2)) / p.OutputWidth;
        if (p.AlignCorners && p.OutputHeight > 1) height = ((1024L * (p.InputHeight - 1)) + ((p.OutputHeight - 1) / 2)) / (p.OutputHeight - 1);
        if (p.AlignCorners && p.OutputWidth > 1) width = ((1024L * (p.InputWidth - 1)) + ((p.OutputWidth - 1) / 2)) / (p.OutputWidth - 1);
        return (height, width);
    }

    private static (long Source, int Lower, int Upper) IntegerSource(int destination, long scale10, bool halfPixelCenters, int inputSize)
    {
        long source = halfPixelCenters ? (destination * scale10) + (scale10 / 2) - 512 : destination * scale10;
        int lower = (int)Math.Clamp(source / 1024, 0, inputSize - 1);
        int upper = (int)Math.Min((source + 1023) / 1024, inputSize - 1);
        return (source, lower, upper);
    }
}
