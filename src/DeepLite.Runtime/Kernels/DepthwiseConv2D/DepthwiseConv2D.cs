namespace DeepLite.Runtime.Kernels;

/// <summary>
/// DEPTHWISE_CONV_2D: inputs (input <c>[N, H, W, Cin]</c>, filter <c>[1, KH, KW, Cout]</c>, optional bias <c>[Cout]</c>),
/// output <c>[N, OH, OW, Cout]</c> with Cout = Cin · multiplier. The multiplier is derived from the shapes; the
/// depth_multiplier option is redundant and ignored. Options: padding, strides, fused activation, dilations.
/// Types: float32; uint8 with per-tensor weights; int8 with per-channel (dimension 3) weights.
/// Quantized outputs are requantized with <see cref="ConvolutionQuantization.KernelRule"/> (XNNPACK's float rule).
/// See <see cref="DepthwiseConv2DReference"/> for the arithmetic; multiplier 1 runs <see cref="DepthwiseConv2DOptimized"/>
/// (bit-exact for quantized types), other multipliers the reference.
/// </summary>
internal sealed class DepthwiseConv2DKernel : OperatorKernel, IFusesInputPadding
{
    private const int PaddingField = 0;
    private const int StrideWidthField = 1;
    private const int StrideHeightField = 2;
    private const int ActivationField = 4;
    private const int DilationWidthField = 5;
    private const int DilationHeightField = 6;

    private readonly bool _useReference;
    private readonly int _maxVectorBits;
    private readonly bool _portableOnly;
    private ConvolutionGeometry _geometry;
    private FusedInputPadding _fusedPadding;
    private ConvolutionOutput _output;
    private DepthwiseConv2DOptimized? _optimized;

    public DepthwiseConv2DKernel()
        : this(useReference: false)
    {
    }

    /// <summary>
    /// A kernel that always runs the reference (<paramref name="useReference"/>), or the optimized kernel with vectors at
    /// most <paramref name="maxVectorBits"/> wide (512, 256, 128, or 0 for its scalar loop) and, with
    /// <paramref name="portableOnly"/>, without x86-specific quantized forms (the Arm64 path); tests compare them.
    /// </summary>
    internal DepthwiseConv2DKernel(bool useReference, int maxVectorBits = 512, bool portableOnly = false)
    {
        _useReference = useReference;
        _maxVectorBits = maxVectorBits;
        _portableOnly = portableOnly;
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
        int filterHeight = filter.Dim(1), filterWidth = filter.Dim(2), outputChannels = filter.Dim(3);
        if (filter.Dim(0) != 1)
        {
            throw context.Invalid($"filter '{filter.Name}' shape [{string.Join(",", filter.ShapeArray)}] must start with 1.");
        }
        if (batches <= 0 || inputChannels <= 0 || outputChannels <= 0)
        {
            throw context.Invalid($"input [{string.Join(",", input.ShapeArray)}] and filter [{string.Join(",", filter.ShapeArray)}] must have positive dimensions.");
        }
        if (outputChannels % inputChannels != 0)
        {
            throw context.Invalid($"filter's {outputChannels} output channels are not a multiple of the {inputChannels} input channels.");
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

        _geometry = new ConvolutionGeometry(batches, inputHeight, inputWidth, inputChannels, filterHeight, filterWidth, FilterChannels: 1,
            outputHeight, outputWidth, outputChannels, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft);
        context.SetOutputShape(0, [batches, outputHeight, outputWidth, outputChannels]);

        _output = ConvolutionQuantization.PrepareOutput(context, input, filter, bias, output, outputChannels, channelDimension: 3, activation);
        _optimized = !_useReference && DepthwiseConv2DOptimized.Supports(_geometry, _output)
            ? new DepthwiseConv2DOptimized(_geometry, _output, filter, bias, _maxVectorBits, _portableOnly)
            : null;
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var filter = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);
        if (_optimized is not null)
        {
            _optimized.Eval(input, filter, bias, output, context.Workers);
            return;
        }
        switch (_output.DataType)
        {
            case ConvolutionDataType.F32:
                DepthwiseConv2DReference.F32(_geometry, input.AsReadOnlySpan<float>(), filter.AsReadOnlySpan<float>(),
                    bias is null ? default : bias.AsReadOnlySpan<float>(), output.AsSpan<float>(), _output.ActivationMin, _output.ActivationMax);
                break;
            case ConvolutionDataType.QU8:
                DepthwiseConv2DReference.Quantized(_geometry, _output.Quantization, input.AsReadOnlySpan<byte>(), filter.AsReadOnlySpan<byte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<byte>());
                break;
            default:
                DepthwiseConv2DReference.Quantized(_geometry, _output.Quantization, input.AsReadOnlySpan<sbyte>(), filter.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<sbyte>());
                break;
        }
    }
}
