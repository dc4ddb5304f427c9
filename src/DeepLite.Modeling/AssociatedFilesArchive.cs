using System.IO.Compression;
using DeepLite.Runtime;
using DeepLite.Runtime.Format;

namespace DeepLite.Modeling;

/// <summary>
/// The zip archive TFLite Support appends to a model to carry its associated files (label files and
/// the like, named by the <c>TFLITE_METADATA</c>). Writing stores entries uncompressed with offsets
/// relative to the archive; reading accepts offsets relative to the archive or to the whole file.
/// </summary>
internal static class AssociatedFilesArchive
{
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
        long start = AppendedArchive.FindStart(modelBytes.Span);
        if (start < 0) return files;
        try
        {
            using var archive = new ZipArchive(new MemoryStream(modelBytes[(int)start..].ToArray(), writable: false), ZipArchiveMode.Read);
            foreach (var entry in archive.Entries)
            {
                if (entry.Length > AppendedArchive.MaxFileBytes)
                {
                    throw new ModelFormatException($"{source}: associated file '{entry.FullName}' has {entry.Length:N0} bytes; at most {AppendedArchive.MaxFileBytes:N0} are read.");
                }
                // Exactly the declared length: an entry that inflates to more is cut there, one that yields less fails.
                var contents = new byte[entry.Length];
                using (var entryStream = entry.Open()) entryStream.ReadExactly(contents);
                files.Add(new(entry.FullName, contents));
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or NotSupportedException)
        {
            throw new ModelFormatException($"{source}: the zip archive appended to the model is corrupt: {e.Message}", e);
        }
        return files;
    }
}
