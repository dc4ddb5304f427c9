using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Prepare and Eval shared by AVERAGE_POOL_2D and MAX_POOL_2D over NHWC tensors (float32, uint8, int8):
/// Pool2DOptions are read into a <see cref="Pool2DGeometry"/>, the fused activation becomes a float or
/// stored-value clamp, and per-channel scratch is allocated here so Eval does not allocate. 8-bit pooling
/// moves stored values without requantizing, so input and output must share scale (within 1e-6) and zero
/// point, as TFLite assumes.
/// </summary>
internal abstract class Pool2DKernel : OperatorKernel
{
    private TensorType _type;

    /// <summary>Operator name used in messages.</summary>
    protected abstract string Name { get; }

    protected Pool2DGeometry Geometry { get; private set; }
    protected float FloatMin { get; private set; }
    protected float FloatMax { get; private set; }
    protected int QuantizedMin { get; private set; }
    protected int QuantizedMax { get; private set; }

    /// <summary>Per-channel scratch (at least Channels long) for float32 windows.</summary>
    protected float[] FloatScratch { get; private set; } = [];

    /// <summary>Per-channel scratch (at least Channels long) for 8-bit windows.</summary>
    protected int[] IntegerScratch { get; private set; } = [];

    public override void Prepare(KernelContext context)
    {
        var (geometry, activation) = Pool2DGeometry.Prepare(context);
        Geometry = geometry;
        _type = context.Input(0).Type;
        switch (_type)
        {
            case TensorType.Float32:
                (FloatMin, FloatMax) = QuantizedRange.ForActivation(activation);
                if (FloatScratch.Length < geometry.Channels) FloatScratch = new float[geometry.Channels];
                break;
            case TensorType.UInt8:
            case TensorType.Int8:
                var input = QuantizedOperand.Read(context, context.Input(0), "input");
                var output = QuantizedOperand.Read(context, context.Output(0), "output");
                if (Math.Abs(input.Scale - output.Scale) > 1e-6f || input.ZeroPoint != output.ZeroPoint)
                {
                    throw context.Unsupported($"8-bit {Name} needs the same input and output quantization (input {input.Scale}, {input.ZeroPoint}; output {output.Scale}, {output.ZeroPoint}).");
                }
                (QuantizedMin, QuantizedMax) = QuantizedRange.ForActivation(activation, _type, output.Scale, output.ZeroPoint);
                if (IntegerScratch.Length < geometry.Channels) IntegerScratch = new int[geometry.Channels];
                break;
            default:
                throw context.Unsupported($"{Name} supports float32, uint8 and int8.");
        }
    }

    public override void Eval(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (_type)
        {
            case TensorType.Float32:
                EvalFloat(input.AsReadOnlySpan<float>(), output.AsSpan<float>());
                break;
            case TensorType.UInt8:
                EvalQuantized(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>());
                break;
            default:
                EvalQuantized(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>());
                break;
        }
    }

    protected abstract void EvalFloat(ReadOnlySpan<float> input, Span<float> output);

    protected abstract void EvalQuantized<T>(ReadOnlySpan<T> input, Span<T> output)
        where T : unmanaged, IBinaryInteger<T>;
}
