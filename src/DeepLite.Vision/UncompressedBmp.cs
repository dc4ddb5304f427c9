using System.Buffers.Binary;

namespace DeepLite.Vision;

/// <summary>
/// Direct decoding of the most common BMP layout: a BITMAPINFOHEADER-family header (40 bytes or longer), no
/// compression (BI_RGB), 24 or 32 bits per pixel. Such a file is the RGB image already, stored B, G, R(, X) in rows
/// padded to 4 bytes, bottom-up unless the height is negative; reading it row by row is much faster than
/// stb_image's byte-at-a-time loader. The result equals stb_image's for these files (the fourth byte of a 32-bit
/// pixel is ignored, as stb does when asked for RGB). Every other BMP goes to stb_image.
/// </summary>
internal static class UncompressedBmp
{
    /// <summary>The RGB pixels of <paramref name="data"/>, or null when the file is not in the layout above. The header
    /// must already have passed <see cref="ImageContainer.Inspect"/>, which checks that the rows lie inside the file.</summary>
    public static byte[]? TryDecode(ReadOnlySpan<byte> data, int width, int height)
    {
        if (data.Length < 34) return null;
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (headerSize < 40) return null;
        int storedHeight = BinaryPrimitives.ReadInt32LittleEndian(data[22..]);
        int bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(data[30..]);
        if (compression != 0 || bitsPerPixel is not (24 or 32)) return null;
        if (BinaryPrimitives.ReadInt32LittleEndian(data[18..]) != width || Math.Abs((long)storedHeight) != height) return null;

        int bytesPerPixel = bitsPerPixel / 8;
        long rowBytes = (((long)width * bitsPerPixel) + 31) / 32 * 4;
        if (pixelOffset + (rowBytes * height) > data.Length) return null;

        var rgb = GC.AllocateUninitializedArray<byte>(checked(width * height * RgbImage.Channels));
        bool topDown = storedHeight < 0;
        for (int y = 0; y < height; y++)
        {
            long fileRow = topDown ? y : height - 1 - y;
            var row = data.Slice((int)(pixelOffset + (fileRow * rowBytes)), width * bytesPerPixel);
            var destination = rgb.AsSpan(y * width * RgbImage.Channels, width * RgbImage.Channels);
            for (int x = 0, from = 0, to = 0; x < width; x++, from += bytesPerPixel, to += RgbImage.Channels)
            {
                destination[to] = row[from + 2];
                destination[to + 1] = row[from + 1];
                destination[to + 2] = row[from];
            }
        }
        return rgb;
    }
}
