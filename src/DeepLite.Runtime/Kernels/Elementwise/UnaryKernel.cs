using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Prepare and Eval shared by elementwise unary operators: one input and one output of the same type and
/// shape. float32 runs the operator's per-element function; uint8 and int8 run a 256-entry table that
/// Prepare fills by applying the operator's exact per-value quantized rule to every storable input value
/// (TFLite evaluates these operators per element or through the same kind of table, so both agree exactly).
/// </summary>
internal abstract class UnaryKernel : OperatorKernel
{
    private readonly byte[] _table = new byte[256];
    private TensorType _type;
    private int _lowestValidInput;
    private string? _invalidInputMessage;

    /// <summary>Operator name used in messages.</summary>
    protected abstract string Name { get; }

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type != output.Type)
        {
            throw context.Invalid($"{Name} input is {input.Type.Name()} but output is {output.Type.Name()}; they must match.");
        }
        _type = input.Type;
        _invalidInputMessage = null;
        if (QuantizedOperand.IsEightBit(_type))
        {
            var inputQuantization = QuantizedOperand.Read(context, input, "input");
            var outputQuantization = QuantizedOperand.Read(context, output, "output");
            var rule = PrepareQuantized(context, _type, inputQuantization, outputQuantization)
                ?? throw context.Unsupported($"{Name} has no {_type.Name()} kernel.");
            FillTable(_table, _type, rule);
        }
        else if (_type != TensorType.Float32)
        {
            throw context.Unsupported($"{Name} supports float32, uint8 and int8 tensors.");
        }
        context.SetOutputShape(0, input.Shape);
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        if (_type == TensorType.Float32)
        {
            EvalFloat(input.AsReadOnlySpan<float>(), output.AsSpan<float>());
        }
        else
        {
            if (_invalidInputMessage is not null) CheckInputs(context, input);
            UnaryDriver.Lookup(input.AsReadOnlyBytes(), output.AsBytes(), _table);
        }
    }

    /// <summary>
    /// Makes Eval fail, as TFLite's Invoke does, when a stored input value is below <paramref name="lowest"/>
    /// (for operators undefined on negative reals, such as SQRT and RSQRT).
    /// </summary>
    protected void RejectInputsBelow(int lowest, string message)
    {
        _lowestValidInput = lowest;
        _invalidInputMessage = message;
    }

    private void CheckInputs(KernelContext context, Tensor input)
    {
        bool valid = _type == TensorType.UInt8
            ? AllAtLeast(input.AsReadOnlySpan<byte>(), _lowestValidInput)
            : AllAtLeast(input.AsReadOnlySpan<sbyte>(), _lowestValidInput);
        if (!valid) throw new DeepLiteException($"Operator {context.NodeIndex} ({Name}): {_invalidInputMessage}");
    }

    private static bool AllAtLeast<T>(ReadOnlySpan<T> values, int lowest) where T : unmanaged, IBinaryInteger<T>
    {
        foreach (var v in values)
        {
            if (int.CreateTruncating(v) < lowest) return false;
        }
        return true;
    }

    /// <summary>Applies the float32 function to every element.</summary>
    protected abstract void EvalFloat(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>
    /// Returns the rule mapping one stored input value to its stored output value (clamped to the type's
    /// range), or null when this operator has no kernel for <paramref name="type"/>.
    /// </summary>
    protected abstract Func<int, int>? PrepareQuantized(KernelContext context, TensorType type, QuantizedOperand input, QuantizedOperand output);

    /// <summary>Fills <paramref name="table"/> so that entry <c>(byte)q</c> holds <c>rule(q)</c> for every storable q.</summary>
    internal static void FillTable(Span<byte> table, TensorType type, Func<int, int> rule)
    {
        var (min, max) = QuantizedRange.OfType(type);
        for (int q = min; q <= max; q++)
        {
            int value = Math.Clamp(rule(q), min, max);
            table[(byte)q] = (byte)value;
        }
    }
}
