namespace DeepLite.Runtime.Kernels;

/// <summary>
/// SOFTMAX over the last dimension (any rank ≥ 1). Options: SoftmaxOptions beta (field 0, float, default 0
/// as stored; models always store it). float32 exponentiates <c>(x − max) · beta</c> and normalizes; uint8/int8
/// follow TFLite's builtin kernel (a 256-entry float exponent table built here in Prepare, see
/// <see cref="SoftmaxReference.Quantized{T}"/>). As TFLite requires, 8-bit outputs have scale 1/256 and
/// zero point 0 (uint8) or −128 (int8). Rows run through <see cref="SoftmaxMicrokernels"/> at the vector tier chosen
/// in Prepare (8-bit bit-exact with the reference; float32 within float rounding), split across
/// <see cref="KernelContext.Workers"/> when the tensor has at least <see cref="MinimumParallelElements"/> elements.
/// </summary>
internal sealed class SoftmaxKernel : OperatorKernel, IRangeWork
{
    /// <summary>Elements below which splitting rows across workers costs more than it saves.</summary>
    public const int MinimumParallelElements = 1 << 16;

    private TensorType _type;
    private int _depth;
    private float _beta;
    private float[] _table = [];
    private float _outputScale;
    private int _outputZeroPoint;
    private int _rows;
    private VectorTier _tier;
    private WorkSplitter? _splitter;

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type != output.Type)
        {
            throw context.Unsupported($"SOFTMAX from {input.Type.Name()} to {output.Type.Name()} is not implemented; input and output types must match.");
        }
        if (input.Rank < 1) throw context.Invalid("SOFTMAX needs an input of rank 1 or more.");
        _type = input.Type;
        _depth = input.Dim(-1);
        _beta = context.Options.Float(0);
        if (!float.IsFinite(_beta)) throw context.Invalid($"SOFTMAX beta {_beta} is not finite.");
        switch (_type)
        {
            case TensorType.Float32:
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
                var inputQuantization = QuantizedOperand.Read(context, input, "input");
                var outputQuantization = QuantizedOperand.Read(context, output, "output");
                int expectedZeroPoint = _type == TensorType.UInt8 ? 0 : -128;
                if (Math.Abs(outputQuantization.Scale - (1f / 256)) > 0.001f / 256 || outputQuantization.ZeroPoint != expectedZeroPoint)
                {
                    throw context.Invalid($"SOFTMAX {_type.Name()} output must have scale 1/256 and zero point {expectedZeroPoint}, not {outputQuantization.Scale} and {outputQuantization.ZeroPoint}.");
                }
                _table = SoftmaxReference.ExpTable(inputQuantization.Scale, _beta);
                _outputScale = outputQuantization.Scale;
                _outputZeroPoint = outputQuantization.ZeroPoint;
                break;
            default:
                throw context.Unsupported("SOFTMAX supports float32, uint8 and int8.");
        }
        _rows = _depth == 0 ? 0 : (int)(input.ElementCount / _depth);
        _tier = VectorTiers.Best;
        _splitter ??= new WorkSplitter(this);
        context.SetOutputShape(0, input.Shape);
    }

    public override void Eval(KernelContext context)
    {
        if (_rows > 0) _splitter!.Run(context, _rows, Math.Max(1, MinimumParallelElements / 2 / _depth));
    }

    /// <summary>Rows [firstRow, endRow).</summary>
    void IRangeWork.Run(KernelContext context, int firstRow, int endRow)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (_type)
        {
            case TensorType.Float32:
                var x = input.AsReadOnlySpan<float>();
                var y = output.AsSpan<float>();
                for (int row = firstRow; row < endRow; row++)
                {
                    SoftmaxMicrokernels.F32(x.Slice(row * _depth, _depth), y.Slice(row * _depth, _depth), _beta, _tier);
                }
                break;
            case TensorType.UInt8:
                RunQuantized(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), firstRow, endRow);
                break;
            default:
                RunQuantized(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), firstRow, endRow);
                break;
        }
    }

    private void RunQuantized<T>(ReadOnlySpan<T> x, Span<T> y, int firstRow, int endRow)
        where T : unmanaged
    {
        for (int row = firstRow; row < endRow; row++)
        {
            SoftmaxMicrokernels.Q8(x.Slice(row * _depth, _depth), y.Slice(row * _depth, _depth), _table, _outputScale, _outputZeroPoint, _tier);
        }
    }
}
