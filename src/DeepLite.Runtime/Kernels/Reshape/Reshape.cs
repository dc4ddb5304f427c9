namespace DeepLite.Runtime.Kernels;

/// <summary>
/// RESHAPE: the input's elements, in order, under a new shape. The shape comes from input 1 when it
/// is a constant int32/int64 vector, otherwise from ReshapeOptions.new_shape (field 0; the legacy
/// value [0] means a scalar). One dimension may be -1 and is inferred. The element count must not
/// change, and quantized tensors must keep their quantization. The bytes are copied.
/// </summary>
internal sealed class ReshapeKernel : OperatorKernel
{
    private const int NewShapeField = 0;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        DataMovement.CheckMove(context, input, output, maxRank: int.MaxValue);

        int[] requested = RequestedShape(context);
        int[] shape = ReshapeReference.ResolveShape(requested, input.ElementCount, out string error)
            ?? throw context.Invalid($"new shape {DataMovement.Format(requested)} {error} (input shape {DataMovement.Format(input.Shape)}).");
        context.SetOutputShape(0, shape);
    }

    private static int[] RequestedShape(KernelContext context)
    {
        var shapeTensor = context.OptionalInput(1);
        bool optionGiven = context.Options.Has(NewShapeField);
        if (shapeTensor is { Rank: 1, Type: TensorType.Int32 or TensorType.Int64 } && (shapeTensor.IsConstant || !optionGiven))
        {
            return context.ConstantInts(1);
        }

        int[] fromOption = context.Options.Vector<int>(NewShapeField);
        // Old converters wrote [0] for a scalar result.
        return fromOption is [0] ? [] : fromOption;
    }

    public override void Eval(KernelContext context) =>
        ReshapeReference.Copy(context.Input(0).AsReadOnlyBytes(), context.Output(0).AsBytes());
}
