using DeepLite.Runtime;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Onnx.Export;

/// <summary>
/// Converts one TFLite subgraph into an <see cref="OnnxGraph"/>, operator by operator in execution order.
/// Each activation tensor is known by up to two ONNX values: one in TFLite's own element order ("NHWC")
/// and, for rank-4 tensors, one in NCHW order; the missing one is made on first use and then reused.
/// </summary>
/// <remarks>Split by operator family: <c>GraphConverter.Convolutions.cs</c> (conv, depthwise, fully connected),
/// <c>.Pooling.cs</c> (pools, mean), <c>.Elementwise.cs</c> (add, activations, softmax, quantize/dequantize),
/// <c>.Shapes.cs</c> (reshape, squeeze, concatenation, pad); shared helpers for constants and quantization are
/// in <c>.Constants.cs</c>.</remarks>
internal sealed partial class GraphConverter
{
    private static readonly long[] ToNchw = [0, 3, 1, 2];
    private static readonly long[] ToNhwc = [0, 2, 3, 1];

    /// <summary>Where NHWC axis i lands in NCHW.</summary>
    private static readonly int[] NhwcAxisInNchw = [0, 2, 3, 1];

    private readonly SubgraphInfo _subgraph;
    private readonly OnnxExportOptions _options;
    private readonly OnnxGraph _graph;
    private readonly Dictionary<int, string> _nhwc = [];
    private readonly Dictionary<int, string> _nchw = [];

    /// <summary>Float values of tensors folded at export (DEQUANTIZE of a constant).</summary>
    private readonly Dictionary<int, float[]> _foldedFloats = [];

    private readonly IReadOnlyList<int> _outputs;
    private OperatorInfo? _operator;

    /// <summary>Prepares to convert <paramref name="subgraph"/>; <paramref name="outputTensors"/> (tensor indices)
    /// replace the subgraph's outputs when given.</summary>
    public GraphConverter(SubgraphInfo subgraph, OnnxExportOptions options, string graphName, IReadOnlyList<int>? outputTensors = null)
    {
        _subgraph = subgraph;
        _outputs = outputTensors ?? subgraph.Outputs;
        _options = options;
        _graph = new OnnxGraph(string.IsNullOrEmpty(graphName) ? "deeplite" : graphName);
    }

    public IReadOnlyList<OnnxTensorDescription> InputDescriptions { get; private set; } = [];
    public IReadOnlyList<OnnxTensorDescription> OutputDescriptions { get; private set; } = [];

    private bool QuantizedFlavor => _options.Flavor == OnnxExportFlavor.QuantizedUInt8;

    public OnnxGraph Convert()
    {
        if (QuantizedFlavor && !_subgraph.Tensors.Any(t => !t.IsConstant && t.Type == TensorType.UInt8))
        {
            throw Unsupported("the QuantizedUInt8 flavour needs a model with uint8 activations; this one has none (use Float32).");
        }
        var inputNames = _subgraph.Inputs.ToDictionary(i => i, i => _graph.UniqueName(Tensor(i).Name));
        var outputNames = _outputs.Distinct().ToDictionary(o => o, o => _graph.UniqueName(Tensor(o).Name));
        InputDescriptions = _subgraph.Inputs.Select(i => DeclareInput(i, inputNames[i])).ToArray();
        foreach (var op in _subgraph.Operators)
        {
            _operator = op;
            ConvertOperator(op);
        }
        _operator = null;
        OutputDescriptions = _outputs.Distinct().Select(o => DeclareOutput(o, outputNames[o])).ToArray();
        return _graph;
    }

    private TensorInfo Tensor(int index) => _subgraph.Tensors[index];

    private void ConvertOperator(OperatorInfo op)
    {
        switch (op.Code.Builtin)
        {
            case BuiltinOperator.CONV_2D: Conv2D(op); break;
            case BuiltinOperator.DEPTHWISE_CONV_2D: DepthwiseConv2D(op); break;
            case BuiltinOperator.FULLY_CONNECTED: FullyConnected(op); break;
            case BuiltinOperator.AVERAGE_POOL_2D: Pool2D(op, isAverage: true); break;
            case BuiltinOperator.MAX_POOL_2D: Pool2D(op, isAverage: false); break;
            case BuiltinOperator.MEAN: Mean(op); break;
            case BuiltinOperator.ADD: Add(op); break;
            case BuiltinOperator.RELU: Activation(op, FusedActivation.Relu); break;
            case BuiltinOperator.RELU6: Activation(op, FusedActivation.Relu6); break;
            case BuiltinOperator.RELU_N1_TO_1: Activation(op, FusedActivation.ReluN1To1); break;
            case BuiltinOperator.RELU_0_TO_1: ReluZeroToOne(op); break;
            case BuiltinOperator.SOFTMAX: Softmax(op); break;
            case BuiltinOperator.QUANTIZE: Quantize(op); break;
            case BuiltinOperator.DEQUANTIZE: Dequantize(op); break;
            case BuiltinOperator.RESHAPE:
            case BuiltinOperator.SQUEEZE: Reshape(op); break;
            case BuiltinOperator.CONCATENATION: Concatenation(op); break;
            case BuiltinOperator.PAD:
            case BuiltinOperator.PADV2: Pad(op); break;
            default:
                throw new UnsupportedOperatorException(
                    $"ONNX export: operator {op.Index} ({op.Code.Name}) is not supported. Supported: CONV_2D, DEPTHWISE_CONV_2D, " +
                    "FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, ADD, RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1, SOFTMAX, " +
                    "QUANTIZE, DEQUANTIZE, RESHAPE, SQUEEZE, CONCATENATION, PAD, PADV2.");
        }
    }

    /// <summary>An exception naming the current operator.</summary>
    private UnsupportedOperatorException Unsupported(string detail) =>
        new(_operator is null ? $"ONNX export: {detail}" : $"ONNX export: operator {_operator.Index} ({_operator.Code.Name}): {detail}");

    private OnnxTensorDescription DeclareInput(int index, string name)
    {
        var tensor = Tensor(index);
        var type = OnnxTypeOf(tensor.Type, "graph input");
        _graph.Inputs.Add(new OnnxValueInfo(name, type, Dims(tensor.Shape)));
        if (IsDequantizedByFlavor(tensor))
        {
            var q = PerTensor(tensor, "graph input");
            _nhwc[index] = _graph.Add("DequantizeLinear", $"{tensor.Name}_dequantized", [name, _graph.ScalarFloat(q.Scale), _graph.Scalar8(type, q.ZeroPoint)]);
        }
        else
        {
            _ = IsQuantized(index); // rejects int8 inputs of the QuantizedUInt8 flavour
            _nhwc[index] = name;
        }
        return new OnnxTensorDescription(name, tensor.Type, tensor.Shape);
    }

    private OnnxTensorDescription DeclareOutput(int index, string name)
    {
        var tensor = Tensor(index);
        var type = IsDequantizedByFlavor(tensor) ? TensorType.Float32 : tensor.Type;
        _graph.Outputs.Add(new OnnxValueInfo(name, OnnxTypeOf(type, "graph output"), Dims(tensor.Shape)));
        _graph.AddWithOutput("Identity", name, [Nhwc(index)]);
        return new OnnxTensorDescription(name, type, tensor.Shape);
    }

    /// <summary>True for a quantized 8-bit tensor that the Float32 flavour carries as real values.</summary>
    private bool IsDequantizedByFlavor(TensorInfo tensor) =>
        !QuantizedFlavor && tensor.Type is TensorType.UInt8 or TensorType.Int8 && tensor.Quantization is not null;

    private OnnxDataType OnnxTypeOf(TensorType type, string role) => type switch
    {
        TensorType.Float32 => OnnxDataType.Float,
        TensorType.UInt8 => OnnxDataType.UInt8,
        TensorType.Int8 => OnnxDataType.Int8,
        TensorType.Int32 => OnnxDataType.Int32,
        _ => throw Unsupported($"{role} of type {type.Name()} has no ONNX export."),
    };

    private static long[] Dims(IEnumerable<int> shape) => shape.Select(d => (long)d).ToArray();

    private static long[] NchwDims(int[] nhwcShape) => [nhwcShape[0], nhwcShape[3], nhwcShape[1], nhwcShape[2]];

    /// <summary>True when NHWC → NCHW moves no element (C = 1 or H·W = 1), so a Reshape can stand in for the Transpose.</summary>
    private static bool TranspositionIsReshape(int[] nhwcShape) => nhwcShape[3] == 1 || (long)nhwcShape[1] * nhwcShape[2] == 1;

    private bool IsConstant(int index) => Tensor(index).IsConstant || _foldedFloats.ContainsKey(index);

    private bool HasNchw(int index) => _nchw.ContainsKey(index);

    /// <summary>The tensor in TFLite's element order: an activation's NHWC value (made from its NCHW value on
    /// first use) or a constant.</summary>
    private string Nhwc(int index)
    {
        if (IsConstant(index)) return ActivationConstant(index, nchw: false);
        if (_nhwc.TryGetValue(index, out string? name)) return name;
        if (!_nchw.TryGetValue(index, out string? nchw)) throw new ModelFormatException($"ONNX export: tensor {index} ('{Tensor(index).Name}') is read before any operator writes it.");
        var shape = Tensor(index).Shape;
        name = TranspositionIsReshape(shape)
            ? _graph.Add("Reshape", $"{Tensor(index).Name}_nhwc", [nchw, _graph.Int64Vector("shape", Dims(shape))])
            : _graph.Add("Transpose", $"{Tensor(index).Name}_nhwc", [nchw], OnnxAttribute.Of("perm", ToNhwc));
        _nhwc[index] = name;
        return name;
    }

    /// <summary>A rank-4 tensor in NCHW order, made from its NHWC value on first use.</summary>
    private string Nchw(int index)
    {
        var shape = Tensor(index).Shape;
        if (shape.Length != 4) throw Unsupported($"tensor '{Tensor(index).Name}' has shape [{string.Join(",", shape)}]; NCHW needs rank 4.");
        if (IsConstant(index)) return ActivationConstant(index, nchw: true);
        if (_nchw.TryGetValue(index, out string? name)) return name;
        string nhwc = Nhwc(index);
        name = TranspositionIsReshape(shape)
            ? _graph.Add("Reshape", $"{Tensor(index).Name}_nchw", [nhwc, _graph.Int64Vector("shape", NchwDims(shape))])
            : _graph.Add("Transpose", $"{Tensor(index).Name}_nchw", [nhwc], OnnxAttribute.Of("perm", ToNchw));
        _nchw[index] = name;
        return name;
    }

    /// <summary>The tensor in either layout, preferring one that exists: for operators that work in both.</summary>
    private string InLayout(int index, bool nchw) => nchw ? Nchw(index) : Nhwc(index);

    /// <summary>A value whose flat element order equals TFLite's: the NHWC value, or the NCHW one when the
    /// transposition moves no element. For reshape-like operators.</summary>
    private string FlatOrder(int index)
    {
        if (!IsConstant(index) && !_nhwc.ContainsKey(index) && _nchw.TryGetValue(index, out string? nchw) && TranspositionIsReshape(Tensor(index).Shape))
        {
            return nchw;
        }
        return Nhwc(index);
    }

    /// <summary>True when every input is rank 4 and at least one activation among them already exists in NCHW:
    /// then an operator that works in either layout runs in NCHW.</summary>
    private bool PreferNchw(IEnumerable<int> inputs)
    {
        var list = inputs.ToList();
        return list.All(i => Tensor(i).Shape.Length == 4) && list.Any(i => !IsConstant(i) && HasNchw(i));
    }

    /// <summary>Records the ONNX value of output tensor <paramref name="index"/> in the given layout.</summary>
    private void SetOutput(int index, string name, bool nchw)
    {
        if (nchw) _nchw[index] = name;
        else _nhwc[index] = name;
    }

    private string OutputHint(int index) => Tensor(index).Name;

    private int Input(OperatorInfo op, int position)
    {
        if (position >= op.Inputs.Length || op.Inputs[position] < 0) throw Unsupported($"input {position} is missing.");
        return op.Inputs[position];
    }

    private static int? OptionalInput(OperatorInfo op, int position) =>
        position < op.Inputs.Length && op.Inputs[position] >= 0 ? op.Inputs[position] : null;
}
