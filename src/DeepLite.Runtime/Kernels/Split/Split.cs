namespace DeepLite.Runtime.Kernels;

/// <summary>
/// SPLIT: cuts input 1 into SplitOptions.num_splits (field 0) equal parts along the axis given by
/// the constant scalar (or one-element) int32 input 0; negative axes count from the end. The axis
/// size must be a multiple of num_splits, which must equal the number of outputs. Any fixed-size
/// element type; every output has the input's type and quantization.
/// </summary>
internal sealed class SplitKernel : OperatorKernel
{
    private const int NumSplitsField = 0;

    private int _outerCount;
    private int _inputBlock;
    private int _partBlock;
    private int _elementSize;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 2, context.OutputCount);
        var input = context.Input(1);
        int splits = context.Options.Int(NumSplitsField);
        if (splits <= 0 || splits != context.OutputCount)
        {
            throw context.Invalid($"num_splits is {splits} but the operator has {context.OutputCount} outputs.");
        }
        _elementSize = DataMovement.ElementSize(context, input, "input");
        DataMovement.ExpectRankAtMost(context, input, DataMovement.MaxRank, "input");
        var axisTensor = context.Input(0);
        if (axisTensor.ElementCount != 1) throw context.Invalid($"axis '{axisTensor.Name}' must hold one value but has shape {DataMovement.Format(axisTensor.Shape)}.");
        int axis = DataMovement.NormalizeAxis(context, context.ConstantInts(0)[0], input.Rank, "axis");
        int size = input.Shape[axis];
        if (size % splits != 0)
        {
            throw context.Invalid($"axis {axis} of input shape {DataMovement.Format(input.Shape)} cannot be split into {splits} equal parts.");
        }

        var shape = input.Shape.ToArray();
        shape[axis] = size / splits;
        for (int i = 0; i < splits; i++)
        {
            DataMovement.ExpectSameTypeAndQuantization(context, input, context.Output(i), outputRole: $"output {i}");
            context.SetOutputShape(i, shape);
        }

        long outer = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        long inner = 1;
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        // Bounded by the input's element count.
        _outerCount = (int)outer;
        _inputBlock = (int)(size * inner);
        _partBlock = (int)(shape[axis] * inner);
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(1).AsReadOnlyBytes();
        for (int i = 0; i < context.OutputCount; i++)
        {
            SplitReference.CopyPart(input, context.Output(i).AsBytes(), _outerCount, _inputBlock, _partBlock, i, _elementSize);
        }
    }
}
