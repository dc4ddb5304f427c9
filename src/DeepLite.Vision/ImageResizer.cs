namespace DeepLite.Vision;

/// <summary>How <see cref="ImageResizer"/> samples the source image.</summary>
public enum ResizeMode
{
    /// <summary>Bilinear interpolation between the four nearest source pixels, half-pixel centres.</summary>
    Bilinear,

    /// <summary>The source pixel whose area contains the destination pixel's centre.</summary>
    Nearest,
}

/// <summary>
/// Resizes RGB images with exactly the arithmetic the DeepLite goldens were made with (all in float64,
/// source size W x H, destination size w x h, per output pixel x, y):
/// <list type="bullet">
/// <item>Nearest: <c>sx = min(floor((x + 0.5) * W / w), W - 1)</c>; <c>sy</c> likewise.</item>
/// <item>Bilinear: <c>fx = max((x + 0.5) * W / w - 0.5, 0)</c>, <c>x0 = min(floor(fx), W - 1)</c>,
/// <c>x1 = min(x0 + 1, W - 1)</c>, <c>lx = fx - x0</c> (y likewise); per channel with
/// a = P(x0, y0), b = P(x1, y0), c = P(x0, y1), d = P(x1, y1):
/// <c>top = a + (b - a) * lx</c>, <c>bottom = c + (d - c) * lx</c>, <c>v = top + (bottom - top) * ly</c>,
/// result <c>clamp(round-half-away-from-zero(v), 0, 255)</c>.</item>
/// <item>An image that already has the destination size is copied unchanged, whatever the mode.</item>
/// </list>
/// </summary>
public static class ImageResizer
{
    /// <summary>Returns a new <paramref name="width"/> x <paramref name="height"/> image; the source is not changed.</summary>
    public static RgbImage Resize(RgbImage source, int width, int height, ResizeMode mode)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (source.Width == width && source.Height == height)
        {
            return new RgbImage(width, height, (byte[])source.Pixels.Clone());
        }
        return mode switch
        {
            ResizeMode.Nearest => Nearest(source, width, height),
            ResizeMode.Bilinear => Bilinear(source, width, height),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown resize mode."),
        };
    }

    private static RgbImage Nearest(RgbImage source, int width, int height)
    {
        int[] sourceX = new int[width];
        for (int x = 0; x < width; x++) sourceX[x] = NearestIndex(x, source.Width, width);

        var result = new RgbImage(width, height);
        ReadOnlySpan<byte> input = source.Pixels;
        Span<byte> output = result.Pixels;
        int sourceStride = source.Width * RgbImage.Channels;
        for (int y = 0; y < height; y++)
        {
            var sourceRow = input.Slice(NearestIndex(y, source.Height, height) * sourceStride, sourceStride);
            var row = output.Slice(y * width * RgbImage.Channels, width * RgbImage.Channels);
            for (int x = 0; x < width; x++)
            {
                sourceRow.Slice(sourceX[x] * RgbImage.Channels, RgbImage.Channels).CopyTo(row.Slice(x * RgbImage.Channels, RgbImage.Channels));
            }
        }
        return result;
    }

    private static int NearestIndex(int destination, int sourceSize, int destinationSize) =>
        (int)Math.Min(Math.Floor((destination + 0.5) * sourceSize / destinationSize), sourceSize - 1);

    /// <summary>Source coordinates of one destination row or column for bilinear sampling.</summary>
    private readonly record struct Sample(int Index0, int Index1, double Weight);

    private static Sample[] BilinearSamples(int sourceSize, int destinationSize)
    {
        var samples = new Sample[destinationSize];
        for (int i = 0; i < destinationSize; i++)
        {
            double position = Math.Max(((i + 0.5) * sourceSize / destinationSize) - 0.5, 0);
            int index0 = (int)Math.Min(Math.Floor(position), sourceSize - 1);
            int index1 = Math.Min(index0 + 1, sourceSize - 1);
            samples[i] = new Sample(index0, index1, position - index0);
        }
        return samples;
    }

    private static RgbImage Bilinear(RgbImage source, int width, int height)
    {
        var columns = BilinearSamples(source.Width, width);
        var rows = BilinearSamples(source.Height, height);

        var result = new RgbImage(width, height);
        ReadOnlySpan<byte> input = source.Pixels;
        Span<byte> output = result.Pixels;
        int sourceStride = source.Width * RgbImage.Channels;
        int outputIndex = 0;
        for (int y = 0; y < height; y++)
        {
            var row = rows[y];
            var upper = input.Slice(row.Index0 * sourceStride, sourceStride);
            var lower = input.Slice(row.Index1 * sourceStride, sourceStride);
            for (int x = 0; x < width; x++)
            {
                var column = columns[x];
                int left = column.Index0 * RgbImage.Channels;
                int right = column.Index1 * RgbImage.Channels;
                for (int channel = 0; channel < RgbImage.Channels; channel++)
                {
                    double a = upper[left + channel], b = upper[right + channel];
                    double c = lower[left + channel], d = lower[right + channel];
                    double top = a + ((b - a) * column.Weight);
                    double bottom = c + ((d - c) * column.Weight);
                    double value = top + ((bottom - top) * row.Weight);
                    output[outputIndex++] = (byte)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), 0, 255);
                }
            }
        }
        return result;
    }
}
