using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DeepLite.Onnx;

/// <summary>ONNX <c>TensorProto.DataType</c> values used by the exporter.</summary>
internal enum OnnxDataType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
}

/// <summary>ONNX <c>AttributeProto.AttributeType</c> values used by the exporter.</summary>
internal enum OnnxAttributeType
{
    Float = 1,
    Int = 2,
    String = 3,
    Ints = 7,
}

/// <summary>One node attribute; exactly the field that <see cref="Type"/> names is meaningful.</summary>
internal sealed record OnnxAttribute(string Name, OnnxAttributeType Type, long Int = 0, float Float = 0, long[]? Ints = null, string? String = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, OnnxAttributeType.Int, Int: value);
    public static OnnxAttribute Of(string name, float value) => new(name, OnnxAttributeType.Float, Float: value);
    public static OnnxAttribute Of(string name, params long[] values) => new(name, OnnxAttributeType.Ints, Ints: values);
}

/// <summary>A graph node. <see cref="Domain"/> is empty for the standard <c>ai.onnx</c> operator set.</summary>
internal sealed record OnnxNode(string Name, string OpType, string Domain, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes);

/// <summary>A constant tensor stored in the model as little-endian <see cref="RawData"/>.</summary>
internal sealed record OnnxInitializer(string Name, OnnxDataType Type, long[] Dims, byte[] RawData);

/// <summary>A graph input or output: name, element type and static shape.</summary>
internal sealed record OnnxValueInfo(string Name, OnnxDataType Type, long[] Dims);

/// <summary>
/// An ONNX graph under construction: nodes in topological order (the order they are added), initializers,
/// inputs and outputs. Every value name is unique; small constants with equal type, shape and bytes are
/// stored once.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>Constants up to this many bytes are shared between nodes that use the same value.</summary>
    private const int SharedConstantMaxBytes = 64;

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _sharedConstants = new(StringComparer.Ordinal);

    public OnnxGraph(string name) => Name = name;

    public string Name { get; }
    public List<OnnxNode> Nodes { get; } = [];
    public List<OnnxInitializer> Initializers { get; } = [];
    public List<OnnxValueInfo> Inputs { get; } = [];
    public List<OnnxValueInfo> Outputs { get; } = [];

    /// <summary>Operator-set domains the nodes use besides the standard one (e.g. <c>com.microsoft</c>).</summary>
    public IEnumerable<string> ExtraDomains => Nodes.Select(n => n.Domain).Where(d => d.Length > 0).Distinct(StringComparer.Ordinal);

    /// <summary>Reserves <paramref name="preferred"/>, or it with the first free numeric suffix.</summary>
    public string UniqueName(string preferred)
    {
        if (_names.Add(preferred)) return preferred;
        for (int suffix = 1; ; suffix++)
        {
            string candidate = $"{preferred}_{suffix}";
            if (_names.Add(candidate)) return candidate;
        }
    }

    /// <summary>Adds a node with one output named after <paramref name="outputHint"/>; returns the output name.</summary>
    public string Add(string opType, string outputHint, string[] inputs, params OnnxAttribute[] attributes) =>
        AddInDomain("", opType, outputHint, inputs, attributes);

    /// <summary>Adds a node of operator set <paramref name="domain"/>; returns the output name.</summary>
    public string AddInDomain(string domain, string opType, string outputHint, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = UniqueName(outputHint);
        Nodes.Add(new OnnxNode(UniqueName($"{opType}_{Nodes.Count}"), opType, domain, inputs, [output], attributes));
        return output;
    }

    /// <summary>Adds a node whose output name was reserved by the caller (a graph output).</summary>
    public void AddWithOutput(string opType, string output, string[] inputs)
    {
        Nodes.Add(new OnnxNode(UniqueName($"{opType}_{Nodes.Count}"), opType, "", inputs, [output], []));
    }

    /// <summary>An initializer holding <paramref name="rawData"/> (little-endian); returns its name.</summary>
    public string Constant(string nameHint, OnnxDataType type, long[] dims, byte[] rawData)
    {
        string? key = null;
        if (rawData.Length <= SharedConstantMaxBytes)
        {
            key = $"{(int)type}|{string.Join(",", dims)}|{Convert.ToHexString(rawData)}";
            if (_sharedConstants.TryGetValue(key, out string? existing)) return existing;
        }
        string name = UniqueName(nameHint);
        Initializers.Add(new OnnxInitializer(name, type, dims, rawData));
        if (key is not null) _sharedConstants[key] = name;
        return name;
    }

    public string ScalarFloat(float value) => Constant("f32_const", OnnxDataType.Float, [], BitConverter.GetBytes(value));

    /// <summary>A zero-dimensional uint8 or int8 constant (a zero point or a clamp bound).</summary>
    public string Scalar8(OnnxDataType type, int value) => Constant(type == OnnxDataType.UInt8 ? "u8_const" : "i8_const", type, [], [unchecked((byte)value)]);

    public string Int64Vector(string nameHint, ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        return Constant(nameHint, OnnxDataType.Int64, [values.Length], bytes);
    }

    public string FloatTensor(string nameHint, long[] dims, ReadOnlySpan<float> values) =>
        Constant(nameHint, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values).ToArray());
}
