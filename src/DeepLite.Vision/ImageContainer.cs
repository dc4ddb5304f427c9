using System.Buffers.Binary;

namespace DeepLite.Vision;

/// <summary>The encoded formats <see cref="ImageDecoder"/> accepts.</summary>
internal enum ImageContainerFormat
{
    Bmp,
    Png,
    Jpeg,
}

/// <summary>
/// Recognises BMP, PNG and JPEG by their signatures, reads the image size from the header (rejecting
/// images over the pixel limit as soon as it is known) and checks that the file is structurally complete
/// before stb_image sees it. stb_image decodes a truncated file silently (missing bytes read as zero),
/// so these checks are what turn truncation into an <see cref="ImageFormatException"/>:
/// BMP: the pixel array the header describes lies inside the file (uncompressed and bit-field BMPs);
/// PNG: every chunk lies inside the file, the first is IHDR and an IEND chunk is reached;
/// JPEG: every marker segment up to the first scan lies inside the file, a frame header precedes
/// the scan, and an end-of-image marker follows it.
/// </summary>
internal static class ImageContainer
{
    /// <summary>"BMP", "PNG" or "JPEG".</summary>
    public static string Name(this ImageContainerFormat format) => format.ToString().ToUpperInvariant();

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format named by the file's signature; throws for anything else.</summary>
    public static ImageContainerFormat Identify(ReadOnlySpan<byte> data, string source)
    {
        if (data.StartsWith(PngSignature)) return ImageContainerFormat.Png;
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageContainerFormat.Jpeg;
        if (data.Length >= 2 && data[0] == (byte)'B' && data[1] == (byte)'M') return ImageContainerFormat.Bmp;
        if (data.IsEmpty) throw new ImageFormatException($"{source}: the image is empty (0 bytes).");
        throw new ImageFormatException($"{source}: unknown image format (first bytes {Convert.ToHexString(data[..Math.Min(8, data.Length)])}); BMP, PNG and JPEG are supported.");
    }

    /// <summary>
    /// The image size the header declares. Throws <see cref="ImageFormatException"/> when it exceeds
    /// <paramref name="maxPixels"/> or is empty, or when the file is truncated or its structure is broken.
    /// </summary>
    public static (long Width, long Height) Inspect(ReadOnlySpan<byte> data, ImageContainerFormat format, string source, long maxPixels)
    {
        var (width, height) = format switch
        {
            ImageContainerFormat.Bmp => InspectBmp(data, source, maxPixels),
            ImageContainerFormat.Png => InspectPng(data, source, maxPixels),
            ImageContainerFormat.Jpeg => InspectJpeg(data, source, maxPixels),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        if (width <= 0 || height <= 0)
        {
            throw new ImageFormatException($"{source}: corrupt {format.Name()}: the header gives a size of {width}x{height}.");
        }
        return (width, height);
    }

    /// <summary>Throws when a <paramref name="width"/> x <paramref name="height"/> image is over <paramref name="maxPixels"/>
    /// (128-bit product: 32-bit PNG dimensions could overflow 64 bits).</summary>
    private static void CheckPixelLimit(long width, long height, string source, long maxPixels)
    {
        Int128 pixels = (Int128)width * height;
        if (pixels > maxPixels)
        {
            throw new ImageFormatException($"{source}: the image is {width}x{height} ({pixels} pixels), over the limit of {maxPixels} pixels.");
        }
    }

    private static (long Width, long Height) InspectBmp(ReadOnlySpan<byte> data, string source, long maxPixels)
    {
        const int FileHeaderSize = 14;
        if (data.Length < FileHeaderSize + 12)
        {
            throw Truncated(source, "BMP", $"it has {data.Length} bytes, fewer than the smallest BMP header");
        }
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (headerSize is not (12 or 40 or 52 or 56 or 108 or 124))
        {
            throw new ImageFormatException($"{source}: corrupt BMP: an info header of {headerSize} bytes is not a BMP header.");
        }
        if (FileHeaderSize + headerSize > data.Length)
        {
            throw Truncated(source, "BMP", $"its {headerSize}-byte info header ends past the file's {data.Length} bytes");
        }

        long width, height;
        int bitsPerPixel;
        uint compression;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[20..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[24..]);
            compression = 0;
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
            height = BinaryPrimitives.ReadInt32LittleEndian(data[22..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(data[30..]);
        }
        if (width <= 0 || height == 0 || height == int.MinValue)
        {
            throw new ImageFormatException($"{source}: corrupt BMP: the header gives a size of {width}x{height}.");
        }
        CheckPixelLimit(width, Math.Abs(height), source, maxPixels);
        if (pixelOffset < FileHeaderSize + headerSize)
        {
            throw new ImageFormatException($"{source}: corrupt BMP: the pixel data offset {pixelOffset} lies inside the headers.");
        }

        // BI_RGB (0), BI_BITFIELDS (3), BI_ALPHABITFIELDS (6): rows of ceil(width * bpp / 32) 32-bit words.
        bool uncompressed = compression is 0 or 3 or 6;
        if (uncompressed && bitsPerPixel is 1 or 4 or 8 or 16 or 24 or 32)
        {
            long rowBytes = ((width * bitsPerPixel) + 31) / 32 * 4;
            long needed = pixelOffset + (rowBytes * Math.Abs(height));
            if (needed > data.Length)
            {
                throw Truncated(source, "BMP", $"its {width}x{Math.Abs(height)} {bitsPerPixel}-bit pixels end at byte {needed}, the file has {data.Length} bytes");
            }
        }
        else if (pixelOffset >= data.Length)
        {
            throw Truncated(source, "BMP", $"the pixel data offset {pixelOffset} is past the file's {data.Length} bytes");
        }
        return (width, Math.Abs(height));
    }

    private static (long Width, long Height) InspectPng(ReadOnlySpan<byte> data, string source, long maxPixels)
    {
        long position = PngSignature.Length;
        bool first = true;
        long width = 0, height = 0;
        while (true)
        {
            if (position + 8 > data.Length)
            {
                throw Truncated(source, "PNG", $"it ends at byte {data.Length}, before the IEND chunk");
            }
            int start = (int)position;
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[start..]);
            var type = data.Slice(start + 4, 4);
            long end = position + 12 + length; // length, type, data, CRC
            if (length > int.MaxValue)
            {
                throw new ImageFormatException($"{source}: corrupt PNG: a chunk at byte {start} claims {length} bytes.");
            }
            if (end > data.Length)
            {
                throw Truncated(source, "PNG", $"the {ChunkName(type)} chunk at byte {start} needs {length} data bytes, the file ends at byte {data.Length}");
            }
            if (first)
            {
                if (!type.SequenceEqual("IHDR"u8) || length < 8)
                {
                    throw new ImageFormatException($"{source}: corrupt PNG: the first chunk is {ChunkName(type)} of {length} bytes, not an IHDR chunk.");
                }
                width = BinaryPrimitives.ReadUInt32BigEndian(data[(start + 8)..]);
                height = BinaryPrimitives.ReadUInt32BigEndian(data[(start + 12)..]);
                CheckPixelLimit(width, height, source, maxPixels);
            }
            if (type.SequenceEqual("IEND"u8)) return (width, height);
            first = false;
            position = end;
        }
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
        {
            if (b is < 0x21 or > 0x7E) return $"0x{Convert.ToHexString(type)}";
        }
        return System.Text.Encoding.ASCII.GetString(type);
    }

    private static (long Width, long Height) InspectJpeg(ReadOnlySpan<byte> data, string source, long maxPixels)
    {
        int position = 2;
        bool sawFrameHeader = false;
        long width = 0, height = 0;
        while (true)
        {
            if (position >= data.Length)
            {
                throw Truncated(source, "JPEG", $"it ends at byte {data.Length}, before the image data");
            }
            if (data[position] != 0xFF)
            {
                throw new ImageFormatException($"{source}: corrupt JPEG: expected a marker at byte {position}, found 0x{data[position]:X2}.");
            }
            while (position < data.Length && data[position] == 0xFF) position++; // fill bytes
            if (position >= data.Length)
            {
                throw Truncated(source, "JPEG", $"it ends inside a marker at byte {data.Length}");
            }
            int markerStart = position - 1;
            byte marker = data[position++];
            if (marker == 0xD9)
            {
                throw new ImageFormatException($"{source}: corrupt JPEG: end-of-image marker at byte {markerStart} before any image data.");
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8)) continue; // markers without a segment
            if (position + 2 > data.Length)
            {
                throw Truncated(source, "JPEG", $"it ends inside the 0xFF{marker:X2} segment at byte {markerStart}");
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            if (length < 2)
            {
                throw new ImageFormatException($"{source}: corrupt JPEG: the 0xFF{marker:X2} segment at byte {markerStart} has length {length}.");
            }
            if (position + length > data.Length)
            {
                throw Truncated(source, "JPEG", $"the 0xFF{marker:X2} segment at byte {markerStart} needs {length} bytes, the file ends at byte {data.Length}");
            }
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): length, precision, height, width, ...
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (length < 8)
                {
                    throw new ImageFormatException($"{source}: corrupt JPEG: the frame header at byte {markerStart} has length {length}.");
                }
                sawFrameHeader = true;
                height = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 3)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 5)..]);
                CheckPixelLimit(width, height, source, maxPixels);
            }
            position += length;
            if (marker == 0xDA)
            {
                if (!sawFrameHeader)
                {
                    throw new ImageFormatException($"{source}: corrupt JPEG: image data at byte {markerStart} before any frame header.");
                }
                // In entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so FF D9 is the end of image.
                if (data[position..].IndexOf([(byte)0xFF, (byte)0xD9]) < 0)
                {
                    throw Truncated(source, "JPEG", "no end-of-image marker follows the image data");
                }
                return (width, height);
            }
        }
    }

    private static ImageFormatException Truncated(string source, string format, string detail) =>
        new($"{source}: truncated {format}: {detail}.");
}
