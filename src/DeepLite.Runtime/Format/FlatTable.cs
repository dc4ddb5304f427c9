using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace DeepLite.Runtime.Format;

/// <summary>
/// A bounds-checked view of one FlatBuffers table inside a model buffer. Every read checks that the
/// bytes it touches lie inside the buffer and throws <see cref="ModelFormatException"/> naming
/// <see cref="Context"/> otherwise, so a truncated or hostile file can never index outside the buffer.
/// Reads are lazy: nothing is copied until a field is asked for.
/// </summary>
/// <remarks>
/// FlatBuffers layout: a table starts with a signed 32-bit offset back to its vtable; the vtable holds
/// its own byte length, the table's byte length and one unsigned 16-bit offset per field (0 = absent).
/// Reference fields (tables, vectors, strings) hold an unsigned 32-bit offset relative to the field.
/// Vectors and strings start with a 32-bit element count. All values are little-endian.
/// </remarks>
public readonly struct FlatTable
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly int _position;
    private readonly int _vtable;
    private readonly int _vtableLength;

    /// <summary>What this table is, for error messages (e.g. "subgraph 0 tensor 12").</summary>
    public string Context { get; }

    /// <summary>True for the default value: a table that is not present in the file.</summary>
    public bool IsEmpty => _buffer.IsEmpty;

    /// <summary>Byte position of the table in the buffer.</summary>
    public int Position => _position;

    internal FlatTable(ReadOnlyMemory<byte> buffer, int position, string context)
    {
        _buffer = buffer;
        _position = position;
        Context = context;
        var span = buffer.Span;
        CheckRange(span.Length, position, 4, context, "table");
        long vtable = position - (long)BinaryPrimitives.ReadInt32LittleEndian(span.Slice(position, 4));
        if (vtable < 0 || vtable > span.Length - 4)
        {
            throw new ModelFormatException($"{context}: table vtable offset points outside the file (position {vtable}, file size {span.Length}).");
        }
        _vtable = (int)vtable;
        _vtableLength = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(_vtable, 2));
        if (_vtableLength < 4 || (_vtableLength & 1) != 0 || _vtable + (long)_vtableLength > span.Length)
        {
            throw new ModelFormatException($"{context}: table vtable has an invalid length {_vtableLength}.");
        }
    }

    /// <summary>Reads the root table of a FlatBuffer.</summary>
    public static FlatTable Root(ReadOnlyMemory<byte> buffer, string context)
    {
        if (buffer.Length < 8)
        {
            throw new ModelFormatException($"{context}: file is {buffer.Length} bytes, too short to be a FlatBuffer.");
        }
        uint root = BinaryPrimitives.ReadUInt32LittleEndian(buffer.Span);
        if (root > buffer.Length - 4)
        {
            throw new ModelFormatException($"{context}: root table offset {root} is outside the file ({buffer.Length} bytes).");
        }
        return new FlatTable(buffer, (int)root, context);
    }

    private static void CheckRange(int bufferLength, long position, long length, string context, string what)
    {
        if (!InRange(bufferLength, position, length)) throw OutsideFile(bufferLength, position, length, context, what);
    }

    private static bool InRange(int bufferLength, long position, long length) => position >= 0 && length >= 0 && position + length <= bufferLength;

    /// <summary>Checks a read of field <paramref name="field"/>; the message is only formatted when the check fails, so
    /// reading a valid model allocates nothing here.</summary>
    private void CheckField(long position, long length, int field, string what)
    {
        if (!InRange(_buffer.Length, position, length)) throw OutsideFile(_buffer.Length, position, length, Context, $"field {field}{what}");
    }

    private static ModelFormatException OutsideFile(int bufferLength, long position, long length, string context, string what) =>
        new($"{context}: {what} at byte {position} (length {length}) lies outside the file ({bufferLength} bytes); the file is truncated or corrupt.");

    /// <summary>Absolute position of field <paramref name="field"/>'s inline value, or -1 when the field is absent.</summary>
    private int FieldPosition(int field)
    {
        if (_buffer.IsEmpty) return -1;
        int entry = 4 + (2 * field);
        if (entry + 2 > _vtableLength) return -1;
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.Span.Slice(_vtable + entry, 2));
        return offset == 0 ? -1 : _position + offset;
    }

    /// <summary>True when the field is stored in the file.</summary>
    public bool Has(int field) => FieldPosition(field) >= 0;

    /// <summary>Reads a scalar field, or <paramref name="defaultValue"/> when absent.</summary>
    public T Scalar<T>(int field, T defaultValue) where T : unmanaged
    {
        int pos = FieldPosition(field);
        if (pos < 0) return defaultValue;
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        CheckField(pos, size, field, "");
        return MemoryMarshal.Read<T>(_buffer.Span.Slice(pos, size));
    }

    public int Int(int field, int defaultValue = 0) => Scalar(field, defaultValue);
    public uint UInt(int field, uint defaultValue = 0) => Scalar(field, defaultValue);
    public long Long(int field, long defaultValue = 0) => Scalar(field, defaultValue);
    public ulong ULong(int field, ulong defaultValue = 0) => Scalar(field, defaultValue);
    public byte Byte(int field, byte defaultValue = 0) => Scalar(field, defaultValue);
    public sbyte SByte(int field, sbyte defaultValue = 0) => Scalar(field, defaultValue);
    public float Float(int field, float defaultValue = 0) => Scalar(field, defaultValue);
    public bool Bool(int field, bool defaultValue = false) => Scalar(field, defaultValue ? (byte)1 : (byte)0) != 0;

    /// <summary>Follows a reference field; returns the absolute target position or -1 when absent.</summary>
    private int Target(int field)
    {
        int pos = FieldPosition(field);
        if (pos < 0) return -1;
        CheckField(pos, 4, field, " reference");
        long target = pos + (long)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Span.Slice(pos, 4));
        CheckField(target, 4, field, " target");
        return (int)target;
    }

    /// <summary>A sub-table, or an empty table when the field is absent.</summary>
    public FlatTable Table(int field, string context)
    {
        int target = Target(field);
        return target < 0 ? default : new FlatTable(_buffer, target, context);
    }

    /// <summary>A UTF-8 string field, or null when absent.</summary>
    public string? String(int field)
    {
        var bytes = VectorBytes(field, 1, out bool present);
        return present ? Encoding.UTF8.GetString(bytes.Span) : null;
    }

    /// <summary>Element count of a vector field (0 when absent).</summary>
    public int VectorLength(int field, int elementSize) => (int)(VectorBytes(field, elementSize, out _).Length / elementSize);

    /// <summary>The raw bytes of a vector of fixed-size elements, zero-copy; empty when absent.</summary>
    public ReadOnlyMemory<byte> VectorBytes(int field, int elementSize, out bool present)
    {
        var (start, length) = VectorRange(field, elementSize, out present);
        return present ? _buffer.Slice(start, length) : ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>Start and byte length of a vector field's elements, checked against the buffer.</summary>
    private (int Start, int Length) VectorRange(int field, int elementSize, out bool present)
    {
        int target = Target(field);
        present = target >= 0;
        if (target < 0) return (0, 0);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Span.Slice(target, 4));
        long length = count * (long)elementSize;
        if (!InRange(_buffer.Length, target + 4L, length))
        {
            throw OutsideFile(_buffer.Length, target + 4L, length, Context, $"field {field} vector of {count} elements");
        }
        return (target + 4, (int)length);
    }

    /// <summary>A vector of scalars copied into a new array (empty when absent).</summary>
    public T[] Vector<T>(int field) where T : unmanaged
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var bytes = VectorBytes(field, size, out _);
        return MemoryMarshal.Cast<byte, T>(bytes.Span).ToArray();
    }

    /// <summary>Number of entries in a vector of tables.</summary>
    public int TableCount(int field) => VectorLength(field, 4);

    /// <summary>Entry <paramref name="index"/> of a vector of tables.</summary>
    public FlatTable TableAt(int field, int index, string context)
    {
        var (start, length) = VectorRange(field, 4, out _);
        int count = length / 4;
        if ((uint)index >= (uint)count)
        {
            throw new ModelFormatException($"{Context}: index {index} is outside a vector of {count} tables.");
        }
        int slot = start + (index * 4);
        long target = slot + (long)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Span.Slice(slot, 4));
        CheckRange(_buffer.Length, target, 4, context, "table");
        return new FlatTable(_buffer, (int)target, context);
    }

    /// <summary>The strings of a vector of strings.</summary>
    public string[] StringVector(int field)
    {
        var (start, length) = VectorRange(field, 4, out _);
        int count = length / 4;
        var result = new string[count];
        var span = _buffer.Span;
        for (int i = 0; i < count; i++)
        {
            int slot = start + (i * 4);
            long target = slot + (long)BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(slot, 4));
            CheckRange(span.Length, target, 4, Context, "string");
            uint byteCount = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice((int)target, 4));
            CheckRange(span.Length, target + 4, byteCount, Context, "string");
            result[i] = Encoding.UTF8.GetString(span.Slice((int)target + 4, (int)byteCount));
        }
        return result;
    }
}
