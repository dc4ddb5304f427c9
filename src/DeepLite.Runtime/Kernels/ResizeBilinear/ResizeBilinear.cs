namespace DeepLite.Runtime.Kernels;

/// <summary>
/// RESIZE_BILINEAR: resizes an NHWC image to the height and width in the constant int32 [2] input 1.
/// Options: align_corners (field 2) and half_pixel_centers (field 3), not both. float32, uint8 and
/// int8 with identical input and output quantization; the arithmetic of each type is documented in
/// <see cref="ResizeBilinearReference"/>.
/// </summary>
internal sealed class ResizeBilinearKernel : OperatorKernel
{
    private const int AlignCornersField = 2;
    private const int HalfPixelCentersField = 3;

    private ResizeParameters _parameters;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type is not (TensorType.Float32 or TensorType.UInt8 or TensorType.Int8)) throw context.Unsupported();
        DataMovement.ExpectSameTypeAndQuantization(context, input, output);
        _parameters = ResizeSize.Read(context, input, context.Options.Bool(AlignCornersField), context.Options.Bool(HalfPixelCentersField));
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (input.Type)
        {
            case TensorType.Float32:
                ResizeBilinearReference.ResizeF32(input.AsReadOnlySpan<float>(), output.AsSpan<float>(), _parameters);
                break;
            case TensorType.UInt8:
                ResizeBilinearReference.ResizeQU8(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), _parameters);
                break;
            default:
                ResizeBilinearReference.ResizeQS8(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), _parameters);
                break;
        }
    }
}

/// <summary>Prepare-time reading of the resize operators' common operands.</summary>
internal static class ResizeSize
{
    /// <summary>
    /// Checks the rank-4 NHWC input and the constant [2] size operand (input 1, both values positive),
    /// sets output 0 to [N, newHeight, newWidth, C] and returns the resize parameters.
    /// </summary>
    public static ResizeParameters Read(KernelContext context, Tensor input, bool alignCorners, bool halfPixelCenters)
    {
        KernelHelpers.ExpectRank(context, input, 4, "input");
        if (alignCorners && halfPixelCenters) throw context.Invalid("align_corners and half_pixel_centers cannot both be set.");
        var sizeTensor = context.Input(1);
        if (sizeTensor.Rank != 1 || sizeTensor.Shape[0] != 2)
        {
            throw context.Invalid($"size '{sizeTensor.Name}' has shape {DataMovement.Format(sizeTensor.Shape)} but [2] (height, width) is required.");
        }
        int[] size = context.ConstantInts(1);
        if (size[0] <= 0 || size[1] <= 0) throw context.Invalid($"output size {DataMovement.Format(size)} must be positive.");
        if (input.Shape[1] <= 0 || input.Shape[2] <= 0) throw context.Invalid($"input shape {DataMovement.Format(input.Shape)} has an empty image.");
        context.SetOutputShape(0, [input.Shape[0], size[0], size[1], input.Shape[3]]);
        return new ResizeParameters(input.Shape[0], input.Shape[1], input.Shape[2], input.Shape[3], size[0], size[1], alignCorners, halfPixelCenters);
    }
}
