using System.Buffers.Binary;
using System.IO.Compression;
using DeepLite.Runtime;

namespace DeepLite.Modeling;

/// <summary>
/// The zip archive TFLite Support appends to a model to carry its associated files (label files and
/// the like, named by the <c>TFLITE_METADATA</c>). Writing stores entries uncompressed with offsets
/// relative to the archive; reading accepts offsets relative to the archive or to the whole file.
/// </summary>
internal static class AssociatedFilesArchive
{
    private const int EndRecordSize = 22;
    private const uint EndRecordSignature = 0x06054B50;

    /// <summary>The zip archive holding <paramref name="files"/>, in order.</summary>
    public static byte[] Write(IReadOnlyList<KeyValuePair<string, byte[]>> files)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, contents) in files)
            {
                var entry = archive.CreateEntry(name, CompressionLevel.NoCompression);
                entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var entryStream = entry.Open();
                entryStream.Write(contents);
            }
        }
        return stream.ToArray();
    }

    /// <summary>The files of the archive appended to <paramref name="modelBytes"/>; empty when there is none.</summary>
    public static List<KeyValuePair<string, byte[]>> Read(ReadOnlyMemory<byte> modelBytes, string source)
    {
        var files = new List<KeyValuePair<string, byte[]>>();
        long start = FindArchiveStart(modelBytes.Span);
        if (start < 0) return files;
        try
        {
            using var archive = new ZipArchive(new MemoryStream(modelBytes[(int)start..].ToArray(), writable: false), ZipArchiveMode.Read);
            foreach (var entry in archive.Entries)
            {
                using var entryStream = entry.Open();
                using var copy = new MemoryStream();
                entryStream.CopyTo(copy);
                files.Add(new(entry.FullName, copy.ToArray()));
            }
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException($"{source}: the zip archive appended to the model is corrupt: {e.Message}", e);
        }
        return files;
    }

    /// <summary>Position of the appended archive, or -1: the end-of-central-directory record must end
    /// the file, and the archive starts where the central directory's size and offset, counted back from
    /// the record, put it.</summary>
    private static long FindArchiveStart(ReadOnlySpan<byte> bytes)
    {
        int lowest = Math.Max(0, bytes.Length - EndRecordSize - ushort.MaxValue);
        for (int position = bytes.Length - EndRecordSize; position >= lowest; position--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[position..]) != EndRecordSignature) continue;
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(position + 20)..]);
            if (position + EndRecordSize + commentLength != bytes.Length) continue;
            long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 12)..]);
            long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 16)..]);
            long start = position - directorySize - directoryOffset;
            if (start >= 0) return start;
        }
        return -1;
    }
}
