using System.Numerics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// ADD: <c>output = activation(a + b)</c> with NumPy broadcasting (rank ≤ 6). float32 and int32 add and clamp;
/// uint8/int8 use XNNPACK's rule (<see cref="XnnpackAddParameters"/>), as TFLite does by default on CPU, or
/// TFLite's reference rule (<see cref="QuantizedAddParameters"/>) for scales XNNPACK declines. Options:
/// AddOptions (fused_activation_function = field 0).
/// </summary>
internal sealed class AddKernel : AddOrSubtractKernel
{
    public AddKernel() : base(subtract: false)
    {
    }

    protected override string Name => "ADD";
}

/// <summary>
/// Shared body of ADD and SUB: they differ only in the sign of the second operand (for 8-bit, the sign of
/// its multiplier). The fused activation is option field 0 of both AddOptions and SubOptions. XNNPACK-rule 8-bit
/// runs use <see cref="XnnpackAddMicrokernels"/> at the vector tier chosen in Prepare; float32 uses the shared
/// <see cref="VectorLoop{TOperator}"/> (memory-bound: a Vector512 loop measured no faster). A flat broadcast (each operand full-size or a single element) of at least
/// <see cref="MinimumParallelElements"/> outputs is split across <see cref="KernelContext.Workers"/>.
/// </summary>
internal abstract class AddOrSubtractKernel(bool subtract) : ActivatedBinaryKernel, IRangeWork
{
    /// <summary>Outputs below which splitting across workers costs more than it saves.</summary>
    public const int MinimumParallelElements = 1 << 16;

    private QuantizedAddParameters _reference;
    private XnnpackAddParameters? _xnnpack;
    private VectorTier _tier;
    private WorkSplitter? _splitter;

    protected override void PrepareQuantized(KernelContext context, QuantizedOperand a, QuantizedOperand b, QuantizedOperand output)
    {
        _xnnpack = XnnpackAddParameters.TryCreate(a, b, output, subtract, IntegerMin, IntegerMax);
        _reference = QuantizedAddParameters.Create(a, b, output, subtract, IntegerMin, IntegerMax);
        if (_xnnpack is null && !_reference.HasMultipliersBelowOne)
        {
            throw context.Unsupported($"output scale {output.Scale} is too small for TFLite's 8-bit {Name} arithmetic.");
        }
    }

    public override void Prepare(KernelContext context)
    {
        base.Prepare(context);
        _tier = VectorTiers.Best;
        _splitter ??= new WorkSplitter(this);
    }

    public override void Eval(KernelContext context) =>
        _splitter!.Run(context, OutputElements, IsFlat ? MinimumParallelElements / 2 : int.MaxValue);

    /// <summary>Output elements [begin, end): any range of a flat broadcast, otherwise all of them.</summary>
    void IRangeWork.Run(KernelContext context, int begin, int end)
    {
        switch (Type)
        {
            case TensorType.Float32 when subtract:
                RunLoop<float, VectorLoop<SubtractOperator>>(context, new(new SubtractOperator(FloatMin, FloatMax)), begin, end);
                break;
            case TensorType.Float32:
                RunLoop<float, VectorLoop<AddOperator>>(context, new(new AddOperator(FloatMin, FloatMax)), begin, end);
                break;
            case TensorType.Int32:
                RunLoop<int, ScalarLoop<int, AddInt32Operator>>(context, new(new AddInt32Operator(subtract, IntegerMin, IntegerMax)), begin, end);
                break;
            case TensorType.UInt8 when _xnnpack is { } xnnpack:
                RunLoop<byte, XnnpackAddLoop<byte>>(context, new(xnnpack, _tier), begin, end);
                break;
            case TensorType.UInt8:
                RunLoop<byte, ScalarLoop<byte, QuantizedAddOperator<byte>>>(context, new(new QuantizedAddOperator<byte>(_reference)), begin, end);
                break;
            case TensorType.Int8 when _xnnpack is { } xnnpack:
                RunLoop<sbyte, XnnpackAddLoop<sbyte>>(context, new(xnnpack, _tier), begin, end);
                break;
            default:
                RunLoop<sbyte, ScalarLoop<sbyte, QuantizedAddOperator<sbyte>>>(context, new(new QuantizedAddOperator<sbyte>(_reference)), begin, end);
                break;
        }
    }
}

/// <summary><c>min(max(x + y, min), max)</c>, the same steps in both forms.</summary>
internal readonly struct AddOperator(float min, float max) : IVectorBinaryOperator
{
    public float Invoke(float x, float y) => Math.Min(Math.Max(x + y, min), max);

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) =>
        Vector.Min(Vector.Max(x + y, new Vector<float>(min)), new Vector<float>(max));
}

/// <summary><c>min(max(x − y, min), max)</c>, the same steps in both forms.</summary>
internal readonly struct SubtractOperator(float min, float max) : IVectorBinaryOperator
{
    public float Invoke(float x, float y) => Math.Min(Math.Max(x - y, min), max);

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) =>
        Vector.Min(Vector.Max(x - y, new Vector<float>(min)), new Vector<float>(max));
}

/// <summary>int32 <c>clamp(x ± y)</c> with wrapping arithmetic, as TFLite's int32 kernels.</summary>
internal readonly struct AddInt32Operator(bool subtract, int min, int max) : IBinaryOperator<int>
{
    public int Invoke(int x, int y) => Math.Clamp(unchecked(subtract ? x - y : x + y), min, max);
}

/// <summary>8-bit ADD/SUB through <see cref="QuantizedAddParameters.Apply"/>.</summary>
internal readonly struct QuantizedAddOperator<T>(QuantizedAddParameters parameters) : IBinaryOperator<T>
    where T : unmanaged, IBinaryInteger<T>
{
    public T Invoke(T x, T y) => T.CreateTruncating(parameters.Apply(int.CreateTruncating(x), int.CreateTruncating(y)));
}
