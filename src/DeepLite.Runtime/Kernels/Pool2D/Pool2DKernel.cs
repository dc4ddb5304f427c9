using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Prepare and Eval shared by AVERAGE_POOL_2D and MAX_POOL_2D over NHWC tensors (float32, uint8, int8):
/// Pool2DOptions are read into a <see cref="Pool2DGeometry"/>, the fused activation becomes a float or
/// stored-value clamp, and the vector tier is chosen. 8-bit pooling moves stored values without requantizing, so
/// input and output must share scale (within 1e-6) and zero point, as TFLite assumes. Eval runs the output pixels
/// through <see cref="Pool2DMicrokernels"/>, split across <see cref="KernelContext.Workers"/> when the window
/// work (output elements × filter taps) reaches <see cref="MinimumParallelWork"/>.
/// </summary>
internal abstract class Pool2DKernel : OperatorKernel, IRangeWork
{
    /// <summary>Window work (input reads) below which splitting across workers costs more than it saves.</summary>
    public const int MinimumParallelWork = 1 << 16;

    private TensorType _type;
    private int _pixels;
    private int _minimumChunk;
    private VectorTier _tier;
    private WorkSplitter? _splitter;

    /// <summary>Operator name used in messages.</summary>
    protected abstract string Name { get; }

    protected Pool2DGeometry Geometry { get; private set; }
    protected float FloatMin { get; private set; }
    protected float FloatMax { get; private set; }
    protected int QuantizedMin { get; private set; }
    protected int QuantizedMax { get; private set; }

    public override void Prepare(KernelContext context)
    {
        var (geometry, activation) = Pool2DGeometry.Prepare(context);
        Geometry = geometry;
        _type = context.Input(0).Type;
        switch (_type)
        {
            case TensorType.Float32:
                (FloatMin, FloatMax) = QuantizedRange.ForActivation(activation);
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
                break;
            default:
                throw context.Unsupported($"{Name} supports float32, uint8 and int8.");
        }
        _pixels = geometry.Batches * geometry.OutputHeight * geometry.OutputWidth;
        long pixelWork = Math.Max(1L, (long)Math.Min(geometry.FilterHeight, geometry.InputHeight) * Math.Min(geometry.FilterWidth, geometry.InputWidth) * geometry.Channels);
        _minimumChunk = (int)Math.Max(1, MinimumParallelWork / 2 / pixelWork);
        _tier = VectorTiers.Best;
        _splitter ??= new WorkSplitter(this);
    }

    public override void Eval(KernelContext context) => _splitter!.Run(context, _pixels, _minimumChunk);

    /// <summary>Output pixels [firstPixel, endPixel).</summary>
    void IRangeWork.Run(KernelContext context, int firstPixel, int endPixel)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (_type)
        {
            case TensorType.Float32:
                RunFloat(input.AsReadOnlySpan<float>(), output.AsSpan<float>(), _tier, firstPixel, endPixel);
                break;
            case TensorType.UInt8:
                RunQuantized(input.AsReadOnlySpan<byte>(), output.AsSpan<byte>(), _tier, firstPixel, endPixel);
                break;
            default:
                RunQuantized(input.AsReadOnlySpan<sbyte>(), output.AsSpan<sbyte>(), _tier, firstPixel, endPixel);
                break;
        }
    }

    /// <summary>Pools output pixels [<paramref name="firstPixel"/>, <paramref name="endPixel"/>) of float32 tensors.</summary>
    protected abstract void RunFloat(ReadOnlySpan<float> input, Span<float> output, VectorTier tier, int firstPixel, int endPixel);

    /// <summary>Pools output pixels [<paramref name="firstPixel"/>, <paramref name="endPixel"/>) of 8-bit tensors.</summary>
    protected abstract void RunQuantized<T>(ReadOnlySpan<T> input, Span<T> output, VectorTier tier, int firstPixel, int endPixel)
        where T : unmanaged, IBinaryInteger<T>;
}
