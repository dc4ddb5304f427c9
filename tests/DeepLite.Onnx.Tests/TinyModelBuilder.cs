using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Onnx.Tests;

/// <summary>
/// Writes small single-subgraph TFLite models with the shared test FlatBuffer writer (schema field numbers:
/// Model version 0, operator_codes 1, subgraphs 2, buffers 4; OperatorCode builtin_code 3; SubGraph tensors 0,
/// inputs 1, outputs 2, operators 3; Tensor shape 0, type 1, buffer 2, name 3, quantization 4;
/// QuantizationParameters scale 2; Operator opcode_index 0, inputs 1, outputs 2, builtin_options 4; Buffer data 0).
/// Quantized tensors get zero point 0 (zero_point absent).
/// </summary>
internal sealed class TinyModelBuilder
{
    private readonly List<FlatTableBuilder> _tensors = [];
    private readonly List<FlatTableBuilder> _buffers = [new FlatTableBuilder()];
    private readonly List<FlatTableBuilder> _operators = [];
    private readonly List<BuiltinOperator> _codes = [];
    private readonly Random _random = new(1234);

    /// <summary>Adds an activation (no data) or a constant tensor; returns its index.</summary>
    public int Tensor(string name, TensorType type, int[] shape, float scale = 0, byte[]? data = null)
    {
        int buffer = 0;
        if (data is not null)
        {
            buffer = _buffers.Count;
            _buffers.Add(new FlatTableBuilder().Bytes(0, data));
        }
        var tensor = new FlatTableBuilder().Ints(0, shape).Byte(1, (byte)type).Int(2, buffer).String(3, name);
        if (scale > 0) tensor.Table(4, new FlatTableBuilder().Floats(2, scale));
        _tensors.Add(tensor);
        return _tensors.Count - 1;
    }

    /// <summary>A uint8 constant of seeded random values.</summary>
    public int RandomUInt8(string name, int[] shape, float scale)
    {
        var data = new byte[shape.Aggregate(1, (a, b) => a * b)];
        _random.NextBytes(data);
        return Tensor(name, TensorType.UInt8, shape, scale, data);
    }

    /// <summary>An int32 constant of seeded random values in [−range, range].</summary>
    public int RandomInt32(string name, int[] shape, float scale, int range)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        var data = new byte[count * 4];
        for (int i = 0; i < count; i++) BitConverter.TryWriteBytes(data.AsSpan(i * 4), _random.Next(-range, range + 1));
        return Tensor(name, TensorType.Int32, shape, scale, data);
    }

    public int Int32Constant(string name, int[] shape, params int[] values)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(data.AsSpan(i * 4), values[i]);
        return Tensor(name, TensorType.Int32, shape, 0, data);
    }

    /// <summary>Adds an operator with its options table (fields by schema index).</summary>
    public void Operator(BuiltinOperator code, int[] inputs, int[] outputs, FlatTableBuilder? options = null)
    {
        int opcode = _codes.IndexOf(code);
        if (opcode < 0)
        {
            _codes.Add(code);
            opcode = _codes.Count - 1;
        }
        var op = new FlatTableBuilder().Int(0, opcode).Ints(1, inputs).Ints(2, outputs);
        if (options is not null) op.Table(4, options);
        _operators.Add(op);
    }

    public byte[] Build(int[] inputs, int[] outputs)
    {
        var subgraph = new FlatTableBuilder()
            .Tables(0, [.. _tensors]).Ints(1, inputs).Ints(2, outputs).Tables(3, [.. _operators]);
        var model = new FlatTableBuilder()
            .Int(0, 3)
            .Tables(1, _codes.Select(c => new FlatTableBuilder().Int(3, (int)c)).ToArray())
            .Tables(2, subgraph)
            .Tables(4, [.. _buffers]);
        return FlatBufferWriter.Write(model, "TFL3");
    }

    /// <summary>Seeded random bytes for a uint8 input of <paramref name="count"/> elements.</summary>
    public static byte[] RandomInput(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
