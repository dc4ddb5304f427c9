using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DeepLite.Onnx.Protobuf;

/// <summary>Protocol Buffers wire types (the low three bits of a field key).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>
/// A minimal Protocol Buffers encoder: just what the ONNX messages need. A field is written as its key
/// <c>(fieldNumber &lt;&lt; 3) | wireType</c> as a varint, then its value: varints (7 bits a byte, least
/// significant group first, high bit set on every byte but the last; negative int32/int64 are sign-extended
/// to 64 bits and so take 10 bytes), little-endian fixed32 for float, and a varint byte length followed by the
/// bytes for strings, bytes and embedded messages.
/// </summary>
/// <remarks>Fields are written in the order they are called; decoders accept any order. An embedded message is
/// written to its own writer first so that its length is known before it is copied in.</remarks>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Writes <paramref name="value"/> as an unsigned base-128 varint (1 to 10 bytes).</summary>
    public void WriteRawVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        int length = 0;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[length++] = (byte)value;
        _buffer.Advance(length);
    }

    public void WriteKey(int fieldNumber, WireType wireType) => WriteRawVarint(((ulong)(uint)fieldNumber << 3) | (uint)wireType);

    /// <summary>An int32, int64 or enum field: two's complement, so negative values take 10 bytes.</summary>
    public void WriteInt64(int fieldNumber, long value)
    {
        WriteKey(fieldNumber, WireType.Varint);
        WriteRawVarint(unchecked((ulong)value));
    }

    public void WriteFloat(int fieldNumber, float value)
    {
        WriteKey(fieldNumber, WireType.Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteBytes(int fieldNumber, ReadOnlySpan<byte> value)
    {
        WriteKey(fieldNumber, WireType.LengthDelimited);
        WriteRawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void WriteString(int fieldNumber, string value) => WriteBytes(fieldNumber, Encoding.UTF8.GetBytes(value));

    /// <summary>A repeated int64 field in proto2's default unpacked form: one key and varint per element.</summary>
    public void WriteRepeatedInt64(int fieldNumber, ReadOnlySpan<long> values)
    {
        foreach (long value in values) WriteInt64(fieldNumber, value);
    }

    /// <summary>An embedded message: <paramref name="writeBody"/> writes its fields.</summary>
    public void WriteMessage(int fieldNumber, Action<ProtoWriter> writeBody)
    {
        var body = new ProtoWriter();
        writeBody(body);
        WriteBytes(fieldNumber, body.WrittenSpan);
    }
}
