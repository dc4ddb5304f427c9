using System.Buffers.Binary;

namespace DeepLite.Vision.Tests;

/// <summary>
/// The golden generator's BMP rule, written independently of the decoder under test:
/// BITMAPINFOHEADER-family BMP, 8-bit palettized or 24/32-bit BI_RGB (32-bit also BI_BITFIELDS, read as
/// B, G, R, A); rows bottom-up unless the height is negative; pixels B, G, R(, A) become R, G, B;
/// 8-bit palette entries (B, G, R, reserved) start at 14 + the info header size.
/// </summary>
internal static class BmpReference
{
    public static (int Width, int Height, byte[] Rgb) Decode(byte[] file)
    {
        int pixelOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(10));
        int headerSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(14));
        int width = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(18));
        int signedHeight = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(22));
        int bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(28));
        int compression = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(30));
        if (bitsPerPixel is not (8 or 24 or 32)) throw new NotSupportedException($"{bitsPerPixel}-bit BMP");
        if (!(compression == 0 || (compression == 3 && bitsPerPixel == 32))) throw new NotSupportedException($"BMP compression {compression}");

        bool topDown = signedHeight < 0;
        int height = Math.Abs(signedHeight);
        int rowBytes = ((width * bitsPerPixel) + 31) / 32 * 4;
        int paletteOffset = 14 + headerSize;
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int fileRow = topDown ? y : height - 1 - y;
            int row = pixelOffset + (fileRow * rowBytes);
            for (int x = 0; x < width; x++)
            {
                int source = bitsPerPixel switch
                {
                    8 => paletteOffset + (4 * file[row + x]),
                    24 => row + (3 * x),
                    _ => row + (4 * x),
                };
                int destination = ((y * width) + x) * 3;
                rgb[destination] = file[source + 2];
                rgb[destination + 1] = file[source + 1];
                rgb[destination + 2] = file[source];
            }
        }
        return (width, height, rgb);
    }
}
