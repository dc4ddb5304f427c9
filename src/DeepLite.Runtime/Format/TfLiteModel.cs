using System.Buffers;
using System.IO.MemoryMappedFiles;
using DeepLite.Runtime.Format;

namespace DeepLite.Runtime;

/// <summary>
/// A TensorFlow Lite model read in place from its FlatBuffer bytes: a memory-mapped file or the
/// caller's memory, never unpacked or copied. Loading validates every table, index and buffer the
/// runtime will touch, so a truncated or hostile file fails here with a <see cref="ModelFormatException"/>.
/// </summary>
/// <remarks>Constant tensor data stays a view into the model bytes. Interpreters created on the model
/// keep it alive: disposing the model while an interpreter still uses it defers the unmapping until
/// the last interpreter is disposed.</remarks>
public sealed class TfLiteModel : IDisposable
{
    /// <summary>Largest model accepted: memory views in .NET are indexed by 32-bit integers.</summary>
    public const long MaxModelBytes = int.MaxValue;

    private readonly MappedFile? _mapping;
    private int _users;
    private bool _disposeRequested;
    private readonly Lock _gate = new();

    private TfLiteModel(ReadOnlyMemory<byte> bytes, MappedFile? mapping, string source)
    {
        Bytes = bytes;
        _mapping = mapping;
        Source = source;
        try
        {
            (Version, Description, OperatorCodes, Subgraphs, Buffers, Metadata, Signatures) = ModelReader.Read(bytes, source);
        }
        catch
        {
            ((IDisposable?)mapping)?.Dispose();
            throw;
        }
    }

    /// <summary>Where the model came from (file path or "memory"), for messages.</summary>
    public string Source { get; }

    /// <summary>The whole model file.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public uint Version { get; }
    public string? Description { get; }
    public IReadOnlyList<OperatorCode> OperatorCodes { get; }
    public IReadOnlyList<SubgraphInfo> Subgraphs { get; }
    /// <summary>Buffer contents, zero-copy (including buffers stored past the FlatBuffer by offset and size).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Buffers { get; }
    public IReadOnlyList<MetadataEntry> Metadata { get; }
    public IReadOnlyList<SignatureDef> Signatures { get; }

    /// <summary>The main subgraph (index 0).</summary>
    public SubgraphInfo MainSubgraph => Subgraphs[0];

    /// <summary>Memory-maps <paramref name="path"/> read-only and reads the model in place.</summary>
    public static TfLiteModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"Model file not found: {path}", path);
        if (info.Length == 0) throw new ModelFormatException($"{path}: the file is empty.");
        if (info.Length > MaxModelBytes) throw new ModelFormatException($"{path}: {info.Length} bytes; models over 2 GiB are not supported.");
        var mapping = new MappedFile(path, info.Length);
        return new TfLiteModel(mapping.Memory, mapping, path);
    }

    /// <summary>Reads a model from the caller's bytes without copying; the caller must keep them unchanged.</summary>
    public static TfLiteModel FromBytes(ReadOnlyMemory<byte> bytes, string source = "memory") => new(bytes, null, source);

    /// <summary>Looks up a metadata entry by name (e.g. <c>TFLITE_METADATA</c>).</summary>
    public MetadataEntry? FindMetadata(string name) => Metadata.FirstOrDefault(m => m.Name == name);

    internal void AddUser()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposeRequested, this);
            _users++;
        }
    }

    internal void RemoveUser()
    {
        lock (_gate)
        {
            _users--;
            if (_users == 0 && _disposeRequested) ((IDisposable?)_mapping)?.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposeRequested) return;
            _disposeRequested = true;
            if (_users == 0) ((IDisposable?)_mapping)?.Dispose();
        }
    }

    /// <summary>A read-only memory map exposed as <see cref="Memory{T}"/>.</summary>
    private sealed unsafe class MappedFile : MemoryManager<byte>
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly byte* _pointer;
        private readonly int _length;

        public MappedFile(string path, long length)
        {
            _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            _view = _file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _pointer = pointer + _view.PointerOffset;
            _length = (int)length;
        }

        public override Span<byte> GetSpan() => new(_pointer, _length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

        public override void Unpin() { }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }
}
