using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Prepare and Eval plumbing shared by the broadcasting binary operators (ADD, SUB, MUL, SQUARED_DIFFERENCE,
/// POW, PRELU): two inputs and one output, all of one type, output shape = broadcast of the input shapes (rank ≤ 6).
/// Derived kernels validate their types and options and precompute parameters in <see cref="PrepareTypes"/>.
/// </summary>
internal abstract class BinaryKernel : OperatorKernel
{
    private BroadcastPlan? _plan;

    /// <summary>Operator name used in messages.</summary>
    protected abstract string Name { get; }

    /// <summary>The element type of the inputs and output, fixed at Prepare.</summary>
    protected TensorType Type { get; private set; }

    public override void Prepare(KernelContext context)
    {
        context.ExpectCounts(2, 2, 1);
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        if (a.Type != b.Type || output.Type != a.Type)
        {
            throw context.Invalid($"{Name} needs inputs and output of one type, not {a.Type.Name()}, {b.Type.Name()} -> {output.Type.Name()}.");
        }
        Type = a.Type;
        _plan = BroadcastPlan.Create(context, a, b);
        PrepareTypes(context, a, b, output);
        context.SetOutputShape(0, _plan.OutputShape);
    }

    /// <summary>Validates the type and options and precomputes parameters; throws Unsupported for types without a kernel.</summary>
    protected abstract void PrepareTypes(KernelContext context, Tensor a, Tensor b, Tensor output);

    /// <summary>Runs a scalar operator over the broadcast.</summary>
    protected void Run<T, TOperator>(KernelContext context, TOperator op)
        where T : unmanaged
        where TOperator : struct, IBinaryOperator<T>
    {
        Plan.Run(context.Input(0).AsReadOnlySpan<T>(), context.Input(1).AsReadOnlySpan<T>(), context.Output(0).AsSpan<T>(),
            new ScalarLoop<T, TOperator>(op));
    }

    /// <summary>Runs a float32 operator over the broadcast with its SIMD form.</summary>
    protected void RunVectorized<TOperator>(KernelContext context, TOperator op)
        where TOperator : struct, IVectorBinaryOperator
    {
        Plan.Run(context.Input(0).AsReadOnlySpan<float>(), context.Input(1).AsReadOnlySpan<float>(), context.Output(0).AsSpan<float>(),
            new VectorLoop<TOperator>(op));
    }

    /// <summary>
    /// Runs <paramref name="loop"/> over output elements [<paramref name="begin"/>, <paramref name="end"/>): the whole
    /// broadcast, or any sub-range when the plan <see cref="IsFlat"/> (what splitting across workers needs).
    /// </summary>
    protected void RunLoop<T, TLoop>(KernelContext context, TLoop loop, int begin, int end)
        where T : unmanaged
        where TLoop : struct, IBroadcastLoop<T>
    {
        var a = context.Input(0).AsReadOnlySpan<T>();
        var b = context.Input(1).AsReadOnlySpan<T>();
        var output = context.Output(0).AsSpan<T>();
        if (begin == 0 && end == Plan.OutputElements)
        {
            Plan.Run(a, b, output, loop);
            return;
        }
        if (!IsFlat) throw new InvalidOperationException($"{Name}: only a flat broadcast can run part of its output.");
        loop.Run(a.Length == 1 ? a : a[begin..end], b.Length == 1 ? b : b[begin..end], output[begin..end]);
    }

    /// <summary>True when each operand holds either one element or as many as the output (then in the output's order).</summary>
    protected bool IsFlat =>
        (Plan.ElementsA == 1 || Plan.ElementsA == Plan.OutputElements) && (Plan.ElementsB == 1 || Plan.ElementsB == Plan.OutputElements);

    /// <summary>Elements of the broadcast output.</summary>
    protected int OutputElements => Plan.OutputElements;

    private BroadcastPlan Plan => _plan ?? throw new InvalidOperationException($"{Name} was not prepared.");

    /// <summary>The broadcast output shape (available from <see cref="PrepareTypes"/> on).</summary>
    protected ReadOnlySpan<int> BroadcastShape => Plan.OutputShape;
}

/// <summary>
/// Base of ADD, SUB and MUL: broadcasting binary kernels with a fused activation (option field 0 of AddOptions,
/// SubOptions and MulOptions) over float32, int32, uint8 and int8. Prepare turns the activation into a clamp for
/// the element type (float bounds; int32 bounds; or stored-value bounds from the output quantization) and hands
/// the three operands' quantization to <see cref="PrepareQuantized"/> for 8-bit types.
/// </summary>
internal abstract class ActivatedBinaryKernel : BinaryKernel
{
    protected float FloatMin { get; private set; }
    protected float FloatMax { get; private set; }

    /// <summary>Lowest int32 or stored 8-bit output value the activation allows.</summary>
    protected int IntegerMin { get; private set; }

    /// <summary>Highest int32 or stored 8-bit output value the activation allows.</summary>
    protected int IntegerMax { get; private set; }

    protected sealed override void PrepareTypes(KernelContext context, Tensor a, Tensor b, Tensor output)
    {
        var activation = KernelHelpers.ReadActivation(context, 0);
        switch (Type)
        {
            case TensorType.Float32:
                (FloatMin, FloatMax) = QuantizedRange.ForActivation(activation);
                break;
            case TensorType.Int32:
                var (min, max) = QuantizedRange.ForActivation(activation);
                IntegerMin = float.IsNegativeInfinity(min) ? int.MinValue : (int)min;
                IntegerMax = float.IsPositiveInfinity(max) ? int.MaxValue : (int)max;
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
                var outputQuantization = QuantizedOperand.Read(context, output, "output");
                (IntegerMin, IntegerMax) = QuantizedRange.ForActivation(activation, Type, outputQuantization.Scale, outputQuantization.ZeroPoint);
                PrepareQuantized(context, QuantizedOperand.Read(context, a, "input 0"), QuantizedOperand.Read(context, b, "input 1"), outputQuantization);
                break;
            default:
                throw context.Unsupported($"{Name} supports float32, int32, uint8 and int8.");
        }
    }

    /// <summary>Precomputes the 8-bit arithmetic; the activation clamp is already in <see cref="IntegerMin"/> and <see cref="IntegerMax"/>.</summary>
    protected abstract void PrepareQuantized(KernelContext context, QuantizedOperand a, QuantizedOperand b, QuantizedOperand output);
}
