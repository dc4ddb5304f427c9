namespace DeepLite.Runtime.Kernels;

/// <summary>
/// RESIZE_BILINEAR: resizes an NHWC image to the height and width in the constant int32 [2] input 1.
/// Options: align_corners (field 2) and half_pixel_centers (field 3), not both. float32, uint8 and
/// int8 with identical input and output quantization; the arithmetic of each type is documented in
/// <see cref="ResizeBilinearReference"/>. Prepare plans the source rows, columns and weights
/// (<see cref="ResizeBilinearPlan"/>); Eval runs <see cref="ResizeBilinearMicrokernels"/> at the vector tier chosen in
/// Prepare (int8 falls back to the reference when its fixed-point blend would not fit int32), split by output rows across
/// <see cref="KernelContext.Workers"/> from <see cref="MinimumParallelElements"/> output elements.
/// </summary>
internal sealed class ResizeBilinearKernel : OperatorKernel, IRangeWork
{
    /// <summary>Output elements below which splitting across workers costs more than it saves.</summary>
    public const int MinimumParallelElements = 1 << 16;

    private const int AlignCornersField = 2;
    private const int HalfPixelCentersField = 3;

    private ResizeParameters _parameters;
    private ResizeBilinearPlan? _plan;
    private TensorType _type;
    private VectorTier _tier;
    private WorkSplitter? _splitter;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type is not (TensorType.Float32 or TensorType.UInt8 or TensorType.Int8)) throw context.Unsupported();
        DataMovement.ExpectSameTypeAndQuantization(context, input, output);
        _parameters = ResizeSize.Read(context, input, context.Options.Bool(AlignCornersField), context.Options.Bool(HalfPixelCentersField));
        _type = input.Type;
        _plan = ResizeBilinearPlan.Create(_parameters, fixedPoint: _type == TensorType.Int8);
        _tier = VectorTiers.Best;
        _splitter ??= new WorkSplitter(this);
    }

    public override void Eval(KernelContext context)
    {
        int rows = _parameters.Batches * _parameters.OutputHeight;
        if (_type == TensorType.Int8 && !_plan!.FitsInt32)
        {
            ResizeBilinearReference.ResizeQS8(context.Input(0).AsReadOnlySpan<sbyte>(), context.Output(0).AsSpan<sbyte>(), _parameters);
            return;
        }
        long rowElements = Math.Max(1L, (long)_parameters.OutputWidth * _parameters.Channels);
        _splitter!.Run(context, rows, (int)Math.Max(1, MinimumParallelElements / 2 / rowElements));
    }

    /// <summary>Output rows [firstRow, endRow) (batch · OutputHeight + y).</summary>
    void IRangeWork.Run(KernelContext context, int firstRow, int endRow)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (_type)
        {
            case TensorType.Float32:
                ResizeBilinearMicrokernels.F32(input.AsReadOnlySpan<float>(), output.AsSpan<float>(), _plan!, _tier, firstRow, endRow);
                break;
            case TensorType.UInt8:
                ResizeBilinearMicrokernels.QU8(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), _plan!, _tier, firstRow, endRow);
                break;
            default:
                ResizeBilinearMicrokernels.QS8(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), _plan!, _tier, firstRow, endRow);
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
