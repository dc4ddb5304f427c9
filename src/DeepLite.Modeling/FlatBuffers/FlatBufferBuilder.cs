using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace DeepLite.Modeling.FlatBuffers;

/// <summary>
/// A FlatBuffers table under construction: vtable slot → value. Absent slots are not written, so a
/// reader sees the schema default; callers leave out values equal to the default.
/// </summary>
internal sealed class TableBuilder
{
    internal SortedDictionary<int, object> Fields { get; } = [];

    public TableBuilder Byte(int slot, byte value) => Set(slot, new ScalarValue([value], 1));
    public TableBuilder Bool(int slot, bool value) => Byte(slot, value ? (byte)1 : (byte)0);
    public TableBuilder Int(int slot, int value) => Set(slot, Scalar(value));
    public TableBuilder UInt(int slot, uint value) => Set(slot, Scalar(value));
    public TableBuilder Float(int slot, float value) => Set(slot, Scalar(value));
    public TableBuilder Long(int slot, long value) => Set(slot, Scalar(value));
    public TableBuilder ULong(int slot, ulong value) => Set(slot, Scalar(value));

    public TableBuilder String(int slot, string? value) => value is null ? this : Set(slot, value);
    public TableBuilder Table(int slot, TableBuilder? table) => table is null ? this : Set(slot, table);
    public TableBuilder Tables(int slot, IReadOnlyList<TableBuilder>? tables) => tables is null ? this : Set(slot, tables.ToArray());
    public TableBuilder Strings(int slot, IReadOnlyList<string>? values) => values is null ? this : Set(slot, values.ToArray());

    /// <summary>A vector of scalars; <paramref name="alignment"/> (a power of two ≥ the element size)
    /// aligns the first element, e.g. 16 for tensor data that kernels may read with vector loads.</summary>
    public TableBuilder Vector<T>(int slot, ReadOnlySpan<T> values, int alignment = 0) where T : unmanaged
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        return Set(slot, new VectorValue(MemoryMarshal.AsBytes(values).ToArray(), size, Math.Max(alignment, Math.Max(size, 4))));
    }

    /// <summary>Like <see cref="Vector{T}"/> but keeps a reference to the caller's bytes instead of copying.</summary>
    public TableBuilder Bytes(int slot, ReadOnlyMemory<byte> values, int alignment = 4) => Set(slot, new VectorValue(values, 1, Math.Max(alignment, 4)));

    private static ScalarValue Scalar<T>(T value) where T : unmanaged
    {
        var bytes = new byte[System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        MemoryMarshal.Write(bytes, in value);
        return new ScalarValue(bytes, bytes.Length);
    }

    private TableBuilder Set(int slot, object value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        Fields[slot] = value;
        return this;
    }

    internal sealed record ScalarValue(byte[] Bytes, int Size);

    internal sealed record VectorValue(ReadOnlyMemory<byte> Bytes, int ElementSize, int Alignment);
}

/// <summary>
/// Serializes a tree of <see cref="TableBuilder"/>s into one FlatBuffer, front to back: the root
/// offset and file identifier, then each table's vtable, the table, and the objects it refers to.
/// Every reference (an unsigned 32-bit offset) therefore points forward, as FlatBuffers requires;
/// the signed vtable offset points back. Guarantees: little-endian; vtables 2-byte aligned; tables,
/// strings and vector lengths 4-byte aligned; each scalar aligned to its size and vector elements
/// to their requested alignment, counted from the start of the buffer (so a buffer loaded at an
/// aligned address keeps them aligned); strings zero-terminated.
/// </summary>
internal static class FlatBufferBuilder
{
    /// <summary>Writes <paramref name="root"/> as the root table with a 4-character file identifier.</summary>
    public static byte[] Finish(TableBuilder root, string fileIdentifier)
    {
        if (fileIdentifier.Length != 4) throw new ArgumentException("A FlatBuffers file identifier has 4 characters.", nameof(fileIdentifier));
        var buffer = new ByteBuffer();
        buffer.AddUInt32(0);
        buffer.Add(Encoding.ASCII.GetBytes(fileIdentifier));
        int rootPosition = WriteTable(buffer, root);
        buffer.PatchUInt32(0, (uint)rootPosition);
        return buffer.ToArray();
    }

    private static int WriteTable(ByteBuffer buffer, TableBuilder table)
    {
        int slots = table.Fields.Count == 0 ? 0 : table.Fields.Keys.Max() + 1;
        buffer.Align(2);
        int vtable = buffer.Count;
        buffer.AddUInt16(checked((ushort)(4 + (2 * slots))));
        buffer.AddUInt16(0);
        for (int i = 0; i < slots; i++) buffer.AddUInt16(0);

        // Fields widest first keeps padding small; each is aligned to its own size.
        var ordered = table.Fields.OrderByDescending(f => f.Value is TableBuilder.ScalarValue s ? s.Size : 4).ThenBy(f => f.Key);
        buffer.Align(4);
        int position = buffer.Count;
        buffer.AddInt32(position - vtable);
        var references = new List<(int Position, object Target)>();
        foreach (var (slot, value) in ordered)
        {
            int size = value is TableBuilder.ScalarValue scalar ? scalar.Size : 4;
            buffer.Align(size);
            buffer.PatchUInt16(vtable + 4 + (2 * slot), checked((ushort)(buffer.Count - position)));
            if (value is TableBuilder.ScalarValue s)
            {
                buffer.Add(s.Bytes);
            }
            else
            {
                references.Add((buffer.Count, value));
                buffer.AddUInt32(0);
            }
        }
        buffer.PatchUInt16(vtable + 2, checked((ushort)(buffer.Count - position)));

        foreach (var (field, target) in references)
        {
            buffer.PatchUInt32(field, (uint)(WriteObject(buffer, target) - field));
        }
        return position;
    }

    private static int WriteObject(ByteBuffer buffer, object value)
    {
        switch (value)
        {
            case string text:
            {
                buffer.Align(4);
                int position = buffer.Count;
                byte[] utf8 = Encoding.UTF8.GetBytes(text);
                buffer.AddUInt32((uint)utf8.Length);
                buffer.Add(utf8);
                buffer.AddByte(0);
                return position;
            }
            case TableBuilder.VectorValue vector:
            {
                // The elements start right after the 4-byte length and must meet the requested alignment.
                buffer.Align(4);
                while ((buffer.Count + 4) % vector.Alignment != 0) buffer.AddByte(0);
                int position = buffer.Count;
                buffer.AddUInt32((uint)(vector.Bytes.Length / vector.ElementSize));
                buffer.Add(vector.Bytes.Span);
                return position;
            }
            case TableBuilder table:
                return WriteTable(buffer, table);
            case TableBuilder[] tables:
                return WriteReferenceVector(buffer, tables);
            case string[] strings:
                return WriteReferenceVector(buffer, strings);
            default:
                throw new ArgumentException($"Cannot write a {value.GetType().Name} into a FlatBuffer.");
        }
    }

    private static int WriteReferenceVector(ByteBuffer buffer, object[] items)
    {
        buffer.Align(4);
        int position = buffer.Count;
        buffer.AddUInt32((uint)items.Length);
        int slots = buffer.Count;
        for (int i = 0; i < items.Length; i++) buffer.AddUInt32(0);
        for (int i = 0; i < items.Length; i++)
        {
            int slot = slots + (4 * i);
            buffer.PatchUInt32(slot, (uint)(WriteObject(buffer, items[i]) - slot));
        }
        return position;
    }

    /// <summary>A growable little-endian byte buffer.</summary>
    private sealed class ByteBuffer
    {
        private byte[] _bytes = new byte[4096];

        public int Count { get; private set; }

        public void Align(int alignment)
        {
            while (Count % alignment != 0) AddByte(0);
        }

        private Span<byte> Grow(int length)
        {
            if (Count + (long)length > Array.MaxLength) throw new InvalidOperationException("The FlatBuffer would exceed 2 GiB.");
            if (Count + length > _bytes.Length)
            {
                Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, Math.Max(_bytes.Length * 2L, Count + (long)length)));
            }
            var span = _bytes.AsSpan(Count, length);
            Count += length;
            return span;
        }

        public void AddByte(byte value) => Grow(1)[0] = value;
        public void AddUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Grow(2), value);
        public void AddUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);
        public void AddInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Grow(4), value);
        public void Add(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));
        public void PatchUInt16(int position, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(position), value);
        public void PatchUInt32(int position, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(position), value);
        public byte[] ToArray() => _bytes.AsSpan(0, Count).ToArray();
    }
}
