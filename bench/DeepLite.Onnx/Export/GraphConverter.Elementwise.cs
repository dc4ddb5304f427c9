using DeepLite.Runtime;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Onnx.Export;

internal sealed partial class GraphConverter
{
    /// <summary>True when a one-input elementwise operator should work on the NCHW value of <paramref name="input"/>.</summary>
    private bool ElementwiseInNchw(int input) => !IsConstant(input) && HasNchw(input);

    /// <summary>ADD (AddOptions: activation 0) with NumPy broadcasting, in NCHW when every operand is rank 4
    /// and one already is NCHW. Quantized: <c>com.microsoft</c> QLinearAdd.</summary>
    private void Add(OperatorInfo op)
    {
        int a = Input(op, 0), b = Input(op, 1), output = op.Outputs[0];
        var activation = ReadActivation(op, 0);
        bool nchw = Tensor(output).Shape.Length == 4 && PreferNchw([a, b]);
        string xa = InLayout(a, nchw), xb = InLayout(b, nchw), hint = OutputHint(output), y;
        if (IsQuantized(output))
        {
            QuantParams qa = Quant(a), qb = Quant(b), qy = Quant(output);
            y = _graph.AddInDomain(MicrosoftDomain, "QLinearAdd", hint, [xa, ScaleOf(qa), ZeroPointOf(qa), xb, ScaleOf(qb), ZeroPointOf(qb), ScaleOf(qy), ZeroPointOf(qy)]);
            y = QuantizedActivationClamp(y, activation, qy, $"{hint}_clamped");
        }
        else
        {
            y = FloatActivation(_graph.Add("Add", hint, [xa, xb]), activation, $"{hint}_activated");
        }
        SetOutput(output, y, nchw);
    }

    /// <summary>RELU, RELU6, RELU_N1_TO_1. Quantized with equal input and output parameters: the uint8 clamp
    /// TFLite applies; otherwise through float.</summary>
    private void Activation(OperatorInfo op, FusedActivation activation)
    {
        int input = Input(op, 0), output = op.Outputs[0];
        bool nchw = ElementwiseInNchw(input);
        string x = InLayout(input, nchw), hint = OutputHint(output), y;
        if (IsQuantized(output))
        {
            QuantParams inputQuant = Quant(input), outputQuant = Quant(output);
            y = inputQuant == outputQuant
                ? QuantizedActivationClamp(x, activation, outputQuant, hint)
                : QuantizeLinear(FloatActivation(DequantizeLinear(x, inputQuant, $"{hint}_input_real"), activation, $"{hint}_real"), outputQuant, hint);
        }
        else
        {
            y = FloatActivation(x, activation, hint);
        }
        SetOutput(output, y, nchw);
    }

    /// <summary>RELU_0_TO_1: Clip to [0, 1] (through float when quantized).</summary>
    private void ReluZeroToOne(OperatorInfo op)
    {
        int input = Input(op, 0), output = op.Outputs[0];
        bool nchw = ElementwiseInNchw(input);
        string x = InLayout(input, nchw), hint = OutputHint(output), y;
        if (IsQuantized(output))
        {
            string real = FloatClip(DequantizeLinear(x, Quant(input), $"{hint}_input_real"), (0f, 1f), $"{hint}_real");
            y = QuantizeLinear(real, Quant(output), hint);
        }
        else
        {
            y = FloatClip(x, (0f, 1f), hint);
        }
        SetOutput(output, y, nchw);
    }

    /// <summary>SOFTMAX (SoftmaxOptions: beta 0) over the last TFLite axis (axis 1 of an NCHW value):
    /// <c>softmax(beta · x)</c>. Quantized: DequantizeLinear → Softmax → QuantizeLinear with the output's
    /// parameters (TFLite's are scale 1/256, zero point 0).</summary>
    private void Softmax(OperatorInfo op)
    {
        int input = Input(op, 0), output = op.Outputs[0];
        float beta = op.BuiltinOptions.Float(0);
        bool nchw = Tensor(input).Shape.Length == 4 && ElementwiseInNchw(input);
        string x = InLayout(input, nchw), hint = OutputHint(output);
        bool quantized = IsQuantized(output);
        if (quantized) x = DequantizeLinear(x, Quant(input), $"{hint}_input_real");
        if (beta != 1f) x = _graph.Add("Mul", $"{hint}_scaled", [x, _graph.ScalarFloat(beta)]);
        string y = _graph.Add("Softmax", quantized ? $"{hint}_real" : hint, [x], OnnxAttribute.Of("axis", nchw ? 1L : -1L));
        if (quantized) y = QuantizeLinear(y, Quant(output), hint);
        SetOutput(output, y, nchw);
    }

    /// <summary>QUANTIZE. Float32 flavour: the value passes through (every value is already real). Quantized:
    /// QuantizeLinear from float, or a requantization between uint8 parameters.</summary>
    private void Quantize(OperatorInfo op)
    {
        int input = Input(op, 0), output = op.Outputs[0];
        if (!IsQuantized(output))
        {
            PassThrough(input, output);
            return;
        }
        bool nchw = ElementwiseInNchw(input);
        string x = InLayout(input, nchw), hint = OutputHint(output);
        string y = IsQuantized(input) ? Requantize(x, Quant(input), Quant(output), hint) : QuantizeLinear(x, Quant(output), hint);
        SetOutput(output, y, nchw);
    }

    /// <summary>DEQUANTIZE. A constant input (float16 or quantized weights) is folded at export; otherwise
    /// DequantizeLinear in the Quantized flavour and a pass-through in the Float32 flavour.</summary>
    private void Dequantize(OperatorInfo op)
    {
        int input = Input(op, 0), output = op.Outputs[0];
        if (IsConstant(input))
        {
            _foldedFloats[output] = FloatValues(input);
            return;
        }
        if (!IsQuantized(input))
        {
            PassThrough(input, output);
            return;
        }
        bool nchw = ElementwiseInNchw(input);
        SetOutput(output, DequantizeLinear(InLayout(input, nchw), Quant(input), OutputHint(output)), nchw);
    }

    /// <summary>The output is the input's value (in every layout the input already has).</summary>
    private void PassThrough(int input, int output)
    {
        if (IsConstant(input))
        {
            _foldedFloats[output] = FloatValues(input);
            return;
        }
        bool hasNhwc = _nhwc.TryGetValue(input, out string? nhwc), hasNchw = _nchw.TryGetValue(input, out string? nchw);
        if (!hasNhwc && !hasNchw) throw new ModelFormatException($"ONNX export: tensor {input} ('{Tensor(input).Name}') is read before any operator writes it.");
        if (hasNhwc) _nhwc[output] = nhwc!;
        if (hasNchw) _nchw[output] = nchw!;
    }
}
