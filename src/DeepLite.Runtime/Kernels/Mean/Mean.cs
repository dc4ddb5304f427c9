using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// MEAN: the average over constant axes (input 1, int32 or int64; negative axes count from the end,
/// repeats are ignored); ReducerOptions keep_dims (field 0) keeps reduced dimensions as 1. float32 divides
/// float32 sums by the count; uint8/int8 use TFLite's integer rule (<see cref="QuantizedMeanParameters"/>).
/// </summary>
internal sealed class MeanKernel : OperatorKernel
{
    private ReductionGeometry? _geometry;
    private TensorType _type;
    private QuantizedMeanParameters _quantized;
    private float[] _floatSums = [];
    private long[] _integerSums = [];

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 2, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type != output.Type)
        {
            throw context.Invalid($"MEAN input is {input.Type.Name()} but output is {output.Type.Name()}; they must match.");
        }
        // An empty axes operand has no stored bytes, so it cannot be read as a constant: it reduces nothing.
        int[] axes = context.ConstantInts(1);
        bool keepDims = context.Options.Bool(0);
        var geometry = ReductionGeometry.TryCreate(input.Shape, axes, keepDims, out string? error) ?? throw context.Invalid(error!);
        _geometry = geometry;
        _type = input.Type;
        switch (_type)
        {
            case TensorType.Float32:
                if (_floatSums.Length != geometry.OutputElements) _floatSums = new float[geometry.OutputElements];
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
                _quantized = QuantizedMeanParameters.Create(QuantizedOperand.Read(context, input, "input"), QuantizedOperand.Read(context, output, "output"),
                    geometry.ReducedCount, _type);
                if (_integerSums.Length != geometry.OutputElements) _integerSums = new long[geometry.OutputElements];
                break;
            default:
                throw context.Unsupported("MEAN supports float32, uint8 and int8.");
        }
        context.SetOutputShape(0, geometry.OutputShape);
    }

    public override void Eval(KernelContext context)
    {
        var geometry = _geometry ?? throw new InvalidOperationException("MEAN was not prepared.");
        var input = context.Input(0);
        var output = context.Output(0);
        int count = geometry.ReducedCount;
        switch (_type)
        {
            case TensorType.Float32:
            {
                _floatSums.AsSpan().Clear();
                geometry.Accumulate(input.AsReadOnlySpan<float>(), _floatSums.AsSpan(), default(FloatWiden));
                var destination = output.AsSpan<float>();
                for (int i = 0; i < destination.Length; i++) destination[i] = count > 0 ? _floatSums[i] / count : 0f;
                break;
            }
            case TensorType.UInt8:
                EvalQuantized(geometry, input.AsReadOnlySpan<byte>(), output.AsSpan<byte>());
                break;
            default:
                EvalQuantized(geometry, input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
                break;
        }
    }

    private void EvalQuantized<T>(ReductionGeometry geometry, ReadOnlySpan<T> input, Span<T> output)
        where T : unmanaged, IBinaryInteger<T>
    {
        _integerSums.AsSpan().Clear();
        geometry.Accumulate(input, _integerSums.AsSpan(), default(IntegerWiden<T>));
        bool empty = geometry.ReducedCount == 0;
        for (int i = 0; i < output.Length; i++) output[i] = T.CreateTruncating(empty ? 0 : _quantized.Apply(_integerSums[i]));
    }
}
