using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// MEAN: the average over constant axes (input 1, int32 or int64; negative axes count from the end,
/// repeats are ignored); ReducerOptions keep_dims (field 0) keeps reduced dimensions as 1. float32 divides
/// float32 sums by the count; uint8/int8 use TFLite's integer rule (<see cref="QuantizedMeanParameters"/>) on exact
/// sums (int32 while <c>255 · count</c> fits, else int64). Sums are accumulated with <see cref="MeanMicrokernels"/> at
/// the vector tier chosen in Prepare. A reduction over one contiguous block of axes (<see cref="ReductionGeometry.TryGetOuterReducedInner"/>,
/// e.g. height and width) with at least <see cref="MinimumParallelInputs"/> inputs is split by output ranges across
/// <see cref="KernelContext.Workers"/>.
/// </summary>
internal sealed class MeanKernel : OperatorKernel, IRangeWork
{
    /// <summary>Inputs below which splitting across workers costs more than it saves.</summary>
    public const int MinimumParallelInputs = 1 << 16;

    /// <summary>The largest count whose 8-bit sums always fit int32.</summary>
    private const int MaximumInt32SumCount = int.MaxValue / 255;

    private ReductionGeometry? _geometry;
    private TensorType _type;
    private QuantizedMeanParameters _quantized;
    private VectorTier _tier;
    private float[] _floatSums = [];
    private int[] _integerSums = [];
    private long[] _wideSums = [];
    private bool _blocked;
    private int _outer, _reduced, _inner;
    private int _minimumChunk;
    private WorkSplitter? _splitter;

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
        int outputs = geometry.OutputElements;
        switch (_type)
        {
            case TensorType.Float32:
                if (_floatSums.Length != outputs) _floatSums = new float[outputs];
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
                _quantized = QuantizedMeanParameters.Create(QuantizedOperand.Read(context, input, "input"), QuantizedOperand.Read(context, output, "output"),
                    geometry.ReducedCount, _type);
                if (geometry.ReducedCount <= MaximumInt32SumCount)
                {
                    if (_integerSums.Length != outputs) _integerSums = new int[outputs];
                }
                else if (_wideSums.Length != outputs)
                {
                    _wideSums = new long[outputs];
                }
                break;
            default:
                throw context.Unsupported("MEAN supports float32, uint8 and int8.");
        }
        _blocked = geometry.TryGetOuterReducedInner(out _outer, out _reduced, out _inner);
        _minimumChunk = Math.Max(1, MinimumParallelInputs / 2 / Math.Max(1, _reduced));
        _tier = VectorTiers.Best;
        _splitter ??= new WorkSplitter(this);
        context.SetOutputShape(0, geometry.OutputShape);
    }

    public override void Eval(KernelContext context)
    {
        var geometry = _geometry ?? throw new InvalidOperationException("MEAN was not prepared.");
        _splitter!.Run(context, geometry.OutputElements, _blocked ? _minimumChunk : int.MaxValue);
    }

    /// <summary>Computes outputs [begin, end): any range when blocked, otherwise only all of them.</summary>
    void IRangeWork.Run(KernelContext context, int begin, int end)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (_type)
        {
            case TensorType.Float32:
                Accumulate(input.AsReadOnlySpan<float>(), _floatSums, new FloatMeanLoop(_tier), begin, end);
                if (_geometry!.ReducedCount == 0) output.AsSpan<float>()[begin..end].Clear();
                else MeanMicrokernels.DivideF32(_floatSums.AsSpan(begin..end), _geometry.ReducedCount, output.AsSpan<float>()[begin..end], _tier);
                break;
            case TensorType.UInt8:
                RunQuantized(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), begin, end);
                break;
            default:
                RunQuantized(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), begin, end);
                break;
        }
    }

    private void RunQuantized<T>(ReadOnlySpan<T> input, Span<T> output, int begin, int end)
        where T : unmanaged, IBinaryInteger<T>
    {
        bool empty = _geometry!.ReducedCount == 0;
        if (_wideSums.Length == 0)
        {
            Accumulate(input, _integerSums, new EightBitMeanLoop<T>(_tier), begin, end);
            for (int i = begin; i < end; i++) output[i] = T.CreateTruncating(empty ? 0 : _quantized.Apply(_integerSums[i]));
        }
        else
        {
            Accumulate(input, _wideSums, default(WideEightBitMeanLoop<T>), begin, end);
            for (int i = begin; i < end; i++) output[i] = T.CreateTruncating(empty ? 0 : _quantized.Apply(_wideSums[i]));
        }
    }

    /// <summary>
    /// Sets <c>sums[begin..end)</c> to the sums of their inputs. Blocked: output <c>o · Inner + i</c> adds input rows
    /// <c>(o · Reduced + r) · Inner</c> for r in order (or sums one contiguous run when Inner is 1). Otherwise the whole
    /// reduction runs through <see cref="ReductionGeometry.Accumulate{TInput, TSum, TLoop}"/>.
    /// </summary>
    private void Accumulate<TInput, TSum, TLoop>(ReadOnlySpan<TInput> input, Span<TSum> sums, TLoop loop, int begin, int end)
        where TSum : struct
        where TLoop : struct, IReductionLoop<TInput, TSum>
    {
        sums[begin..end].Clear();
        if (!_blocked)
        {
            _geometry!.Accumulate(input, sums, loop);
            return;
        }
        for (int o = begin / _inner; o < _outer && o * _inner < end; o++)
        {
            int first = Math.Max(begin - (o * _inner), 0), last = Math.Min(end - (o * _inner), _inner);
            var destination = sums.Slice((o * _inner) + first, last - first);
            int rows = o * _reduced * _inner;
            if (_inner == 1)
            {
                destination[0] = loop.SumRun(input.Slice(rows, _reduced), destination[0]);
                continue;
            }
            for (int r = 0; r < _reduced; r++) loop.AddRun(input.Slice(rows + (r * _inner) + first, last - first), destination);
        }
    }
}
