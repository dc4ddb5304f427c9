using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// CONCATENATION: joins the inputs along ConcatenationOptions.axis (field 0; negative counts from
/// the end). All inputs have the output's type and rank and equal sizes except along the axis.
/// Only fused activation NONE (field 1) is supported. Any fixed-size element type is copied as bytes;
/// a uint8 or int8 input whose quantization differs from the output's is requantized with
/// <see cref="ConcatenationRequantization"/> (TFLite's reference rule).
/// </summary>
internal sealed class ConcatenationKernel : OperatorKernel
{
    private const int AxisField = 0;
    private const int ActivationField = 1;

    private ConcatenationPart[] _parts = [];
    private ConcatenationRequantization?[] _requantizations = [];
    private int _elementSize;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, int.MaxValue, 1);
        var output = context.Output(0);
        var first = context.Input(0);
        byte activation = context.Options.Byte(ActivationField);
        if (activation != (byte)FusedActivation.None) throw context.Unsupported($"fused activation {activation} is not supported; only NONE is.");
        _elementSize = DataMovement.ElementSize(context, first, "input 0");
        DataMovement.ExpectRankAtMost(context, first, DataMovement.MaxRank, "input 0");
        if (first.Rank == 0) throw context.Invalid("cannot concatenate scalars.");
        int rank = first.Rank;
        int axis = DataMovement.NormalizeAxis(context, context.Options.Int(AxisField), rank, "axis");

        var shape = first.Shape.ToArray();
        long axisTotal = 0;
        for (int i = 0; i < context.InputCount; i++)
        {
            var input = context.Input(i);
            if (input.Type != output.Type)
            {
                throw context.Invalid($"input {i} '{input.Name}' is {input.Type.Name()} but the output is {output.Type.Name()}.");
            }
            if (input.Rank != rank)
            {
                throw context.Invalid($"input {i} has shape {DataMovement.Format(input.Shape)} but input 0 has {DataMovement.Format(shape)}; ranks must match.");
            }
            for (int d = 0; d < rank; d++)
            {
                if (d != axis && input.Shape[d] != shape[d])
                {
                    throw context.Invalid($"input {i} has shape {DataMovement.Format(input.Shape)} but input 0 has {DataMovement.Format(shape)}; only axis {axis} may differ.");
                }
            }
            axisTotal += input.Shape[axis];
        }
        if (axisTotal > int.MaxValue) throw context.Invalid("the concatenated axis is too large.");
        shape[axis] = (int)axisTotal;
        context.SetOutputShape(0, shape);

        long outer = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        long inner = 1;
        for (int d = axis + 1; d < rank; d++) inner *= shape[d];
        long outputBlock = axisTotal * inner;

        _parts = new ConcatenationPart[context.InputCount];
        _requantizations = new ConcatenationRequantization?[context.InputCount];
        long offset = 0;
        for (int i = 0; i < context.InputCount; i++)
        {
            var input = context.Input(i);
            long inputBlock = input.Shape[axis] * inner;
            // Every product here is bounded by the output's element count, which SetOutputShape checked.
            _parts[i] = new ConcatenationPart((int)outer, (int)inputBlock, (int)outputBlock, (int)offset);
            offset += inputBlock;
            _requantizations[i] = Requantization(context, input, output, i);
        }
    }

    private static ConcatenationRequantization? Requantization(KernelContext context, Tensor input, Tensor output, int index)
    {
        if (!DataMovement.IsQuantizedType(output.Type) || DataMovement.SameQuantization(input.Quantization, output.Quantization))
        {
            return null;
        }
        if (output.Type is not (TensorType.UInt8 or TensorType.Int8))
        {
            throw context.Unsupported($"input {index} '{input.Name}' and the output have different quantization; only uint8 and int8 concatenation can requantize.");
        }
        var (inputScale, inputZeroPoint) = KernelHelpers.PerTensorQuantization(context, input, $"input {index}");
        var (outputScale, outputZeroPoint) = KernelHelpers.PerTensorQuantization(context, output, "output");
        if (!(outputScale > 0) || !float.IsFinite(outputScale) || !(inputScale > 0) || !float.IsFinite(inputScale))
        {
            throw context.Invalid($"input {index} scale {inputScale} and output scale {outputScale} must be positive and finite.");
        }
        if (inputScale == outputScale && inputZeroPoint == outputZeroPoint) return null;
        return ConcatenationRequantization.Create(inputScale, inputZeroPoint, outputScale, outputZeroPoint);
    }

    public override void Eval(KernelContext context)
    {
        var output = context.Output(0);
        for (int i = 0; i < _parts.Length; i++)
        {
            var input = context.Input(i);
            if (_requantizations[i] is not { } requantization)
            {
                ConcatenationReference.CopyPart(input.AsReadOnlyBytes(), output.AsBytes(), _parts[i], _elementSize);
            }
            else if (output.Type == TensorType.UInt8)
            {
                ConcatenationReference.RequantizePart(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), _parts[i], requantization);
            }
            else
            {
                ConcatenationReference.RequantizePart(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), _parts[i], requantization);
            }
        }
    }
}
