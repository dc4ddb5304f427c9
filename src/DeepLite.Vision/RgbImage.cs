namespace DeepLite.Vision;

/// <summary>
/// An 8-bit RGB image: <see cref="Pixels"/> holds R, G, B for each pixel, pixels left to right,
/// rows top to bottom, no row padding, so pixel (x, y) channel c is at <c>(y * Width + x) * 3 + c</c>.
/// </summary>
/// <remarks>The pixel array is not copied; whoever holds the image may change it in place.</remarks>
public sealed class RgbImage
{
    /// <summary>Bytes per pixel.</summary>
    public const int Channels = 3;

    /// <summary>Wraps <paramref name="pixels"/> (no copy); its length must be <c>width * height * 3</c>.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        long expected = (long)width * height * Channels;
        if (pixels.LongLength != expected)
        {
            throw new ArgumentException($"A {width}x{height} RGB image needs {expected} bytes; {pixels.LongLength} were given.", nameof(pixels));
        }
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Creates a black image.</summary>
    public RgbImage(int width, int height)
        : this(width, height, new byte[ByteCount(width, height)])
    {
    }

    private static long ByteCount(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return (long)width * height * Channels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>R, G, B bytes, row-major, top row first.</summary>
    public byte[] Pixels { get; }

    public override string ToString() => $"RgbImage {Width}x{Height}";
}
