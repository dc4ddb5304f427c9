using DeepLite.Runtime.Kernels;
using DeepLite.Tests;

namespace DeepLite.Runtime.Tests.Interpreting;

/// <summary>How the padded tensor of a <see cref="PadConvolutionCase"/> is used besides the convolution.</summary>
public enum PaddedTensorUse
{
    ConvolutionOnly,
    /// <summary>Also read by an ADD of the padded tensor to itself (a second output).</summary>
    AlsoAdded,
    /// <summary>Also an output of the graph.</summary>
    GraphOutput,
    /// <summary>Also an output of the model's one signature (not of the graph).</summary>
    SignatureOutput,
}

/// <summary>
/// A hand-built model <c>input → PAD → CONV_2D or DEPTHWISE_CONV_2D → output</c>. <see cref="Paddings"/> holds the
/// PAD's (before, after) counts for N, H, W, C; with <see cref="PadV2Value"/> the PAD is a PADV2 with that constant
/// pad value (stored: the float, or the quantized integer). Weights, bias and inputs are seeded random values.
/// </summary>
public sealed record PadConvolutionCase(
    string Name,
    TensorType Type,
    bool Depthwise,
    int[] InputShape,
    int[] Paddings,
    int Filter,
    int OutputChannels,
    int Stride = 1,
    Padding ConvolutionPadding = Padding.Valid,
    int Dilation = 1,
    byte Activation = 0,
    PaddedTensorUse Use = PaddedTensorUse.ConvolutionOnly,
    float PaddedScaleFactor = 1,
    float? PadV2Value = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// Writes <see cref="PadConvolutionCase"/> models with the test FlatBuffer writer (TFLite schema field numbers:
/// Model version 0, operator_codes 1, subgraphs 2, buffers 4, signature_defs 7; Tensor shape 0, type 1, buffer 2,
/// name 3, quantization 4; QuantizationParameters scale 2, zero_point 3, quantized_dimension 6; Operator
/// opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4). Quantization: uint8 activations
/// and weights per tensor; int8 activations per tensor with per-channel symmetric weights.
/// </summary>
internal static class PadConvolutionModels
{
    private const byte Conv2DOptionsType = 1;
    private const byte DepthwiseConv2DOptionsType = 2;
    private const byte AddOptionsType = 11;
    private const byte PadOptionsType = 22;
    private const byte PadV2OptionsType = 43;

    public static byte[] Build(PadConvolutionCase c)
    {
        var graph = new Graph();
        var random = new Random(c.Name.Length * 7919 + c.InputShape.Sum());
        int[] padded = [.. Enumerable.Range(0, 4).Select(d => c.Paddings[2 * d] + c.InputShape[d] + c.Paddings[(2 * d) + 1])];
        int inputChannels = padded[3];
        int outputChannels = c.Depthwise ? inputChannels * c.OutputChannels : c.OutputChannels;
        int outputHeight = OutputSize(padded[1], c.Filter, c.Stride, c.Dilation, c.ConvolutionPadding);
        int outputWidth = OutputSize(padded[2], c.Filter, c.Stride, c.Dilation, c.ConvolutionPadding);
        int[] filterShape = c.Depthwise ? [1, c.Filter, c.Filter, outputChannels] : [outputChannels, c.Filter, c.Filter, inputChannels];
        int filterCount = filterShape.Aggregate(1, (a, b) => a * b);

        (float Scale, long ZeroPoint) inputQuantization = c.Type switch
        {
            TensorType.UInt8 => (0.05f, 131),
            TensorType.Int8 => (0.04f, -3),
            _ => (0, 0),
        };
        (float Scale, long ZeroPoint) outputQuantization = c.Type == TensorType.UInt8 ? (0.1f, 125) : (0.08f, 5);
        var paddedQuantization = (inputQuantization.Scale * c.PaddedScaleFactor, inputQuantization.ZeroPoint);

        int input = graph.Tensor("input", c.Type, c.InputShape, Quantization(c.Type, inputQuantization));
        int paddings = graph.Tensor("paddings", TensorType.Int32, [4, 2], null, Int32Bytes(c.Paddings));
        int paddedTensor = graph.Tensor("padded", c.Type, padded, Quantization(c.Type, paddedQuantization));

        int filter, bias;
        switch (c.Type)
        {
            case TensorType.Float32:
                filter = graph.Tensor("filter", c.Type, filterShape, null, FloatBytes(random, filterCount, 0.5f));
                bias = graph.Tensor("bias", c.Type, [outputChannels], null, FloatBytes(random, outputChannels, 0.5f));
                break;
            case TensorType.UInt8:
                var filterBytes = new byte[filterCount];
                random.NextBytes(filterBytes);
                filter = graph.Tensor("filter", c.Type, filterShape, new FlatTableBuilder().Floats(2, 0.02f).Longs(3, 120), filterBytes);
                bias = graph.Tensor("bias", TensorType.Int32, [outputChannels], new FlatTableBuilder().Floats(2, 0.05f * 0.02f).Longs(3, 0),
                    Int32Bytes([.. Enumerable.Range(0, outputChannels).Select(_ => random.Next(-2000, 2001))]));
                break;
            default:
                float[] scales = [.. Enumerable.Range(0, outputChannels).Select(i => 0.01f + (0.003f * i))];
                int channelDimension = c.Depthwise ? 3 : 0;
                filter = graph.Tensor("filter", c.Type, filterShape,
                    new FlatTableBuilder().Floats(2, scales).Longs(3, new long[outputChannels]).Int(6, channelDimension),
                    [.. Enumerable.Range(0, filterCount).Select(_ => unchecked((byte)(sbyte)random.Next(-127, 128)))]);
                bias = graph.Tensor("bias", TensorType.Int32, [outputChannels],
                    new FlatTableBuilder().Floats(2, [.. scales.Select(s => s * inputQuantization.Scale)]).Longs(3, new long[outputChannels]),
                    Int32Bytes([.. Enumerable.Range(0, outputChannels).Select(_ => random.Next(-3000, 3001))]));
                break;
        }
        int output = graph.Tensor("output", c.Type, [padded[0], outputHeight, outputWidth, outputChannels], Quantization(c.Type, outputQuantization));

        if (c.PadV2Value is { } padValue)
        {
            byte[] valueBytes = c.Type switch
            {
                TensorType.Float32 => BitConverter.GetBytes(padValue),
                TensorType.UInt8 => [(byte)padValue],
                _ => [unchecked((byte)(sbyte)padValue)],
            };
            int value = graph.Tensor("pad_value", c.Type, [], Quantization(c.Type, paddedQuantization), valueBytes);
            graph.Operator(BuiltinOperator.PADV2, PadV2OptionsType, new FlatTableBuilder(), [input, paddings, value], [paddedTensor]);
        }
        else
        {
            graph.Operator(BuiltinOperator.PAD, PadOptionsType, new FlatTableBuilder(), [input, paddings], [paddedTensor]);
        }
        var options = new FlatTableBuilder().Byte(0, (byte)c.ConvolutionPadding).Int(1, c.Stride).Int(2, c.Stride);
        if (c.Depthwise)
        {
            options.Int(3, c.OutputChannels).Byte(4, c.Activation).Int(5, c.Dilation).Int(6, c.Dilation);
            graph.Operator(BuiltinOperator.DEPTHWISE_CONV_2D, DepthwiseConv2DOptionsType, options, [paddedTensor, filter, bias], [output]);
        }
        else
        {
            options.Byte(3, c.Activation).Int(4, c.Dilation).Int(5, c.Dilation);
            graph.Operator(BuiltinOperator.CONV_2D, Conv2DOptionsType, options, [paddedTensor, filter, bias], [output]);
        }

        List<int> outputs = [output];
        switch (c.Use)
        {
            case PaddedTensorUse.AlsoAdded:
                int sum = graph.Tensor("sum", c.Type, padded, Quantization(c.Type, paddedQuantization));
                graph.Operator(BuiltinOperator.ADD, AddOptionsType, new FlatTableBuilder(), [paddedTensor, paddedTensor], [sum]);
                outputs.Add(sum);
                break;
            case PaddedTensorUse.GraphOutput:
                outputs.Add(paddedTensor);
                break;
            case PaddedTensorUse.SignatureOutput:
                graph.Signature("serving_default", [("input", input)], [("output", output), ("padded", paddedTensor)]);
                break;
        }
        return graph.Build([input], [.. outputs]);
    }

    /// <summary>Seeded random input bytes for the case's input tensor.</summary>
    public static byte[] Input(PadConvolutionCase c)
    {
        int count = c.InputShape.Aggregate(1, (a, b) => a * b);
        var random = new Random(count);
        if (c.Type == TensorType.Float32) return FloatBytes(random, count, 1);
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static int OutputSize(int input, int filter, int stride, int dilation, Padding padding)
    {
        int effective = ((filter - 1) * dilation) + 1;
        return padding == Padding.Same ? (input + stride - 1) / stride : (input - effective + stride) / stride;
    }

    private static FlatTableBuilder? Quantization(TensorType type, (float Scale, long ZeroPoint) q) =>
        type == TensorType.Float32 ? null : new FlatTableBuilder().Floats(2, q.Scale).Longs(3, q.ZeroPoint);

    private static byte[] Int32Bytes(int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    private static byte[] FloatBytes(Random random, int count, float range)
    {
        var bytes = new byte[count * 4];
        for (int i = 0; i < count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), (float)(((random.NextDouble() * 2) - 1) * range));
        return bytes;
    }

    /// <summary>One subgraph's tensors, operators and buffers, and the model around it.</summary>
    private sealed class Graph
    {
        private readonly List<FlatTableBuilder> _tensors = [];
        private readonly List<FlatTableBuilder> _buffers = [new FlatTableBuilder()];
        private readonly List<FlatTableBuilder> _operators = [];
        private readonly List<BuiltinOperator> _codes = [];
        private readonly List<FlatTableBuilder> _signatures = [];

        public int Tensor(string name, TensorType type, int[] shape, FlatTableBuilder? quantization, byte[]? data = null)
        {
            int buffer = 0;
            if (data is not null)
            {
                buffer = _buffers.Count;
                _buffers.Add(new FlatTableBuilder().Bytes(0, data));
            }
            var tensor = new FlatTableBuilder().Ints(0, shape).Byte(1, (byte)type).Int(2, buffer).String(3, name);
            if (quantization is not null) tensor.Table(4, quantization);
            _tensors.Add(tensor);
            return _tensors.Count - 1;
        }

        public void Operator(BuiltinOperator code, byte optionsType, FlatTableBuilder options, int[] inputs, int[] outputs)
        {
            int opcode = _codes.IndexOf(code);
            if (opcode < 0)
            {
                _codes.Add(code);
                opcode = _codes.Count - 1;
            }
            _operators.Add(new FlatTableBuilder().Int(0, opcode).Ints(1, inputs).Ints(2, outputs).Byte(3, optionsType).Table(4, options));
        }

        public void Signature(string key, (string Name, int Tensor)[] inputs, (string Name, int Tensor)[] outputs)
        {
            static FlatTableBuilder[] Maps((string Name, int Tensor)[] entries) =>
                [.. entries.Select(e => new FlatTableBuilder().String(0, e.Name).Int(1, e.Tensor))];
            _signatures.Add(new FlatTableBuilder().Tables(0, Maps(inputs)).Tables(1, Maps(outputs)).String(2, key).Int(4, 0));
        }

        public byte[] Build(int[] inputs, int[] outputs)
        {
            var subgraph = new FlatTableBuilder().Tables(0, [.. _tensors]).Ints(1, inputs).Ints(2, outputs).Tables(3, [.. _operators]).String(4, "main");
            var model = new FlatTableBuilder()
                .Int(0, 3)
                .Tables(1, [.. _codes.Select(c => new FlatTableBuilder().Byte(0, (byte)c).Int(2, 1).Int(3, (int)c))])
                .Tables(2, subgraph)
                .String(3, "PAD then convolution, hand-built")
                .Tables(4, [.. _buffers]);
            if (_signatures.Count > 0) model.Tables(7, [.. _signatures]);
            return FlatBufferWriter.Write(model, "TFL3");
        }
    }
}
