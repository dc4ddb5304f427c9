using Microsoft.Win32.SafeHandles;
using StbImageSharp;

namespace DeepLite.Vision;

/// <summary>
/// Decodes BMP (including 8-bit palettized), PNG and JPEG files to <see cref="RgbImage"/> with
/// StbImageSharp, a managed port of stb_image. Grayscale and alpha images become RGB (gray is copied
/// to R, G and B; alpha is dropped, not blended, unless the overload with a background colour is used). Hostile input fails with
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
        using var file = OpenImageFile(path, out long length);
        // The common uncompressed BMP is read row block by row block, without a copy of the whole file in memory.
        return UncompressedBmp.TryRead(file, length, maxPixels)
            ?? DecodeCore(ReadAll(file, length), path, maxPixels, background: null, crop: null);
    }

    /// <summary>
    /// Decodes the image file at <paramref name="path"/> and composites it onto <paramref name="background"/>: each
    /// channel becomes <c>(value * alpha + background * (255 - alpha) + 127) / 255</c> in integers (alpha 255 keeps the
    /// pixel, alpha 0 gives the background). Images without alpha decode exactly as <see cref="Decode(string, long)"/>.
    /// For cut-outs (PNG stamps, stickers) whose transparent pixels hold arbitrary colours that would otherwise show.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageFormatException">Unknown format, truncated or corrupt data, or more than <paramref name="maxPixels"/> pixels.</exception>
    public static RgbImage Decode(string path, RgbColor background, long maxPixels = DefaultMaxPixels) => Decode(path, background, null, maxPixels);

    /// <summary>
    /// As <see cref="Decode(string, RgbColor, long)"/>, but when <paramref name="crop"/> is given, an image whose file has
    /// an alpha channel is first cropped to its visible content (<see cref="AlphaCrop"/>), then composited.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageFormatException">Unknown format, truncated or corrupt data, or more than <paramref name="maxPixels"/> pixels.</exception>
    public static RgbImage Decode(string path, RgbColor background, AlphaCrop? crop, long maxPixels = DefaultMaxPixels)
    {
        using var file = OpenImageFile(path, out long length);
        return DecodeCore(ReadAll(file, length), path, maxPixels, background, crop);
    }

    /// <summary>Opens an image file for reading and gives its length, refusing files over <see cref="MaxEncodedBytes"/>.</summary>
    private static SafeFileHandle OpenImageFile(string path, out long length)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file not found: {path}", path);
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        length = RandomAccess.GetLength(file);
        if (length > MaxEncodedBytes)
        {
            file.Dispose();
            throw new ImageFormatException($"{path}: the file has {length} bytes; image files over {MaxEncodedBytes} bytes are not accepted.");
        }
        return file;
    }

    /// <summary>The file's bytes; fewer than <paramref name="length"/> when it shrank since it was opened.</summary>
    private static byte[] ReadAll(SafeFileHandle file, long length)
    {
        var data = new byte[length];
        int read = UncompressedBmp.ReadFully(file, data, 0);
        return read == data.Length ? data : data[..read];
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="ImageFormatException">Unknown format, truncated or corrupt data, or more than <paramref name="maxPixels"/> pixels.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string source = "memory", long maxPixels = DefaultMaxPixels)
    {
        if (data.Length > MaxEncodedBytes)
        {
            throw new ImageFormatException($"{source}: {data.Length} bytes; images over {MaxEncodedBytes} encoded bytes are not accepted.");
        }
        return DecodeCore(data.ToArray(), source, maxPixels, background: null, crop: null);
    }

    /// <summary>Reads <paramref name="stream"/> to its end (at most <see cref="MaxEncodedBytes"/>) and decodes it.</summary>
    /// <exception cref="ImageFormatException">Unknown format, truncated or corrupt data, or more than <paramref name="maxPixels"/> pixels.</exception>
    public static RgbImage Decode(Stream stream, string source = "stream", long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] data = BoundedStream.ReadToEnd(stream, MaxEncodedBytes)
            ?? throw new ImageFormatException($"{source}: the stream holds more than {MaxEncodedBytes} bytes; larger images are not accepted.");
        return DecodeCore(data, source, maxPixels, background: null, crop: null);
    }

    private static RgbImage DecodeCore(byte[] data, string source, long maxPixels, RgbColor? background, AlphaCrop? crop)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        var format = ImageContainer.Identify(data, source);
        var (width, height) = ImageContainer.Inspect(data, format, source, maxPixels);
        if (format == ImageContainerFormat.Bmp && background is null && UncompressedBmp.TryDecode(data, (int)width, (int)height) is { } rgb)
        {
            return new RgbImage((int)width, (int)height, rgb);
        }

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
            result = ImageResult.FromStream(new ClampedReadStream(data), background is null ? ColorComponents.RedGreenBlue : ColorComponents.RedGreenBlueAlpha);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageFormatException($"{source}: corrupt {format.Name()} data ({e.Message}).", e);
        }
        int channels = background is null ? RgbImage.Channels : 4;
        if (result?.Data is null || result.Width != width || result.Height != height
            || result.Data.LongLength != width * height * channels)
        {
            throw new ImageFormatException($"{source}: the {format.Name()} decoder returned no usable {width}x{height} RGB image.");
        }
        if (background is not { } color) return new RgbImage(result.Width, result.Height, result.Data);
        byte[] rgba = result.Data;
        int outWidth = result.Width, outHeight = result.Height;
        if (crop is { } c && result.SourceComp is ColorComponents.RedGreenBlueAlpha or ColorComponents.GreyAlpha)
        {
            rgba = c.Apply(rgba, ref outWidth, ref outHeight);
        }
        return new RgbImage(outWidth, outHeight, Composite(rgba, color));
    }

    /// <summary>RGBA to RGB over <paramref name="background"/>: <c>(value * alpha + background * (255 - alpha) + 127) / 255</c>.</summary>
    private static byte[] Composite(byte[] rgba, RgbColor background)
    {
        var rgb = new byte[rgba.Length / 4 * RgbImage.Channels];
        ReadOnlySpan<int> back = [background.Red, background.Green, background.Blue];
        for (int pixel = 0, from = 0, to = 0; from < rgba.Length; pixel++, from += 4, to += RgbImage.Channels)
        {
            int alpha = rgba[from + 3];
            for (int c = 0; c < RgbImage.Channels; c++)
            {
                rgb[to + c] = (byte)(((rgba[from + c] * alpha) + (back[c] * (255 - alpha)) + 127) / 255);
            }
        }
        return rgb;
    }
}
