using System.Buffers.Binary;
using System.Text;

namespace DeepLite.Tests;

/// <summary>A FlatBuffers table under construction: field slot → value (a byte, int or long scalar, or a reference).</summary>
internal sealed class FlatTableBuilder
{
    public SortedDictionary<int, object> Fields { get; } = [];

    public FlatTableBuilder Byte(int slot, byte value) => Set(slot, value);
    public FlatTableBuilder Int(int slot, int value) => Set(slot, value);
    public FlatTableBuilder Long(int slot, long value) => Set(slot, value);
    public FlatTableBuilder String(int slot, string value) => Set(slot, value);
    public FlatTableBuilder Ints(int slot, params int[] values) => Set(slot, values);
    public FlatTableBuilder Bytes(int slot, params byte[] values) => Set(slot, values);
    public FlatTableBuilder Floats(int slot, params float[] values) => Set(slot, values);
    public FlatTableBuilder Longs(int slot, params long[] values) => Set(slot, values);
    public FlatTableBuilder Table(int slot, FlatTableBuilder table) => Set(slot, table);
    public FlatTableBuilder Tables(int slot, params FlatTableBuilder[] tables) => Set(slot, tables);

    private FlatTableBuilder Set(int slot, object value)
    {
        Fields[slot] = value;
        return this;
    }
}

/// <summary>
/// A minimal FlatBuffers writer for tests. It lays the buffer out front to back: every reference
/// (an unsigned offset that must point forward) is written before its target, and each table's vtable
/// just before the table (the signed vtable offset may point either way). Little-endian, 4-byte aligned
/// references, strings zero-terminated: what FlatBuffers readers expect.
/// </summary>
internal static class FlatBufferWriter
{
    public static byte[] Write(FlatTableBuilder root, string fileIdentifier)
    {
        var buffer = new Buffer();
        buffer.AddUInt32(0);
        buffer.AddBytes(Encoding.ASCII.GetBytes(fileIdentifier));
        int rootPosition = WriteTable(buffer, root);
        buffer.PatchUInt32(0, (uint)rootPosition);
        return buffer.ToArray();
    }

    private static int WriteTable(Buffer buffer, FlatTableBuilder table)
    {
        int slots = table.Fields.Count == 0 ? 0 : table.Fields.Keys.Max() + 1;
        buffer.Align(2);
        int vtable = buffer.Count;
        buffer.AddUInt16((ushort)(4 + (2 * slots)));
        buffer.AddUInt16(0);
        for (int i = 0; i < slots; i++) buffer.AddUInt16(0);

        buffer.Align(4);
        int position = buffer.Count;
        buffer.AddInt32(position - vtable);
        var references = new List<(int Position, object Target)>();
        foreach (var (slot, value) in table.Fields)
        {
            if (value is byte scalar)
            {
                buffer.PatchUInt16(vtable + 4 + (2 * slot), (ushort)(buffer.Count - position));
                buffer.AddByte(scalar);
                continue;
            }
            if (value is int number)
            {
                buffer.Align(4);
                buffer.PatchUInt16(vtable + 4 + (2 * slot), (ushort)(buffer.Count - position));
                buffer.AddInt32(number);
                continue;
            }
            if (value is long wide)
            {
                buffer.Align(8);
                buffer.PatchUInt16(vtable + 4 + (2 * slot), (ushort)(buffer.Count - position));
                buffer.AddUInt32((uint)wide);
                buffer.AddUInt32((uint)(wide >> 32));
                continue;
            }
            buffer.Align(4);
            buffer.PatchUInt16(vtable + 4 + (2 * slot), (ushort)(buffer.Count - position));
            references.Add((buffer.Count, value));
            buffer.AddUInt32(0);
        }
        buffer.PatchUInt16(vtable + 2, (ushort)(buffer.Count - position));

        foreach (var (field, target) in references)
        {
            buffer.PatchUInt32(field, (uint)(WriteObject(buffer, target) - field));
        }
        return position;
    }

    private static int WriteObject(Buffer buffer, object value)
    {
        buffer.Align(4);
        // A vector of 64-bit values starts 4 bytes before an 8-byte boundary, so its elements are aligned.
        if (value is long[] && buffer.Count % 8 == 0) buffer.AddUInt32(0);
        int position = buffer.Count;
        switch (value)
        {
            case string text:
                byte[] utf8 = Encoding.UTF8.GetBytes(text);
                buffer.AddUInt32((uint)utf8.Length);
                buffer.AddBytes(utf8);
                buffer.AddByte(0);
                return position;
            case int[] ints:
                buffer.AddUInt32((uint)ints.Length);
                foreach (int i in ints) buffer.AddInt32(i);
                return position;
            case byte[] bytes:
                buffer.AddUInt32((uint)bytes.Length);
                buffer.AddBytes(bytes);
                return position;
            case long[] longs:
                buffer.AddUInt32((uint)longs.Length);
                foreach (long l in longs)
                {
                    buffer.AddUInt32((uint)l);
                    buffer.AddUInt32((uint)(l >> 32));
                }
                return position;
            case float[] floats:
                buffer.AddUInt32((uint)floats.Length);
                foreach (float f in floats) buffer.AddUInt32(BitConverter.SingleToUInt32Bits(f));
                return position;
            case FlatTableBuilder table:
                return WriteTable(buffer, table);
            case FlatTableBuilder[] tables:
                buffer.AddUInt32((uint)tables.Length);
                int slots = buffer.Count;
                foreach (var _ in tables) buffer.AddUInt32(0);
                for (int i = 0; i < tables.Length; i++)
                {
                    int slot = slots + (4 * i);
                    buffer.PatchUInt32(slot, (uint)(WriteTable(buffer, tables[i]) - slot));
                }
                return position;
            default:
                throw new ArgumentException($"Cannot write a {value.GetType().Name}.");
        }
    }

    private sealed class Buffer
    {
        private byte[] _bytes = new byte[256];

        public int Count { get; private set; }

        public void Align(int alignment)
        {
            while (Count % alignment != 0) AddByte(0);
        }

        public void AddByte(byte value)
        {
            if (Count == _bytes.Length) Array.Resize(ref _bytes, _bytes.Length * 2);
            _bytes[Count++] = value;
        }

        public void AddBytes(ReadOnlySpan<byte> values)
        {
            foreach (byte value in values) AddByte(value);
        }

        public void AddUInt16(ushort value)
        {
            Span<byte> bytes = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
            AddBytes(bytes);
        }

        public void AddUInt32(uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            AddBytes(bytes);
        }

        public void AddInt32(int value) => AddUInt32((uint)value);

        public void PatchUInt16(int position, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(position), value);

        public void PatchUInt32(int position, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(position), value);

        public byte[] ToArray() => _bytes[..Count];
    }
}
