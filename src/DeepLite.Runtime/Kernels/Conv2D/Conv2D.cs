namespace DeepLite.Runtime.Kernels;

/// <summary>
/// CONV_2D: inputs (input <c>[N, H, W, Cin]</c>, filter <c>[Cout, KH, KW, Cin / groups]</c>, optional bias <c>[Cout]</c>),
/// output <c>[N, OH, OW, Cout]</c>. Options: padding, strides, fused activation, dilations.
/// Types: float32; uint8 with per-tensor weights; int8 with per-channel (dimension 0) weights.
/// Grouped convolution is supported when the filter depth divides the input depth.
/// Quantized outputs are requantized with <see cref="ConvolutionQuantization.KernelRule"/> (XNNPACK's float rule).
/// See <see cref="Conv2DReference"/> for the arithmetic; ungrouped convolutions run the bit-exact (quantized) or
/// rounding-close (float) GEMM of <see cref="Conv2DOptimized"/> unless the kernel is built for the reference.
/// </summary>
internal sealed class Conv2DKernel : OperatorKernel, IFusesInputPadding
{
    private const int PaddingField = 0;
    private const int StrideWidthField = 1;
    private const int StrideHeightField = 2;
    private const int ActivationField = 3;
    private const int DilationWidthField = 4;
    private const int DilationHeightField = 5;

    private readonly Conv2DPath _path;
    private ConvolutionGeometry _geometry;
    private FusedInputPadding _fusedPadding;
    private ConvolutionOutput _output;
    private Conv2DOptimized? _optimized;

    public Conv2DKernel()
        : this(Conv2DPath.Best)
    {
    }

    /// <summary>A kernel limited to <paramref name="path"/> (tests compare the optimized rungs with the reference).</summary>
    internal Conv2DKernel(Conv2DPath path)
    {
        _path = path;
    }

    /// <inheritdoc/>
    /// <remarks>The padding joins the geometry's <c>PadTop</c>/<c>PadLeft</c> (and, through the output size, the
    /// bottom and right): taps there contribute nothing, exactly as the zeros a PAD would have written.</remarks>
    public void FuseInputPadding(FusedInputPadding padding) => _fusedPadding = padding;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 3, 1);
        var input = context.Input(0);
        var filter = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);
        KernelHelpers.ExpectRank(context, input, 4, "input");
        KernelHelpers.ExpectRank(context, filter, 4, "filter");
        ConvolutionQuantization.CheckSizes(context, input, filter, bias);

        int batches = input.Dim(0), inputHeight = input.Dim(1), inputWidth = input.Dim(2), inputChannels = input.Dim(3);
        int outputChannels = filter.Dim(0), filterHeight = filter.Dim(1), filterWidth = filter.Dim(2), filterChannels = filter.Dim(3);
        if (batches <= 0 || inputChannels <= 0 || outputChannels <= 0 || filterChannels <= 0)
        {
            throw context.Invalid($"input [{string.Join(",", input.ShapeArray)}] and filter [{string.Join(",", filter.ShapeArray)}] must have positive dimensions.");
        }
        if (inputChannels % filterChannels != 0)
        {
            throw context.Invalid($"filter depth {filterChannels} does not divide the {inputChannels} input channels.");
        }
        int groups = inputChannels / filterChannels;
        if (outputChannels % groups != 0)
        {
            throw context.Invalid($"{outputChannels} output channels cannot be split into {groups} groups.");
        }
        if (bias is not null && bias.ElementCount != outputChannels)
        {
            throw context.Invalid($"bias '{bias.Name}' has {bias.ElementCount} values for {outputChannels} output channels.");
        }

        var padding = KernelHelpers.ReadPadding(context, PaddingField);
        int strideWidth = context.Options.Int(StrideWidthField);
        int strideHeight = context.Options.Int(StrideHeightField);
        var activation = KernelHelpers.ReadActivation(context, ActivationField);
        int dilationWidth = context.Options.Int(DilationWidthField, 1);
        int dilationHeight = context.Options.Int(DilationHeightField, 1);
        var (outputHeight, padTop) = KernelHelpers.ComputeOutputAndPadding(context, padding, inputHeight, _fusedPadding.Top, _fusedPadding.Bottom, filterHeight, strideHeight, dilationHeight, "height");
        var (outputWidth, padLeft) = KernelHelpers.ComputeOutputAndPadding(context, padding, inputWidth, _fusedPadding.Left, _fusedPadding.Right, filterWidth, strideWidth, dilationWidth, "width");

        _geometry = new ConvolutionGeometry(batches, inputHeight, inputWidth, inputChannels, filterHeight, filterWidth, filterChannels,
            outputHeight, outputWidth, outputChannels, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft);
        context.SetOutputShape(0, [batches, outputHeight, outputWidth, outputChannels]);

        _output = ConvolutionQuantization.PrepareOutput(context, input, filter, bias, output, outputChannels, channelDimension: 0, activation);
        _optimized = Conv2DOptimized.TryCreate(context, _geometry, _output, filter, bias, _path);
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var filter = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);
        if (_optimized is not null)
        {
            _optimized.Eval(context, input, filter, bias, output);
            return;
        }
        switch (_output.DataType)
        {
            case ConvolutionDataType.F32:
                Conv2DReference.F32(_geometry, input.AsReadOnlySpan<float>(), filter.AsReadOnlySpan<float>(),
                    bias is null ? default : bias.AsReadOnlySpan<float>(), output.AsSpan<float>(), _output.ActivationMin, _output.ActivationMax);
                break;
            case ConvolutionDataType.QU8:
                Conv2DReference.Quantized(_geometry, _output.Quantization, input.AsReadOnlySpan<byte>(), filter.AsReadOnlySpan<byte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<byte>());
                break;
            default:
                Conv2DReference.Quantized(_geometry, _output.Quantization, input.AsReadOnlySpan<sbyte>(), filter.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<sbyte>());
                break;
        }
    }
}
