using DeepLite.Runtime;

namespace DeepLite.Onnx.Export;

internal sealed partial class GraphConverter
{
    /// <summary>RESHAPE and SQUEEZE: a Reshape of the value in TFLite's element order to the output tensor's
    /// static shape (the shape operand and options are not needed).</summary>
    private void Reshape(OperatorInfo op)
    {
        int input = Input(op, 0), output = op.Outputs[0];
        string hint = OutputHint(output);
        string y = _graph.Add("Reshape", hint, [FlatOrder(input), _graph.Int64Vector("shape", Dims(Tensor(output).Shape))]);
        if (IsQuantized(output)) y = Requantize(y, Quant(input), Quant(output), $"{hint}_requantized");
        SetOutput(output, y, nchw: false);
    }

    /// <summary>CONCATENATION (options: axis 0, activation 1), in NCHW (axis remapped) when every input is rank 4
    /// and one already is NCHW. Quantized inputs with other parameters than the output are requantized first,
    /// as TFLite does.</summary>
    private void Concatenation(OperatorInfo op)
    {
        int output = op.Outputs[0];
        int[] inputs = op.Inputs.Where(i => i >= 0).ToArray();
        int rank = Tensor(output).Shape.Length;
        int axis = op.BuiltinOptions.Int(0);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) throw Unsupported($"axis {op.BuiltinOptions.Int(0)} is outside rank {rank}.");
        var activation = ReadActivation(op, 1);
        bool nchw = rank == 4 && PreferNchw(inputs);
        var axisAttribute = OnnxAttribute.Of("axis", (long)(nchw ? NhwcAxisInNchw[axis] : axis));
        string hint = OutputHint(output), y;
        if (IsQuantized(output))
        {
            QuantParams outputQuant = Quant(output);
            string[] values = inputs.Select(i => Requantize(InLayout(i, nchw), Quant(i), outputQuant, $"{hint}_input")).ToArray();
            y = QuantizedActivationClamp(_graph.Add("Concat", hint, values, axisAttribute), activation, outputQuant, $"{hint}_clamped");
        }
        else
        {
            string[] values = inputs.Select(i => InLayout(i, nchw)).ToArray();
            y = FloatActivation(_graph.Add("Concat", hint, values, axisAttribute), activation, $"{hint}_activated");
        }
        SetOutput(output, y, nchw);
    }

    /// <summary>PAD and PADV2 with constant paddings [rank, 2]: ONNX Pad (constant mode) with pads
    /// [begin..., end...] in the value's layout. The fill is 0 (PAD) or PADV2's constant; quantized, PAD fills
    /// with the input's zero point (real 0) and PADV2 with its constant's stored value.</summary>
    private void Pad(OperatorInfo op)
    {
        int input = Input(op, 0), paddings = Input(op, 1), output = op.Outputs[0];
        int? fill = OptionalInput(op, 2);
        int rank = Tensor(input).Shape.Length;
        long[] pairs = ConstantIntegers(paddings);
        if (pairs.Length != 2 * rank) throw Unsupported($"paddings hold {pairs.Length} values for rank {rank}.");
        bool nchw = rank == 4 && ElementwiseInNchw(input);
        int[] order = nchw ? [0, 3, 1, 2] : Enumerable.Range(0, rank).ToArray();
        long[] pads = [.. order.Select(a => pairs[2 * a]), .. order.Select(a => pairs[(2 * a) + 1])];
        string x = InLayout(input, nchw), hint = OutputHint(output), y;
        string padsName = _graph.Int64Vector("pads", pads);
        if (IsQuantized(output))
        {
            QuantParams inputQuant = Quant(input);
            int fillValue = fill is int f ? RequireConstant(f).Data.Span[0] : inputQuant.ZeroPoint;
            y = _graph.Add("Pad", hint, [x, padsName, _graph.Scalar8(OnnxDataType.UInt8, fillValue)]);
            y = Requantize(y, inputQuant, Quant(output), $"{hint}_requantized");
        }
        else
        {
            float fillValue = fill is int f ? FloatValues(RequireConstant(f).Index)[0] : 0f;
            y = _graph.Add("Pad", hint, [x, padsName, _graph.ScalarFloat(fillValue)]);
        }
        SetOutput(output, y, nchw);
    }

    private TensorInfo RequireConstant(int index)
    {
        if (!IsConstant(index)) throw Unsupported($"'{Tensor(index).Name}' must be a constant.");
        return Tensor(index);
    }
}
