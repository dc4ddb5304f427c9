namespace DeepLite.Runtime.Kernels;

/// <summary>
/// FULLY_CONNECTED: inputs (input <c>[..., K]</c> read as <c>[batch, K]</c> with batch = elements / K, weights
/// <c>[units, K]</c>, optional bias <c>[units]</c>); output <c>[batch, units]</c>, or the input shape with its last
/// dimension replaced by units when keep_num_dims is set. Only the DEFAULT weights format is supported.
/// Types: float32; uint8 with per-tensor weights; int8 with per-tensor or per-unit (dimension 0) weights.
/// Quantized outputs are requantized with <see cref="ConvolutionQuantization.KernelRule"/> (XNNPACK's float rule).
/// See <see cref="FullyConnectedReference"/> for the arithmetic; Eval runs <see cref="FullyConnectedOptimized"/>
/// (bit-exact for quantized types).
/// </summary>
internal sealed class FullyConnectedKernel : OperatorKernel
{
    private const int ActivationField = 0;
    private const int WeightsFormatField = 1;
    private const int KeepNumDimsField = 2;

    private readonly bool _useReference;
    private readonly int _maxVectorBits;
    private readonly bool _useVnni;
    private readonly bool _portableOnly;
    private FullyConnectedShape _shape;
    private ConvolutionOutput _output;
    private FullyConnectedOptimized? _optimized;

    public FullyConnectedKernel()
        : this(useReference: false)
    {
    }

    /// <summary>
    /// A kernel that always runs the reference (<paramref name="useReference"/>), or the optimized kernel with vectors at
    /// most <paramref name="maxVectorBits"/> wide (512, 256, 128, or 0 for its scalar loops), AVX-VNNI only when
    /// <paramref name="useVnni"/>, and with <paramref name="portableOnly"/> without x86-specific quantized forms (the
    /// Arm64 path); tests compare them.
    /// </summary>
    internal FullyConnectedKernel(bool useReference, int maxVectorBits = 512, bool useVnni = true, bool portableOnly = false)
    {
        _useReference = useReference;
        _maxVectorBits = maxVectorBits;
        _useVnni = useVnni;
        _portableOnly = portableOnly;
    }

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 3, 1);
        var input = context.Input(0);
        var weights = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);
        KernelHelpers.ExpectRank(context, weights, 2, "weights");
        ConvolutionQuantization.CheckSizes(context, input, weights, bias);

        var activation = KernelHelpers.ReadActivation(context, ActivationField);
        int weightsFormat = context.Options.Byte(WeightsFormatField);
        if (weightsFormat != 0) throw context.Unsupported($"weights format {weightsFormat} is not supported (only DEFAULT).");
        bool keepNumDims = context.Options.Bool(KeepNumDimsField);

        int units = weights.Dim(0), depth = weights.Dim(1);
        if (units <= 0 || depth <= 0)
        {
            throw context.Invalid($"weights '{weights.Name}' shape [{string.Join(",", weights.ShapeArray)}] must have positive dimensions.");
        }
        long inputElements = input.ElementCount;
        if (inputElements % depth != 0)
        {
            throw context.Invalid($"input '{input.Name}' shape [{string.Join(",", input.ShapeArray)}] cannot be read as rows of {depth} values.");
        }
        int batches = (int)(inputElements / depth);
        if (bias is not null && bias.ElementCount != units)
        {
            throw context.Invalid($"bias '{bias.Name}' has {bias.ElementCount} values for {units} units.");
        }

        if (keepNumDims)
        {
            if (input.Rank == 0 || input.Dim(-1) != depth)
            {
                throw context.Invalid($"with keep_num_dims the input's last dimension must equal the weights' depth {depth}; input is [{string.Join(",", input.ShapeArray)}].");
            }
            int[] shape = input.Shape.ToArray();
            shape[^1] = units;
            context.SetOutputShape(0, shape);
        }
        else
        {
            context.SetOutputShape(0, [batches, units]);
        }
        _shape = new FullyConnectedShape(batches, depth, units);

        _output = ConvolutionQuantization.PrepareOutput(context, input, weights, bias, output, units, channelDimension: 0, activation);
        _optimized = !_useReference && FullyConnectedOptimized.Supports(_output)
            ? new FullyConnectedOptimized(_shape, _output, weights, bias, _maxVectorBits, _useVnni, _portableOnly)
            : null;
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var weights = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);
        if (_optimized is not null)
        {
            _optimized.Eval(input, weights, bias, output, context.Workers);
            return;
        }
        switch (_output.DataType)
        {
            case ConvolutionDataType.F32:
                FullyConnectedReference.F32(_shape, input.AsReadOnlySpan<float>(), weights.AsReadOnlySpan<float>(),
                    bias is null ? default : bias.AsReadOnlySpan<float>(), output.AsSpan<float>(), _output.ActivationMin, _output.ActivationMax);
                break;
            case ConvolutionDataType.QU8:
                FullyConnectedReference.Quantized(_shape, _output.Quantization, input.AsReadOnlySpan<byte>(), weights.AsReadOnlySpan<byte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<byte>());
                break;
            default:
                FullyConnectedReference.Quantized(_shape, _output.Quantization, input.AsReadOnlySpan<sbyte>(), weights.AsReadOnlySpan<sbyte>(),
                    bias is null ? default : bias.AsReadOnlySpan<int>(), output.AsSpan<sbyte>());
                break;
        }
    }
}
