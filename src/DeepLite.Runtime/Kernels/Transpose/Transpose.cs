namespace DeepLite.Runtime.Kernels;

/// <summary>
/// TRANSPOSE: permutes the dimensions by the constant int32/int64 vector input 1 (perm; one entry
/// per input dimension, a permutation of [0, rank); rank at most 6 like TFLite). Any fixed-size
/// element type; input and output must have the same type and quantization.
/// </summary>
internal sealed class TransposeKernel : OperatorKernel
{
    private const int MaxRank = 6;

    private int[] _perm = [];
    private int _elementSize;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        _elementSize = DataMovement.CheckMove(context, input, output, MaxRank);

        var permTensor = context.Input(1);
        if (permTensor.Rank != 1 || permTensor.Shape[0] != input.Rank)
        {
            throw context.Invalid($"perm '{permTensor.Name}' has shape {DataMovement.Format(permTensor.Shape)} but input shape {DataMovement.Format(input.Shape)} needs [{input.Rank}].");
        }
        _perm = context.ConstantInts(1);
        Span<bool> seen = stackalloc bool[input.Rank];
        foreach (int p in _perm)
        {
            if ((uint)p >= (uint)input.Rank || seen[p])
            {
                throw context.Invalid($"perm {DataMovement.Format(_perm)} is not a permutation of the {input.Rank} input dimensions.");
            }
            seen[p] = true;
        }
        context.SetOutputShape(0, TransposeReference.OutputShape(input.Shape, _perm));
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        TransposeReference.Transpose(input.AsReadOnlyBytes(), input.Shape, _perm, _elementSize, context.Output(0).AsBytes());
    }
}
