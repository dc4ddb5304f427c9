namespace DeepLite.Runtime.Kernels;

/// <summary>
/// MIRROR_PAD: pads by mirroring the input at its borders (MirrorPadOptions.mode, field 0:
/// 0 = REFLECT, 1 = SYMMETRIC; see <see cref="MirrorPadReference"/>). Input 1 is a constant
/// [rank, 2] paddings tensor; each count is at most size - 1 (REFLECT) or size (SYMMETRIC).
/// Any fixed-size element type; input and output must have the same type and quantization.
/// </summary>
internal sealed class MirrorPadKernel : OperatorKernel
{
    private const int ModeField = 0;

    private int[] _before = [];
    private int[] _after = [];
    private MirrorPadMode _mode;
    private int _elementSize;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        _elementSize = DataMovement.CheckMove(context, input, output);
        byte mode = context.Options.Byte(ModeField);
        if (mode > (byte)MirrorPadMode.Symmetric) throw context.Invalid($"mirror pad mode {mode} is neither REFLECT nor SYMMETRIC.");
        _mode = (MirrorPadMode)mode;
        (_before, _after) = PadKernel.ReadPaddings(context, input, mirrorOffset: _mode == MirrorPadMode.Reflect ? 1 : 0);
        context.SetOutputShape(0, PadKernel.PaddedShape(context, input, _before, _after));
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        MirrorPadReference.MirrorPad(input.AsReadOnlyBytes(), input.Shape, _before, _after, _mode, _elementSize, context.Output(0).AsBytes());
    }
}
