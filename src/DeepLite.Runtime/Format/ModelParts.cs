namespace DeepLite.Runtime;

/// <summary>Asymmetric linear quantization: <c>real = scale * (q - zeroPoint)</c>. Per-tensor when
/// there is one scale, per-channel along <see cref="QuantizedDimension"/> otherwise.</summary>
public sealed class QuantizationParameters
{
    public QuantizationParameters(float[] scales, long[] zeroPoints, int quantizedDimension)
    {
        Scales = scales;
        ZeroPoints = zeroPoints;
        QuantizedDimension = quantizedDimension;
    }

    public float[] Scales { get; }
    public long[] ZeroPoints { get; }
    public int QuantizedDimension { get; }

    /// <summary>True when the tensor has more than one scale.</summary>
    public bool IsPerChannel => Scales.Length > 1;

    /// <summary>The first (for per-tensor: the only) scale.</summary>
    public float Scale => Scales[0];

    /// <summary>The first (for per-tensor: the only) zero point.</summary>
    public int ZeroPoint => ZeroPoints.Length == 0 ? 0 : (int)ZeroPoints[0];
}

/// <summary>One entry of the model's operator-code table: a builtin operator or a named custom one.</summary>
public sealed class OperatorCode
{
    public OperatorCode(BuiltinOperator builtin, string? customName, int version)
    {
        Builtin = builtin;
        CustomName = customName;
        Version = version;
    }

    public BuiltinOperator Builtin { get; }
    public string? CustomName { get; }
    public int Version { get; }

    /// <summary>True for a CUSTOM operator identified by <see cref="CustomName"/>.</summary>
    public bool IsCustom => Builtin == BuiltinOperator.CUSTOM;

    /// <summary>The builtin's schema name (e.g. <c>CONV_2D</c>) or the custom operator's name.</summary>
    public string Name => IsCustom ? CustomName ?? "CUSTOM" : Enum.IsDefined(Builtin) ? Builtin.ToString() : $"BUILTIN_{(int)Builtin}";

    public override string ToString() => Name;
}

/// <summary>A tensor as declared in the model file. <see cref="Data"/> is a zero-copy view into the
/// model bytes for constant tensors and empty for activations.</summary>
public sealed class TensorInfo
{
    internal TensorInfo(int index, string name, TensorType type, int[] shape, int[]? shapeSignature,
        QuantizationParameters? quantization, int bufferIndex, bool isVariable, bool isSparse, ReadOnlyMemory<byte> data)
    {
        Index = index;
        Name = name;
        Type = type;
        Shape = shape;
        ShapeSignature = shapeSignature;
        Quantization = quantization;
        BufferIndex = bufferIndex;
        IsVariable = isVariable;
        IsSparse = isSparse;
        Data = data;
    }

    public int Index { get; }
    public string Name { get; }
    public TensorType Type { get; }
    public int[] Shape { get; }
    /// <summary>The shape with unknown dimensions as -1, when the file records it.</summary>
    public int[]? ShapeSignature { get; }
    public QuantizationParameters? Quantization { get; }
    public int BufferIndex { get; }
    public bool IsVariable { get; }
    public bool IsSparse { get; }
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>True when the tensor's values are stored in the model (weights, biases, shape operands).</summary>
    public bool IsConstant => !Data.IsEmpty;

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (int d in Shape) count *= d;
            return count;
        }
    }
}

/// <summary>One operator (graph node) as declared in the model file.</summary>
public sealed class OperatorInfo
{
    internal OperatorInfo(int index, OperatorCode code, int[] inputs, int[] outputs, int[] intermediates,
        byte builtinOptionsType, Format.FlatTable builtinOptions, ReadOnlyMemory<byte> customOptions)
    {
        Index = index;
        Code = code;
        Inputs = inputs;
        Outputs = outputs;
        Intermediates = intermediates;
        BuiltinOptionsType = builtinOptionsType;
        BuiltinOptions = builtinOptions;
        CustomOptions = customOptions;
    }

    /// <summary>Position in the subgraph's execution order.</summary>
    public int Index { get; }
    public OperatorCode Code { get; }
    /// <summary>Tensor indices; -1 marks an omitted optional input.</summary>
    public int[] Inputs { get; }
    public int[] Outputs { get; }
    public int[] Intermediates { get; }
    /// <summary>The schema's <c>BuiltinOptions</c> union tag (0 = none).</summary>
    public byte BuiltinOptionsType { get; }
    /// <summary>The options table; empty when absent. Fields are read by schema field index.</summary>
    public Format.FlatTable BuiltinOptions { get; }
    /// <summary>Opaque options of a custom operator (usually FlexBuffers), zero-copy.</summary>
    public ReadOnlyMemory<byte> CustomOptions { get; }
}

/// <summary>A subgraph: tensors, its input and output tensor indices, and its operators in execution order.</summary>
public sealed class SubgraphInfo
{
    internal SubgraphInfo(int index, string name, TensorInfo[] tensors, int[] inputs, int[] outputs, OperatorInfo[] operators)
    {
        Index = index;
        Name = name;
        Tensors = tensors;
        Inputs = inputs;
        Outputs = outputs;
        Operators = operators;
    }

    public int Index { get; }
    public string Name { get; }
    public IReadOnlyList<TensorInfo> Tensors { get; }
    public IReadOnlyList<int> Inputs { get; }
    public IReadOnlyList<int> Outputs { get; }
    public IReadOnlyList<OperatorInfo> Operators { get; }
}

/// <summary>A named entry point: aliases for input and output tensors of one subgraph.</summary>
public sealed class SignatureDef
{
    internal SignatureDef(string key, int subgraphIndex, IReadOnlyList<KeyValuePair<string, int>> inputs, IReadOnlyList<KeyValuePair<string, int>> outputs)
    {
        Key = key;
        SubgraphIndex = subgraphIndex;
        Inputs = inputs;
        Outputs = outputs;
    }

    public string Key { get; }
    public int SubgraphIndex { get; }
    /// <summary>Alias → tensor index, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Inputs { get; }
    public IReadOnlyList<KeyValuePair<string, int>> Outputs { get; }
}

/// <summary>A named metadata entry (e.g. <c>TFLITE_METADATA</c>, <c>min_runtime_version</c>) and its bytes.</summary>
public sealed class MetadataEntry
{
    internal MetadataEntry(string name, ReadOnlyMemory<byte> data)
    {
        Name = name;
        Data = data;
    }

    public string Name { get; }
    public ReadOnlyMemory<byte> Data { get; }
}
