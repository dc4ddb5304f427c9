using DeepLite.Onnx.Protobuf;

namespace DeepLite.Onnx.Tests;

public sealed class ProtoWriterTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(1UL, new byte[] { 0x01 })]
    [InlineData(127UL, new byte[] { 0x7F })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(300UL, new byte[] { 0xAC, 0x02 })]
    [InlineData(ulong.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void WriteRawVarint_EncodesSevenBitGroupsLeastSignificantFirst(ulong value, byte[] expected)
    {
        var writer = new ProtoWriter();
        writer.WriteRawVarint(value);
        Assert.Equal(expected, writer.ToArray());
    }

    [Fact]
    public void WriteInt64_Negative_TakesTenBytes()
    {
        var writer = new ProtoWriter();
        writer.WriteInt64(3, -1);
        Assert.Equal(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, writer.ToArray());
    }

    [Fact]
    public void WriteMessage_PrefixesTheBodyWithItsLength()
    {
        var writer = new ProtoWriter();
        writer.WriteMessage(7, body =>
        {
            body.WriteString(2, "ab");
            body.WriteFloat(2, 1f);
        });
        Assert.Equal(new byte[] { 0x3A, 0x09, 0x12, 0x02, (byte)'a', (byte)'b', 0x15, 0x00, 0x00, 0x80, 0x3F }, writer.ToArray());
    }

    [Fact]
    public void WriteRepeatedInt64_WritesOneKeyPerElement()
    {
        var writer = new ProtoWriter();
        writer.WriteRepeatedInt64(8, [1, 2]);
        Assert.Equal(new byte[] { 0x40, 0x01, 0x40, 0x02 }, writer.ToArray());
    }
}
