namespace DeepLite.Runtime.Kernels;

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR: resizes an NHWC image to the height and width in the constant int32 [2]
/// input 1 by copying the nearest input pixel (<see cref="ResizeNearestNeighborReference.SourceIndex"/>).
/// Options: align_corners (field 0) and half_pixel_centers (field 1), not both. Any fixed-size element
/// type; input and output must have the same type and quantization.
/// </summary>
internal sealed class ResizeNearestNeighborKernel : OperatorKernel
{
    private const int AlignCornersField = 0;
    private const int HalfPixelCentersField = 1;

    private ResizeParameters _parameters;
    private int _elementSize;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        _elementSize = DataMovement.CheckMove(context, input, output);
        _parameters = ResizeSize.Read(context, input, context.Options.Bool(AlignCornersField), context.Options.Bool(HalfPixelCentersField));
    }

    public override void Eval(KernelContext context) =>
        ResizeNearestNeighborReference.Resize(context.Input(0).AsReadOnlyBytes(), context.Output(0).AsBytes(), _parameters, _elementSize);
}
