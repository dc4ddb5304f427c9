using System.Buffers.Binary;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// PAD and PADV2: surround the input with constant values. Input 1 is a constant int32/int64 tensor of shape
/// [rank, 2] holding (before, after) counts per dimension, all non-negative. The pad value is PADV2's optional
/// input 2 (one element of the input's type and, for quantized types, its quantization; its stored value is
/// used as is, read at every Eval); without it, 0 for float and plain integer types and the output's zero point
/// for quantized uint8/int8/int16 (so it represents real 0). Input and output must have the same type and quantization.
/// </summary>
internal sealed class PadKernel : OperatorKernel
{
    private int[] _before = [];
    private int[] _after = [];
    private byte[] _padElement = [];

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 3, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        int elementSize = DataMovement.CheckMove(context, input, output);
        (_before, _after) = ReadPaddings(context, input, mirrorOffset: null);
        context.SetOutputShape(0, PaddedShape(context, input, _before, _after));
        _padElement = ZeroElement(context, output, elementSize);
        if (context.OptionalInput(2) is { } value)
        {
            if (value.ElementCount != 1) throw context.Invalid($"pad value '{value.Name}' must hold one element but has shape {DataMovement.Format(value.Shape)}.");
            DataMovement.ExpectSameTypeAndQuantization(context, value, output, "pad value");
        }
    }

    /// <summary>
    /// Reads and checks the [rank, 2] paddings operand (input 1). For mirror padding,
    /// <paramref name="mirrorOffset"/> (1 for REFLECT, 0 for SYMMETRIC) limits each count to
    /// <c>inputSize - mirrorOffset</c>.
    /// </summary>
    internal static (int[] Before, int[] After) ReadPaddings(KernelContext context, Tensor input, int? mirrorOffset)
    {
        var paddings = context.Input(1);
        int rank = input.Rank;
        if (paddings.Rank != 2 || paddings.Shape[0] != rank || paddings.Shape[1] != 2)
        {
            throw context.Invalid($"paddings '{paddings.Name}' has shape {DataMovement.Format(paddings.Shape)} but [{rank},2] is required for input shape {DataMovement.Format(input.Shape)}.");
        }
        int[] values = context.ConstantInts(1);
        var before = new int[rank];
        var after = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            before[d] = values[2 * d];
            after[d] = values[(2 * d) + 1];
            if (before[d] < 0 || after[d] < 0)
            {
                throw context.Invalid($"paddings of dimension {d} ({before[d]}, {after[d]}) must not be negative.");
            }
            if (mirrorOffset is { } offset && Math.Max(before[d], after[d]) > Math.Max(0, input.Shape[d] - offset))
            {
                throw context.Invalid($"paddings of dimension {d} ({before[d]}, {after[d]}) exceed {Math.Max(0, input.Shape[d] - offset)}, the most mirroring allows for input size {input.Shape[d]}.");
            }
        }
        return (before, after);
    }

    /// <summary>The input shape grown by the paddings: <c>before[d] + size[d] + after[d]</c>.</summary>
    internal static int[] PaddedShape(KernelContext context, Tensor input, int[] before, int[] after)
    {
        var shape = new int[input.Rank];
        for (int d = 0; d < shape.Length; d++)
        {
            long size = (long)before[d] + input.Shape[d] + after[d];
            if (size > int.MaxValue) throw context.Invalid($"padded dimension {d} is too large.");
            shape[d] = (int)size;
        }
        return shape;
    }

    /// <summary>The stored bytes of real 0: zeros, or the zero point for quantized types.</summary>
    private static byte[] ZeroElement(KernelContext context, Tensor output, int elementSize)
    {
        var element = new byte[elementSize];
        if (!DataMovement.IsQuantizedType(output.Type) || output.Quantization is null || output.Quantization.Scales.Length == 0) return element;
        var (_, zeroPoint) = KernelHelpers.PerTensorQuantization(context, output, "output");
        var (min, max) = QuantizedRange.OfType(output.Type);
        if (zeroPoint < min || zeroPoint > max) throw context.Invalid($"output zero point {zeroPoint} is outside the range of {output.Type.Name()}.");
        switch (output.Type)
        {
            case TensorType.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(element, (short)zeroPoint);
                break;
            default:
                element[0] = unchecked((byte)zeroPoint);
                break;
        }
        return element;
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        if (context.OptionalInput(2) is { } value) value.AsReadOnlyBytes().CopyTo(_padElement);
        PadReference.Pad(input.AsReadOnlyBytes(), input.Shape, _before, _after, _padElement, context.Output(0).AsBytes());
    }
}
