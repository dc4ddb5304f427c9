using System.Buffers.Binary;

namespace DeepLite.Runtime.Format;

/// <summary>
/// Finds the zip archive TFLite Support appends to a model file to carry its associated files (label files and the
/// like, named by the <c>TFLITE_METADATA</c>). The archive itself is read with System.IO.Compression.
/// </summary>
public static class AppendedArchive
{
    /// <summary>Most bytes one associated file may have when it is read (a label file is a few kilobytes).</summary>
    public const int MaxFileBytes = 64 << 20;

    private const int EndRecordSize = 22;
    private const uint EndRecordSignature = 0x06054B50;

    /// <summary>
    /// Position of the appended archive in <paramref name="file"/>, or -1 when there is none. The end-of-central-directory
    /// record must end the file (after its comment); the archive starts where its central directory offset, counted back
    /// from the directory's actual position, puts it, so archives whose offsets are relative to the archive and archives
    /// whose offsets count the whole file both work.
    /// </summary>
    public static long FindStart(ReadOnlySpan<byte> file)
    {
        int lowest = Math.Max(0, file.Length - EndRecordSize - ushort.MaxValue);
        for (int position = file.Length - EndRecordSize; position >= lowest; position--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(file[position..]) != EndRecordSignature) continue;
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(file[(position + 20)..]);
            if (position + EndRecordSize + commentLength != file.Length) continue;
            long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(file[(position + 12)..]);
            long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(file[(position + 16)..]);
            long start = position - directorySize - directoryOffset;
            if (start >= 0) return start;
        }
        return -1;
    }
}
