namespace DeepLite.Runtime.Kernels;

/// <summary>
/// TRANSPOSE_CONV: inputs (output_shape: constant int32[4], weights <c>[Cout, KH, KW, Cin]</c>, input
/// <c>[N, H, W, Cin]</c>, optional bias <c>[Cout]</c>); output of shape output_shape = <c>[N, OH, OW, Cout]</c>.
/// Padding is TFLite's: the leading padding of a forward convolution from the output size with this filter
/// and stride. Options: padding, strides, fused activation (default NONE).
/// Types: float32; uint8 with per-tensor weights; int8 with per-channel (dimension 0) weights.
/// Quantized outputs are requantized with <see cref="ConvolutionQuantization.KernelRule"/> (XNNPACK's float rule).
/// See <see cref="TransposeConvReference"/> for the arithmetic.
/// </summary>
internal sealed class TransposeConvKernel : OperatorKernel
{
    private const int PaddingField = 0;
    private const int StrideWidthField = 1;
    private const int StrideHeightField = 2;
    private const int ActivationField = 3;

    private ConvolutionGeometry _geometry;
    private ConvolutionOutput _output;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(3, 4, 1);
        var weights = context.Input(1);
        var input = context.Input(2);
        var bias = context.OptionalInput(3);
        var output = context.Output(0);
        KernelHelpers.ExpectRank(context, weights, 4, "weights");
        KernelHelpers.ExpectRank(context, input, 4, "input");
        ConvolutionQuantization.CheckSizes(context, input, weights, bias);
        int[] outputShape = context.ConstantInts(0);
        if (outputShape.Length != 4)
        {
            throw context.Invalid($"output_shape must hold 4 values but holds [{string.Join(",", outputShape)}].");
        }

        int batches = input.Dim(0), inputHeight = input.Dim(1), inputWidth = input.Dim(2), inputChannels = input.Dim(3);
        int outputChannels = weights.Dim(0), filterHeight = weights.Dim(1), filterWidth = weights.Dim(2);
        if (batches <= 0 || inputHeight <= 0 || inputWidth <= 0 || inputChannels <= 0 || outputChannels <= 0)
        {
            throw context.Invalid($"input [{string.Join(",", input.ShapeArray)}] and weights [{string.Join(",", weights.ShapeArray)}] must have positive dimensions.");
        }
        if (weights.Dim(3) != inputChannels)
        {
            throw context.Invalid($"weights depth {weights.Dim(3)} differs from the {inputChannels} input channels.");
        }
        if (outputShape[0] != batches || outputShape[3] != outputChannels || outputShape[1] <= 0 || outputShape[2] <= 0)
        {
            throw context.Invalid($"output_shape [{string.Join(",", outputShape)}] does not fit {batches} batches and {outputChannels} output channels.");
        }
        if (bias is not null && bias.ElementCount != outputChannels)
        {
            throw context.Invalid($"bias '{bias.Name}' has {bias.ElementCount} values for {outputChannels} output channels.");
        }

        var padding = KernelHelpers.ReadPadding(context, PaddingField);
        int strideWidth = context.Options.Int(StrideWidthField);
        int strideHeight = context.Options.Int(StrideHeightField);
        var activation = KernelHelpers.ReadActivation(context, ActivationField);
        var (_, padTop) = KernelHelpers.ComputeOutputAndPadding(context, padding, outputShape[1], filterHeight, strideHeight, 1, "height");
        var (_, padLeft) = KernelHelpers.ComputeOutputAndPadding(context, padding, outputShape[2], filterWidth, strideWidth, 1, "width");

        context.SetOutputShape(0, outputShape);
        _geometry = new ConvolutionGeometry(batches, inputHeight, inputWidth, inputChannels, filterHeight, filterWidth, inputChannels,
            outputShape[1], outputShape[2], outputChannels, strideHeight, strideWidth, DilationHeight: 1, DilationWidth: 1, padTop, padLeft);

        _output = ConvolutionQuantization.PrepareOutput(context, input, weights, bias, output, outputChannels, channelDimension: 0, activation);
    }

    public override void Eval(KernelContext context)
    {
        var weights = context.Input(1);
        var input = context.Input(2);
        var bias = context.OptionalInput(3);
        var output = context.Output(0);
        switch (_output.DataType)
        {
            case ConvolutionDataType.F32:
                TransposeConvReference.F32(_geometry, input.AsReadOnlySpan<float>(), weights.AsReadOnlySpan<float>(),
                    bias is null ? default : bias.AsReadOnlySpan<float>(), output.AsSpan<float>(), _output.ActivationMin, _output.ActivationMax);
                break;
            case ConvolutionDataType.QU8:
                TransposeConvReference.Quantized(_geometry, _output.Quantization, input.AsReadOnlySpan<byte>(), weights.AsReadOnlySpan<byte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<byte>());
                break;
            default:
                TransposeConvReference.Quantized(_geometry, _output.Quantization, input.AsReadOnlySpan<sbyte>(), weights.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<sbyte>());
                break;
        }
    }
}
