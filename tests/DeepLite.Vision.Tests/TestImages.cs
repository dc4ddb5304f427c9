using System.Buffers.Binary;
using System.Text;

namespace DeepLite.Vision.Tests;

/// <summary>Writes small BMP and PNG files by hand, so decoder tests need no image library.</summary>
internal static class TestImages
{
    /// <summary>Seeded pseudo-random pixel bytes.</summary>
    public static byte[] Pattern(int width, int height, int channels, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[width * height * channels];
        random.NextBytes(pixels);
        return pixels;
    }

    /// <summary>
    /// A BITMAPINFOHEADER (40-byte) BMP. <paramref name="bitsPerPixel"/> 24 or 32 takes RGB(A) pixels;
    /// 8 takes palette indices in <paramref name="pixels"/> and a palette of R, G, B triples.
    /// 32-bit BI_BITFIELDS writes the standard B, G, R, A masks after the header.
    /// </summary>
    public static byte[] Bmp(int width, int height, int bitsPerPixel, byte[] pixels, bool topDown = false, byte[]? paletteRgb = null, bool bitfields = false)
    {
        const int HeaderSize = 40;
        int paletteBytes = bitsPerPixel == 8 ? paletteRgb!.Length / 3 * 4 : 0;
        int maskBytes = bitfields ? 12 : 0;
        int pixelOffset = 14 + HeaderSize + maskBytes + paletteBytes;
        int rowBytes = ((width * bitsPerPixel) + 31) / 32 * 4;
        var file = new byte[pixelOffset + (rowBytes * height)];
        var span = file.AsSpan();
        span[0] = (byte)'B';
        span[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(span[2..], (uint)file.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[10..], (uint)pixelOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(span[14..], HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[18..], width);
        BinaryPrimitives.WriteInt32LittleEndian(span[22..], topDown ? -height : height);
        BinaryPrimitives.WriteUInt16LittleEndian(span[26..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[28..], (ushort)bitsPerPixel);
        BinaryPrimitives.WriteUInt32LittleEndian(span[30..], bitfields ? 3u : 0u);
        BinaryPrimitives.WriteUInt32LittleEndian(span[34..], (uint)(rowBytes * height));
        BinaryPrimitives.WriteUInt32LittleEndian(span[46..], (uint)(paletteBytes / 4));
        if (bitfields)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[54..], 0x00FF0000);
            BinaryPrimitives.WriteUInt32LittleEndian(span[58..], 0x0000FF00);
            BinaryPrimitives.WriteUInt32LittleEndian(span[62..], 0x000000FF);
        }
        int palette = 14 + HeaderSize + maskBytes;
        for (int i = 0; i < paletteBytes / 4; i++)
        {
            span[palette + (4 * i)] = paletteRgb![(3 * i) + 2];
            span[palette + (4 * i) + 1] = paletteRgb[(3 * i) + 1];
            span[palette + (4 * i) + 2] = paletteRgb[3 * i];
        }
        int channels = bitsPerPixel / 8;
        for (int y = 0; y < height; y++)
        {
            int row = pixelOffset + ((topDown ? y : height - 1 - y) * rowBytes);
            for (int x = 0; x < width; x++)
            {
                int source = ((y * width) + x) * channels;
                int destination = row + (x * channels);
                if (channels == 1)
                {
                    span[destination] = pixels[source];
                    continue;
                }
                span[destination] = pixels[source + 2];
                span[destination + 1] = pixels[source + 1];
                span[destination + 2] = pixels[source];
                if (channels == 4) span[destination + 3] = pixels[source + 3];
            }
        }
        return file;
    }

    /// <summary>
    /// An 8-bit PNG (color type 0 gray, 2 RGB, 4 gray+alpha, 6 RGBA by <paramref name="channels"/> 1, 3, 2, 4)
    /// whose zlib stream uses stored (uncompressed) deflate blocks; filter type 0 on every row.
    /// </summary>
    public static byte[] Png(int width, int height, int channels, byte[] pixels)
    {
        byte colorType = channels switch { 1 => 0, 2 => 4, 3 => 2, 4 => 6, _ => throw new ArgumentOutOfRangeException(nameof(channels)) };
        int rowBytes = width * channels;
        var raw = new byte[(rowBytes + 1) * height];
        for (int y = 0; y < height; y++) pixels.AsSpan(y * rowBytes, rowBytes).CopyTo(raw.AsSpan((y * (rowBytes + 1)) + 1));

        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = colorType;
        WriteChunk(file, "IHDR", header);
        WriteChunk(file, "IDAT", ZlibStored(raw));
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 BTYPE 00) and the Adler-32 of the data.</summary>
    private static byte[] ZlibStored(byte[] data)
    {
        using var stream = new MemoryStream();
        stream.Write([0x78, 0x01]);
        int position = 0;
        do
        {
            int length = Math.Min(65535, data.Length - position);
            bool final = position + length == data.Length;
            stream.WriteByte(final ? (byte)1 : (byte)0);
            var lengths = new byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(lengths, (ushort)length);
            BinaryPrimitives.WriteUInt16LittleEndian(lengths.AsSpan(2), (ushort)~length);
            stream.Write(lengths);
            stream.Write(data, position, length);
            position += length;
        }
        while (position < data.Length);

        uint a = 1, b = 0;
        foreach (byte value in data)
        {
            a = (a + value) % 65521;
            b = (b + a) % 65521;
        }
        var adler = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(adler, (b << 16) | a);
        stream.Write(adler);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream file, string type, byte[] data)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, prefix.AsSpan(4));
        file.Write(prefix);
        file.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(prefix.AsSpan(4), data));
        file.Write(crc);
    }

    /// <summary>CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) over the chunk type and data, as PNG requires.</summary>
    private static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        crc = Update(crc, type);
        crc = Update(crc, data);
        return ~crc;

        static uint Update(uint crc, ReadOnlySpan<byte> bytes)
        {
            foreach (byte value in bytes)
            {
                crc ^= value;
                for (int bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
            return crc;
        }
    }
}
