using DeepLite.Runtime;

namespace DeepLite.Modeling.Conversion;

/// <summary>
/// Turns a quantized model into a float32 one: uint8/int8/int16 weights and int32 biases become their
/// real values <c>scale · (q − zeroPoint)</c>, every quantized activation becomes float32 with no
/// quantization, and QUANTIZE/DEQUANTIZE operators that thereby map float32 to float32 are removed.
/// Inputs become float32 too: a uint8 image input with <c>real = scale · (q − zp)</c> now expects
/// <c>(pixel − zp) / (1 / scale)</c>, i.e. normalisation mean = zp and std = 1 / scale, which
/// <see cref="Result.InputNormalizations"/> reports so the caller can write it into the metadata.
/// </summary>
public static class Dequantizer
{
    /// <summary>The float graph, and for each graph input that was quantized, its (mean, std) over 0..255 pixels.</summary>
    public sealed record Result(ModelGraph Graph, IReadOnlyList<(float Mean, float Std)?> InputNormalizations);

    /// <summary>Dequantizes a copy of <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">An operator or tensor type has no float equivalent here (the message names it).</exception>
    public static Result ToFloat32(TfLiteModel model)
    {
        var graph = ModelGraph.From(model);
        var normalizations = graph.Inputs.Select(t => t.Quantization is { } q && t.Type is TensorType.UInt8 or TensorType.Int8
            ? ((float Mean, float Std)?)((float)(q.ZeroPoint + (t.Type == TensorType.Int8 ? 128 : 0)), 1f / q.Scale) : null).ToList();
        for (int o = 0; o < graph.Operators.Count; o++)
        {
            var op = graph.Operators[o];
            if (op.Code is BuiltinOperator.CUSTOM or BuiltinOperator.LSTM or BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.SVDF)
            {
                throw new NotSupportedException($"Operator {o} ({op.Name}) cannot be converted to float32.");
            }
        }
        foreach (var tensor in graph.Tensors)
        {
            bool quantized = tensor.Quantization is not null && tensor.Type is TensorType.UInt8 or TensorType.Int8 or TensorType.Int16
                || tensor.Quantization is not null && tensor.Type == TensorType.Int32 && tensor.IsConstant && IsBias(graph, tensor);
            if (!quantized && tensor.Type != TensorType.Float16) continue;
            if (tensor.IsConstant) tensor.Data = QuantizedValues.Bytes(QuantizedValues.ToFloat(tensor));
            tensor.Type = TensorType.Float32;
            tensor.Quantization = null;
        }
        foreach (var op in graph.Operators.Where(o => o.Code is BuiltinOperator.QUANTIZE or BuiltinOperator.DEQUANTIZE).ToList())
        {
            var (input, output) = (op.Inputs[0]!, op.Outputs[0]);
            if (input.Type != TensorType.Float32 || output.Type != TensorType.Float32) continue;
            graph.Operators.Remove(op);
            if (graph.Inputs.Contains(output)) throw new NotSupportedException($"'{output.Name}' is a graph input produced by an operator.");
            graph.ReplaceUses(output, input);
        }
        graph.RemoveUnusedTensors();
        return new Result(graph, normalizations);
    }

    /// <summary>True when an operator reads <paramref name="tensor"/> as its bias (input 2 of CONV_2D, DEPTHWISE_CONV_2D,
    /// FULLY_CONNECTED, or input 3 of TRANSPOSE_CONV).</summary>
    internal static bool IsBias(ModelGraph graph, GraphTensor tensor) => graph.Operators.Any(o =>
        (o.Code is BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D or BuiltinOperator.FULLY_CONNECTED && o.Inputs.Count > 2 && o.Inputs[2] == tensor)
        || (o.Code == BuiltinOperator.TRANSPOSE_CONV && o.Inputs.Count > 3 && o.Inputs[3] == tensor));
}
