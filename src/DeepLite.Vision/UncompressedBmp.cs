using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace DeepLite.Vision;

/// <summary>
/// Direct decoding of the most common BMP layout: a BITMAPINFOHEADER-family header (40 bytes or longer), no
/// compression (BI_RGB), 24 or 32 bits per pixel. Such a file is the RGB image already, stored B, G, R(, X) in rows
/// padded to 4 bytes, bottom-up unless the height is negative; reading it row by row is much faster than
/// stb_image's byte-at-a-time loader. The result equals stb_image's for these files (the fourth byte of a 32-bit
/// pixel is ignored, as stb does when asked for RGB). Every other BMP, and any file whose header or size is not
/// exactly right, is left to the general decoder, which reports what is wrong.
/// </summary>
internal static class UncompressedBmp
{
    /// <summary>Header bytes needed to recognise the layout (file header and the info header up to the compression).</summary>
    public const int HeaderBytes = 34;

    /// <summary>Rows are read from a file in blocks of about this many bytes, into one reused buffer.</summary>
    private const int BlockBytes = 64 * 1024;

    private readonly record struct Layout(int Width, int Height, bool TopDown, int BytesPerPixel, long PixelOffset, int RowBytes);

    /// <summary>The RGB pixels of <paramref name="data"/>, or null when the file is not in the layout above or is not
    /// <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static byte[]? TryDecode(ReadOnlySpan<byte> data, int width, int height)
    {
        if (TryParse(data, data.Length, long.MaxValue) is not { } layout || layout.Width != width || layout.Height != height) return null;
        var rgb = GC.AllocateUninitializedArray<byte>(width * height * RgbImage.Channels);
        for (int fileRow = 0; fileRow < height; fileRow++)
        {
            ConvertRow(layout, data.Slice((int)(layout.PixelOffset + ((long)fileRow * layout.RowBytes)), layout.RowBytes), fileRow, rgb);
        }
        return rgb;
    }

    /// <summary>
    /// Reads the image straight from an open file of <paramref name="fileLength"/> bytes, a block of rows at a time,
    /// without holding the encoded file in memory; null when the file is not in the layout above, has more than
    /// <paramref name="maxPixels"/> pixels, or ends early (also when it shrinks while being read).
    /// </summary>
    public static RgbImage? TryRead(SafeFileHandle file, long fileLength, long maxPixels)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (ReadFully(file, header, 0) < HeaderBytes || TryParse(header, fileLength, maxPixels) is not { } layout) return null;
        var rgb = GC.AllocateUninitializedArray<byte>(layout.Width * layout.Height * RgbImage.Channels);
        int rowsPerBlock = Math.Clamp(BlockBytes / layout.RowBytes, 1, layout.Height);
        var block = new byte[rowsPerBlock * layout.RowBytes];
        for (int fileRow = 0; fileRow < layout.Height; fileRow += rowsPerBlock)
        {
            int rows = Math.Min(rowsPerBlock, layout.Height - fileRow);
            var span = block.AsSpan(0, rows * layout.RowBytes);
            if (ReadFully(file, span, layout.PixelOffset + ((long)fileRow * layout.RowBytes)) < span.Length) return null;
            for (int r = 0; r < rows; r++) ConvertRow(layout, span.Slice(r * layout.RowBytes, layout.RowBytes), fileRow + r, rgb);
        }
        return new RgbImage(layout.Width, layout.Height, rgb);
    }

    /// <summary>The layout of a BMP whose first bytes are <paramref name="header"/>, or null unless it is a 24/32-bit
    /// BI_RGB file with a sane header whose rows all lie inside <paramref name="fileLength"/> bytes.</summary>
    private static Layout? TryParse(ReadOnlySpan<byte> header, long fileLength, long maxPixels)
    {
        if (header.Length < HeaderBytes || header[0] != (byte)'B' || header[1] != (byte)'M') return null;
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]);
        int width = BinaryPrimitives.ReadInt32LittleEndian(header[18..]);
        int storedHeight = BinaryPrimitives.ReadInt32LittleEndian(header[22..]);
        int bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(header[30..]);
        if (headerSize is < 40 or > 124 || compression != 0 || bitsPerPixel is not (24 or 32)) return null;
        if (width <= 0 || storedHeight == 0 || storedHeight == int.MinValue || pixelOffset < 14 + headerSize) return null;
        int height = Math.Abs(storedHeight);
        if ((long)width * height > Math.Min(maxPixels, int.MaxValue / RgbImage.Channels)) return null;
        long rowBytes = (((long)width * bitsPerPixel) + 31) / 32 * 4;
        if (pixelOffset + (rowBytes * height) > fileLength) return null;
        return new Layout(width, height, storedHeight < 0, bitsPerPixel / 8, pixelOffset, (int)rowBytes);
    }

    /// <summary>Writes file row <paramref name="fileRow"/> (B, G, R(, X) pixels) as R, G, B into its image row.</summary>
    private static void ConvertRow(Layout layout, ReadOnlySpan<byte> row, int fileRow, byte[] rgb)
    {
        int y = layout.TopDown ? fileRow : layout.Height - 1 - fileRow;
        int stride = layout.Width * RgbImage.Channels, bytesPerPixel = layout.BytesPerPixel;
        var destination = rgb.AsSpan(y * stride, stride);
        for (int to = 0, from = 0; to < destination.Length; to += RgbImage.Channels, from += bytesPerPixel)
        {
            destination[to] = row[from + 2];
            destination[to + 1] = row[from + 1];
            destination[to + 2] = row[from];
        }
    }

    /// <summary>Reads from <paramref name="offset"/> until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = RandomAccess.Read(file, buffer[total..], offset + total);
            if (read == 0) break;
            total += read;
        }
        return total;
    }
}
