using System.Runtime.InteropServices;

namespace DeepLite.Runtime;

/// <summary>
/// A tensor of an interpreter: its type, shape, quantization and a typed, checked view of its bytes.
/// Activations live in the interpreter's arena and are valid after <see cref="Interpreter.AllocateTensors"/>;
/// constants are views into the model bytes and are read-only.
/// </summary>
public sealed class Tensor
{
    private int[] _shape;
    private Memory<byte> _memory;
    private ReadOnlyMemory<byte> _constant;

    internal Tensor(TensorInfo info)
    {
        Info = info;
        _shape = (int[])info.Shape.Clone();
        _constant = info.Data;
    }

    /// <summary>Creates a free-standing tensor that owns its memory (for kernel tests and tools).</summary>
    public static Tensor Create(TensorType type, ReadOnlySpan<int> shape, QuantizationParameters? quantization = null, string name = "")
    {
        var info = new TensorInfo(-1, name, type, shape.ToArray(), null, quantization, 0, false, false, ReadOnlyMemory<byte>.Empty);
        var tensor = new Tensor(info);
        tensor.Bind(new byte[checked((int)tensor.ByteLength)]);
        return tensor;
    }

    /// <summary>Creates a constant tensor over <paramref name="data"/> (no copy).</summary>
    public static Tensor CreateConstant(TensorType type, ReadOnlySpan<int> shape, ReadOnlyMemory<byte> data, QuantizationParameters? quantization = null, string name = "")
    {
        var info = new TensorInfo(-1, name, type, shape.ToArray(), null, quantization, 0, false, false, data);
        var tensor = new Tensor(info);
        if (data.Length != tensor.ByteLength) throw new ArgumentException($"{data.Length} bytes do not fit shape [{string.Join(",", shape.ToArray())}] of {type.Name()}.");
        return tensor;
    }

    internal TensorInfo Info { get; }

    /// <summary>Index in the subgraph's tensor list (-1 for free-standing tensors).</summary>
    public int Index => Info.Index;
    public string Name => Info.Name;
    public TensorType Type => Info.Type;
    public QuantizationParameters? Quantization => Info.Quantization;
    public bool IsConstant => !_constant.IsEmpty;
    public bool IsVariable => Info.IsVariable;

    /// <summary>Current dimensions (after any resize).</summary>
    public ReadOnlySpan<int> Shape => _shape;
    internal int[] ShapeArray => _shape;
    public int Rank => _shape.Length;

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[axis < 0 ? axis + _shape.Length : axis];

    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (int d in _shape) count *= d;
            return count;
        }
    }

    public long ByteLength => ElementCount * Math.Max(1, Type.ElementSize());

    /// <summary>True once the tensor has storage (constant, or arena bound by AllocateTensors).</summary>
    public bool HasData => IsConstant || _bound;

    private bool _bound;

    internal void SetShape(int[] shape)
    {
        _shape = shape;
        _bound = false;
    }

    internal void Bind(Memory<byte> memory)
    {
        _memory = memory;
        _bound = true;
    }

    internal void Unbind()
    {
        _memory = Memory<byte>.Empty;
        _bound = false;
    }

    /// <summary>The raw little-endian bytes, read-only.</summary>
    public ReadOnlySpan<byte> AsReadOnlyBytes()
    {
        EnsureData();
        return IsConstant ? _constant.Span : _memory.Span;
    }

    /// <summary>The raw bytes, writable. Throws for constant tensors.</summary>
    public Span<byte> AsBytes()
    {
        EnsureData();
        if (IsConstant) throw new InvalidOperationException($"Tensor '{Name}' is a constant of the model and cannot be written.");
        return _memory.Span;
    }

    /// <summary>Typed read-only view; <typeparamref name="T"/> must match <see cref="Type"/>.</summary>
    public ReadOnlySpan<T> AsReadOnlySpan<T>() where T : unmanaged
    {
        CheckType<T>();
        return MemoryMarshal.Cast<byte, T>(AsReadOnlyBytes());
    }

    /// <summary>Typed writable view; <typeparamref name="T"/> must match <see cref="Type"/>. Throws for constants.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        CheckType<T>();
        return MemoryMarshal.Cast<byte, T>(AsBytes());
    }

    /// <summary>Copies <paramref name="source"/> into the tensor; its length must equal <see cref="ElementCount"/>.</summary>
    public void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        var destination = AsSpan<T>();
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"Tensor '{Name}' holds {destination.Length} {Type.Name()} values (shape [{string.Join(",", _shape)}]); {source.Length} were given.", nameof(source));
        }
        source.CopyTo(destination);
    }

    /// <summary>Copies raw bytes into the tensor; the length must equal <see cref="ByteLength"/>.</summary>
    public void CopyFromBytes(ReadOnlySpan<byte> source)
    {
        var destination = AsBytes();
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"Tensor '{Name}' holds {destination.Length} bytes (shape [{string.Join(",", _shape)}], {Type.Name()}); {source.Length} were given.", nameof(source));
        }
        source.CopyTo(destination);
    }

    /// <summary>A copy of the values.</summary>
    public T[] ToArray<T>() where T : unmanaged => AsReadOnlySpan<T>().ToArray();

    private void CheckType<T>() where T : unmanaged
    {
        var wanted = TensorTypes.Of<T>();
        if (wanted != Type && !(Type == TensorType.Bool && typeof(T) == typeof(byte)))
        {
            throw new InvalidOperationException($"Tensor '{Name}' is {Type.Name()}, not {wanted.Name()}.");
        }
    }

    private void EnsureData()
    {
        if (!IsConstant && !_bound)
        {
            throw new InvalidOperationException($"Tensor '{Name}' has no memory yet: call AllocateTensors first.");
        }
    }

    public override string ToString() => $"{Name} {Type.Name()}[{string.Join(",", _shape)}]";
}
