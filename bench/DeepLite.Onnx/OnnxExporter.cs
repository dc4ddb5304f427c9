using DeepLite.Onnx.Export;
using DeepLite.Runtime;

namespace DeepLite.Onnx;

/// <summary>How an exported ONNX graph computes.</summary>
public enum OnnxExportFlavor
{
    /// <summary>float32 everywhere. Quantized constants are dequantized at export (<c>scale · (q − zeroPoint)</c>);
    /// a quantized graph input keeps its type and is dequantized by a <c>DequantizeLinear</c> node; graph
    /// outputs are float32 real values.</summary>
    Float32,

    /// <summary>TFLite's 8-bit numbers: uint8 activations with the model's scales and zero points, 8-bit
    /// weights, int32 biases, <c>QLinearConv</c> / <c>com.microsoft</c> <c>QLinearAdd</c> and
    /// <c>QLinearAveragePool</c>. Graph inputs and outputs have the model's types.</summary>
    QuantizedUInt8,
}

/// <summary>Storage type of quantized convolution weights in the <see cref="OnnxExportFlavor.QuantizedUInt8"/> flavour.</summary>
public enum OnnxWeightType
{
    /// <summary>int8: a uint8 weight <c>w</c> with zero point <c>z</c> is stored as <c>w − 128</c> with zero point
    /// <c>z − 128</c> (the same real values). ONNX Runtime's u8s8 kernels; exact on CPUs with VNNI, while
    /// plain AVX2 may saturate 16-bit pair sums.</summary>
    Int8,

    /// <summary>uint8 as stored by TFLite. ONNX Runtime's u8u8 kernels (no saturation on any CPU).</summary>
    UInt8,
}

/// <summary>Options of <see cref="OnnxExporter.Export(TfLiteModel, OnnxExportOptions?)"/>.</summary>
public sealed class OnnxExportOptions
{
    public OnnxExportFlavor Flavor { get; init; } = OnnxExportFlavor.Float32;
    public OnnxWeightType QuantizedWeights { get; init; } = OnnxWeightType.Int8;
}

/// <summary>A graph input or output of an exported model: its name, element type and static shape.</summary>
public sealed record OnnxTensorDescription(string Name, TensorType Type, IReadOnlyList<int> Shape);

/// <summary>An exported ONNX model: the serialized <c>ModelProto</c> and a summary of its graph.</summary>
public sealed class OnnxExport
{
    internal OnnxExport(byte[] modelBytes, IReadOnlyList<OnnxTensorDescription> inputs, IReadOnlyList<OnnxTensorDescription> outputs, IReadOnlyList<string> nodeTypes)
    {
        ModelBytes = modelBytes;
        Inputs = inputs;
        Outputs = outputs;
        NodeTypes = nodeTypes;
    }

    /// <summary>The ONNX <c>ModelProto</c> bytes (IR version 8, opset 13, plus <c>com.microsoft</c> 1 when used).</summary>
    public byte[] ModelBytes { get; }

    /// <summary>Graph inputs, named and shaped as the TFLite model's inputs (NHWC).</summary>
    public IReadOnlyList<OnnxTensorDescription> Inputs { get; }

    /// <summary>Graph outputs, named and shaped as the TFLite model's outputs (NHWC).</summary>
    public IReadOnlyList<OnnxTensorDescription> Outputs { get; }

    /// <summary>The operator of every node in graph order, as <c>OpType</c> or <c>domain:OpType</c>.</summary>
    public IReadOnlyList<string> NodeTypes { get; }

    /// <summary>Writes <see cref="ModelBytes"/> to <paramref name="path"/> (conventionally <c>*.onnx</c>).</summary>
    public void Save(string path) => File.WriteAllBytes(path, ModelBytes);
}

/// <summary>
/// Converts a TFLite model's main subgraph into an ONNX model that ONNX Runtime runs. Supported operators:
/// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, RESHAPE, SQUEEZE, SOFTMAX,
/// CONCATENATION, RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1, PAD, PADV2, MEAN, QUANTIZE and DEQUANTIZE, with fused
/// NONE/RELU/RELU6/RELU_N1_TO_1 activations. Anything else throws <see cref="UnsupportedOperatorException"/>
/// naming the operator.
/// </summary>
/// <remarks>
/// Layout: TFLite tensors are NHWC and ONNX convolutions and pools are NCHW. The graph keeps TFLite's
/// names and NHWC shapes at its inputs and outputs; inside, a rank-4 activation is transposed once to NCHW
/// when a convolution or pool first needs it and stays NCHW through elementwise operators; operators that
/// depend on element order (reshape, squeeze, fully connected) get it back in NHWC order, by a Reshape
/// when the transposition does not move any element (C = 1 or H·W = 1), else by a Transpose. Weights are
/// transposed at export: OHWI → OIHW, depthwise [1, KH, KW, C·M] → [C·M, 1, KH, KW] with group = C.
/// SAME padding becomes explicit pads computed like TFLite: total = max((out − 1)·stride + (k − 1)·dilation + 1 − in, 0),
/// pad_before = total / 2, pad_after = total − pad_before.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>Exports <paramref name="model"/>'s main subgraph.</summary>
    public static OnnxExport Export(TfLiteModel model, OnnxExportOptions? options = null) => Export(model, options, null);

    /// <summary>Exports with <paramref name="outputTensors"/> (tensor indices of the main subgraph) as the graph
    /// outputs instead of the model's: for comparing intermediate tensors.</summary>
    internal static OnnxExport Export(TfLiteModel model, OnnxExportOptions? options, IReadOnlyList<int>? outputTensors)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        var converter = new GraphConverter(model.MainSubgraph, options, Path.GetFileNameWithoutExtension(model.Source), outputTensors);
        var graph = converter.Convert();
        string version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        byte[] bytes = OnnxModelWriter.Write(graph, version);
        var nodeTypes = graph.Nodes.Select(n => n.Domain.Length == 0 ? n.OpType : $"{n.Domain}:{n.OpType}").ToArray();
        return new OnnxExport(bytes, converter.InputDescriptions, converter.OutputDescriptions, nodeTypes);
    }
}
