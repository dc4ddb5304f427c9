namespace DeepLite.Vision;

/// <summary>
/// A read-only stream over bytes in memory whose position can never pass the end. StbImageSharp skips
/// with <see cref="Stream.Seek"/> and detects the end with <c>Position == Length</c>; over a
/// <see cref="MemoryStream"/> a skip past the end leaves <c>Position &gt; Length</c> and a truncated JPEG
/// header then loops forever. Clamping keeps stb's end-of-data test true. The bytes are not copied: a stream over
/// a mapped model file reads the mapping.
/// </summary>
internal sealed class ClampedReadStream : Stream
{
    private readonly ReadOnlyMemory<byte> _data;
    // The same bytes when they are a whole array: ReadByte, called per byte by stb, then skips Memory.Span.
    private readonly byte[]? _array;
    private int _position;

    public ClampedReadStream(byte[] data)
    {
        _data = data;
        _array = data;
    }

    public ClampedReadStream(ReadOnlyMemory<byte> data) => _data = data;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _data.Length;

    public override long Position
    {
        get => _position;
        set => _position = (int)Math.Clamp(value, 0, _data.Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, _data.Length - _position);
        _data.Span.Slice(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int ReadByte() =>
        _position >= _data.Length ? -1 : _array is not null ? _array[_position++] : _data.Span[_position++];

    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _data.Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        Position = target;
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
