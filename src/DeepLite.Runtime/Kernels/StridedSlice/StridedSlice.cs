namespace DeepLite.Runtime.Kernels;

/// <summary>
/// STRIDED_SLICE: takes every stride-th element between begin and end along each dimension. begin,
/// end and strides are constant int32 vectors (inputs 1-3) of equal length. StridedSliceOptions:
/// begin_mask 0, end_mask 1, ellipsis_mask 2, new_axis_mask 3, shrink_axis_mask 4, offset 5 (end is
/// relative to begin); the rules are in <see cref="StridedSliceReference.Plan"/>. Any fixed-size
/// element type; input and output must have the same type and quantization.
/// </summary>
internal sealed class StridedSliceKernel : OperatorKernel
{
    private const int BeginMaskField = 0;
    private const int EndMaskField = 1;
    private const int EllipsisMaskField = 2;
    private const int NewAxisMaskField = 3;
    private const int ShrinkAxisMaskField = 4;
    private const int OffsetField = 5;

    private StridedSlicePlan? _plan;
    private int _elementSize;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(4, 4, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        _elementSize = DataMovement.CheckMove(context, input, output);
        for (int i = 1; i <= 3; i++)
        {
            var operand = context.Input(i);
            if (operand.Rank != 1) throw context.Invalid($"input {i} '{operand.Name}' must be a vector but has shape {DataMovement.Format(operand.Shape)}.");
        }

        var options = context.Options;
        var masks = new StridedSliceMasks(
            options.Int(BeginMaskField), options.Int(EndMaskField), options.Int(EllipsisMaskField),
            options.Int(NewAxisMaskField), options.Int(ShrinkAxisMaskField), options.Bool(OffsetField));
        _plan = StridedSliceReference.Plan(input.Shape, context.ConstantInts(1), context.ConstantInts(2), context.ConstantInts(3), masks, DataMovement.MaxRank, out string error)
            ?? throw context.Invalid($"the slice of input shape {DataMovement.Format(input.Shape)} {error}.");
        context.SetOutputShape(0, _plan.OutputShape);
    }

    public override void Eval(KernelContext context)
    {
        var plan = _plan ?? throw new InvalidOperationException("Prepare has not run.");
        StridedSliceReference.StridedSlice(context.Input(0).AsReadOnlyBytes(), plan.EffectiveShape, plan.Start, plan.Step, plan.Count, _elementSize,
            context.Output(0).AsBytes());
    }
}
