using System.IO.Compression;
using DeepLite.Runtime;

namespace DeepLite.Vision;

/// <summary>
/// Reads files packed into a model by TFLite Support's metadata populator: a zip archive appended to
/// the FlatBuffer, whose entry names are the <c>AssociatedFile.name</c>s of the metadata.
/// </summary>
public static class ModelAssociatedFiles
{
    /// <summary>Largest associated file read, in bytes (64 MiB).</summary>
    public const int MaxFileBytes = DeepLite.Runtime.Format.AppendedArchive.MaxFileBytes;


    /// <summary>The contents of the associated file <paramref name="name"/>, or null when the model carries no such file.</summary>
    /// <exception cref="DeepLiteException">The appended archive or the entry is corrupt or too large.</exception>
    public static byte[]? Read(TfLiteModel model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Read(model.Bytes, name, model.Source);
    }

    internal static byte[]? Read(ReadOnlyMemory<byte> modelBytes, string name, string source)
    {
        ArgumentNullException.ThrowIfNull(name);
        long archiveStart = DeepLite.Runtime.Format.AppendedArchive.FindStart(modelBytes.Span);
        if (archiveStart < 0) return null;
        try
        {
            using var archive = new ZipArchive(new ClampedReadStream(modelBytes[(int)archiveStart..]), ZipArchiveMode.Read);
            var entry = archive.GetEntry(name);
            if (entry is null) return null;
            if (entry.Length > MaxFileBytes)
            {
                throw new DeepLiteException($"{source}: associated file '{name}' has {entry.Length} bytes; at most {MaxFileBytes} are read.");
            }
            using var stream = entry.Open();
            return BoundedStream.ReadToEnd(stream, MaxFileBytes)
                ?? throw new DeepLiteException($"{source}: associated file '{name}' inflates past {MaxFileBytes} bytes.");
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            throw new DeepLiteException($"{source}: the zip archive appended to the model is corrupt: {e.Message}", e);
        }
    }
}
