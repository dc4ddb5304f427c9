using StbImageSharp;

namespace DeepLite.Vision;

/// <summary>
/// Decodes BMP (including 8-bit palettized), PNG and JPEG files to <see cref="RgbImage"/> with
/// StbImageSharp, a managed port of stb_image. Grayscale and alpha images become RGB (gray is copied
/// to R, G and B; alpha is dropped, not blended). Hostile input fails with
/// <see cref="ImageFormatException"/>: the header is read first and images over the pixel limit are
/// rejected before any pixel memory is allocated; truncated files are rejected (stb_image itself
/// would fill the missing bytes with zeros), which includes a JPEG without its end-of-image marker; other formats stb_image knows (GIF, TGA, PSD, HDR, PNM)
/// are refused to keep the attack surface small.
/// </summary>
/// <remarks>Thread-safe. StbImageSharp has a process-wide "flip vertically" switch; DeepLite never sets
/// it, and code that does would flip every decoded image.</remarks>
public static class ImageDecoder
{
    /// <summary>Default largest image accepted: 64 megapixels (64,000,000 pixels, 192 MB decoded).</summary>
    public const long DefaultMaxPixels = 64_000_000;

    /// <summary>Largest encoded file accepted, in bytes (1 GiB).</summary>
    public const int MaxEncodedBytes = 1 << 30;

    /// <summary>Decodes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageFormatException">Unknown format, truncated or corrupt data, or more than <paramref name="maxPixels"/> pixels.</exception>
    public static RgbImage Decode(string path, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"Image file not found: {path}", path);
        if (file.Length > MaxEncodedBytes)
        {
            throw new ImageFormatException($"{path}: the file has {file.Length} bytes; image files over {MaxEncodedBytes} bytes are not accepted.");
        }
        return DecodeCore(File.ReadAllBytes(path), path, maxPixels);
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="ImageFormatException">Unknown format, truncated or corrupt data, or more than <paramref name="maxPixels"/> pixels.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string source = "memory", long maxPixels = DefaultMaxPixels)
    {
        if (data.Length > MaxEncodedBytes)
        {
            throw new ImageFormatException($"{source}: {data.Length} bytes; images over {MaxEncodedBytes} encoded bytes are not accepted.");
        }
        return DecodeCore(data.ToArray(), source, maxPixels);
    }

    /// <summary>Reads <paramref name="stream"/> to its end (at most <see cref="MaxEncodedBytes"/>) and decodes it.</summary>
    /// <exception cref="ImageFormatException">Unknown format, truncated or corrupt data, or more than <paramref name="maxPixels"/> pixels.</exception>
    public static RgbImage Decode(Stream stream, string source = "stream", long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] data = BoundedStream.ReadToEnd(stream, MaxEncodedBytes)
            ?? throw new ImageFormatException($"{source}: the stream holds more than {MaxEncodedBytes} bytes; larger images are not accepted.");
        return DecodeCore(data, source, maxPixels);
    }

    private static RgbImage DecodeCore(byte[] data, string source, long maxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        var format = ImageContainer.Identify(data, source);
        var (width, height) = ImageContainer.Inspect(data, format, source, maxPixels);

        // stb_image's own header reading must agree before it is let loose on the pixels.
        ImageInfo? header;
        try
        {
            header = ImageInfo.FromStream(new ClampedReadStream(data));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageFormatException($"{source}: corrupt {format.Name()} header ({e.Message}).", e);
        }
        // stb_image reports a top-down BMP's height as stored: negative.
        if (header is not { } info || info.Width != width || Math.Abs((long)info.Height) != height)
        {
            throw new ImageFormatException($"{source}: the decoder cannot read the {format.Name()} header as a {width}x{height} image (corrupt, or beyond the decoder's own limits).");
        }

        ImageResult result;
        try
        {
            result = ImageResult.FromStream(new ClampedReadStream(data), ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageFormatException($"{source}: corrupt {format.Name()} data ({e.Message}).", e);
        }
        if (result?.Data is null || result.Width != width || result.Height != height
            || result.Data.LongLength != width * height * RgbImage.Channels)
        {
            throw new ImageFormatException($"{source}: the {format.Name()} decoder returned no usable {width}x{height} RGB image.");
        }
        return new RgbImage(result.Width, result.Height, result.Data);
    }
}
