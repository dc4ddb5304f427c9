namespace DeepLite.Runtime.Kernels;

/// <summary>
/// SQUEEZE: removes size-1 dimensions, either those listed in SqueezeOptions.squeeze_dims (field 0;
/// negative axes count from the end; each listed axis must have size 1) or, when the list is empty,
/// all of them. The bytes are copied unchanged; quantized tensors must keep their quantization.
/// </summary>
internal sealed class SqueezeKernel : OperatorKernel
{
    private const int SqueezeDimsField = 0;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        DataMovement.CheckMove(context, input, output, maxRank: int.MaxValue);

        int[] axes = context.Options.Vector<int>(SqueezeDimsField);
        for (int i = 0; i < axes.Length; i++)
        {
            axes[i] = DataMovement.NormalizeAxis(context, axes[i], input.Rank, "squeeze_dims entry");
            if (input.Shape[axes[i]] != 1)
            {
                throw context.Invalid($"cannot squeeze axis {axes[i]} of input shape {DataMovement.Format(input.Shape)}: its size is not 1.");
            }
        }
        context.SetOutputShape(0, ReshapeReference.SqueezeShape(input.Shape, axes));
    }

    public override void Eval(KernelContext context) =>
        ReshapeReference.Copy(context.Input(0).AsReadOnlyBytes(), context.Output(0).AsBytes());
}
