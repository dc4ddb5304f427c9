using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepLite.Runtime.Threading;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Optimized DEPTHWISE_CONV_2D for depth multiplier 1 (every MobileNet depthwise layer), float32 or quantized under
/// <see cref="RequantizationRule.Float"/>; bit-exact with <see cref="DepthwiseConv2DReference"/> for QU8 and QC8 and
/// within a few float32 ulps for F32 (see <see cref="DepthwiseConv2DMicrokernels"/>).
/// </summary>
/// <remarks>
/// <para>Packing (once at Prepare for constant weights and bias, else at every Eval into the same buffer) cuts the
/// channels into blocks of bias, weights and scales (see <see cref="DepthwiseConv2DMicrokernels"/>); for quantized types
/// each weight becomes <c>w + FilterOffset</c> in an int32 lane and the bias absorbs the input zero point over every tap:
/// <c>bias'[c] = bias[c] + InputOffset · Σ_t (w[t][c] + FilterOffset)</c>. Padded taps then read a row of input zero
/// points, whose product <c>−InputOffset · w'</c> cancels that term, so in wrapping int32
/// <c>bias' + Σ_all x · w' = bias + Σ_inside (x + InputOffset) · w'</c>, the reference's accumulator.</para>
/// <para>Eval splits output rows (batch × height) across the worker pool. Per row, each filter row points at its input row
/// or at the zero row; output columns whose window lies inside the input share one set of tap pointers advanced by
/// <c>StrideWidth · C</c> per pixel, border columns point their outside taps at the zero row.</para>
/// </remarks>
internal sealed unsafe class DepthwiseConv2DOptimized : IParallelWork
{
    private readonly ConvolutionGeometry _g;
    private readonly ConvolutionDataType _dataType;
    private readonly QuantizedConvolutionParameters _quantization;
    private readonly float _activationMin;
    private readonly float _activationMax;
    private readonly int _lanes;
    private readonly bool _portableLanes;
    private readonly int _elementSize;
    private readonly int _interiorStart;
    private readonly int _interiorEnd;
    private readonly int _minimumRows;

    /// <summary>Packed blocks of bias, weights and scales (4-byte values).</summary>
    private readonly int[] _packed;

    /// <summary><c>InputWidth · C</c> input zeros (0.0f or the input zero point): the row that padded taps read.</summary>
    private readonly byte[] _zeroRow;

    private readonly bool _packedOnce;

    /// <summary>Work below which waking another thread costs more than it saves (a few microseconds of multiply-adds).</summary>
    private const int MinimumMultiplyAddsPerChunk = 1 << 17;

    private byte* _input;
    private byte* _output;
    private DepthwiseMicrokernelArguments _arguments;

    /// <summary>Taps whose pointers a worker keeps on its stack; larger filters run the reference.</summary>
    private const int MaximumTaps = 1024;

    /// <summary>Whether this class handles the operator: multiplier 1, at most <see cref="MaximumTaps"/> taps, and quantized types only under the float rule.</summary>
    public static bool Supports(in ConvolutionGeometry g, in ConvolutionOutput output) =>
        g.OutputChannels == g.InputChannels
        && (long)g.FilterHeight * g.FilterWidth <= MaximumTaps
        && (output.DataType == ConvolutionDataType.F32 || output.Quantization.Rule == RequantizationRule.Float);

    /// <summary>Prepares the operator; <paramref name="maxVectorBits"/> and <paramref name="portableOnly"/> limit the microkernels (see <see cref="DepthwiseConv2DMicrokernels.ChooseLanes"/>).</summary>
    public DepthwiseConv2DOptimized(in ConvolutionGeometry g, in ConvolutionOutput output, Tensor filter, Tensor? bias, int maxVectorBits, bool portableOnly)
    {
        _g = g;
        _dataType = output.DataType;
        _quantization = output.Quantization;
        _activationMin = output.ActivationMin;
        _activationMax = output.ActivationMax;
        bool quantized = _dataType != ConvolutionDataType.F32;
        _elementSize = quantized ? 1 : sizeof(float);

        int channels = g.OutputChannels;
        int taps = g.FilterHeight * g.FilterWidth;
        (_lanes, _portableLanes) = DepthwiseConv2DMicrokernels.ChooseLanes(quantized, channels, maxVectorBits, portableOnly);
        var layout = Arguments(null);
        _packed = new int[checked(layout.Blocks * layout.BlockStride(quantized))];
        _zeroRow = new byte[checked(g.InputWidth * channels * _elementSize)];
        if (quantized) _zeroRow.AsSpan().Fill((byte)-_quantization.InputOffset);

        // Output columns whose whole window lies inside the input: ox · stride − padLeft ≥ 0 and
        // ox · stride − padLeft + (FilterWidth − 1) · dilation ≤ InputWidth − 1.
        int first = (g.PadLeft + g.StrideWidth - 1) / g.StrideWidth;
        int lastNumerator = g.InputWidth - 1 - ((g.FilterWidth - 1) * g.DilationWidth) + g.PadLeft;
        int last = lastNumerator < 0 ? -1 : lastNumerator / g.StrideWidth;
        _interiorStart = Math.Min(first, g.OutputWidth);
        _interiorEnd = Math.Clamp(last + 1, _interiorStart, g.OutputWidth);

        long rowWork = (long)g.OutputWidth * channels * taps;
        _minimumRows = (int)Math.Clamp(MinimumMultiplyAddsPerChunk / Math.Max(1, rowWork), 1, int.MaxValue);

        _packedOnce = filter.IsConstant && (bias is null || bias.IsConstant);
        if (_packedOnce) Pack(filter, bias);
    }

    /// <summary>Runs the operator; output rows are split across <paramref name="workers"/>.</summary>
    public void Eval(Tensor input, Tensor filter, Tensor? bias, Tensor output, WorkerPool workers)
    {
        _g.CheckLengths((int)input.ElementCount, (long)_g.FilterHeight * _g.FilterWidth * _g.OutputChannels, (int)filter.ElementCount,
            (int)(bias?.ElementCount ?? 0), (int)output.ElementCount);
        if (!_packedOnce) Pack(filter, bias);
        fixed (byte* inputBytes = input.AsReadOnlyBytes())
        fixed (byte* outputBytes = output.AsBytes())
        fixed (int* packed = _packed)
        {
            _input = inputBytes;
            _output = outputBytes;
            _arguments = Arguments(packed);
            try
            {
                workers.Run(this, _g.Batches * _g.OutputHeight, _minimumRows);
            }
            finally
            {
                _input = null;
                _output = null;
            }
        }
    }

    /// <summary>Output rows [begin, end) of the flattened (batch, output row) range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int begin, int end)
    {
        var g = _g;
        nint pixelBytes = (nint)g.InputChannels * _elementSize;
        byte** rows = stackalloc byte*[g.FilterHeight];
        byte** taps = stackalloc byte*[g.FilterHeight * g.FilterWidth];
        fixed (byte* zeroRow = _zeroRow)
        {
            for (int row = begin; row < end; row++)
            {
                int b = row / g.OutputHeight;
                int oy = row - (b * g.OutputHeight);
                int originY = (oy * g.StrideHeight) - g.PadTop;
                for (int fy = 0; fy < g.FilterHeight; fy++)
                {
                    int iy = originY + (fy * g.DilationHeight);
                    rows[fy] = (uint)iy < (uint)g.InputHeight ? _input + ((((nint)b * g.InputHeight) + iy) * g.InputWidth * pixelBytes) : zeroRow;
                }
                byte* outputRow = _output + ((nint)row * g.OutputWidth * pixelBytes);

                for (int ox = 0; ox < _interiorStart; ox++)
                {
                    BorderTaps(rows, taps, ox, pixelBytes, zeroRow);
                    Pixels(taps, 0, 1, outputRow + (ox * pixelBytes), pixelBytes);
                }
                if (_interiorStart < _interiorEnd)
                {
                    int originX = (_interiorStart * g.StrideWidth) - g.PadLeft;
                    for (int fy = 0; fy < g.FilterHeight; fy++)
                    for (int fx = 0; fx < g.FilterWidth; fx++)
                    {
                        taps[(fy * g.FilterWidth) + fx] = rows[fy] + ((originX + (fx * g.DilationWidth)) * pixelBytes);
                    }
                    Pixels(taps, g.StrideWidth * pixelBytes, _interiorEnd - _interiorStart, outputRow + (_interiorStart * pixelBytes), pixelBytes);
                }
                for (int ox = _interiorEnd; ox < g.OutputWidth; ox++)
                {
                    BorderTaps(rows, taps, ox, pixelBytes, zeroRow);
                    Pixels(taps, 0, 1, outputRow + (ox * pixelBytes), pixelBytes);
                }
            }
        }
    }

    /// <summary>Tap pointers of a border pixel: columns outside the input read the zero row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BorderTaps(byte** rows, byte** taps, int ox, nint pixelBytes, byte* zeroRow)
    {
        var g = _g;
        int originX = (ox * g.StrideWidth) - g.PadLeft;
        for (int fx = 0; fx < g.FilterWidth; fx++)
        {
            int ix = originX + (fx * g.DilationWidth);
            bool inside = (uint)ix < (uint)g.InputWidth;
            for (int fy = 0; fy < g.FilterHeight; fy++)
            {
                taps[(fy * g.FilterWidth) + fx] = inside ? rows[fy] + (ix * pixelBytes) : zeroRow;
            }
        }
    }

    private void Pixels(byte** taps, nint step, int count, byte* output, nint outputStep)
    {
        switch (_dataType)
        {
            case ConvolutionDataType.F32:
                DepthwiseConv2DMicrokernels.F32(taps, step, count, output, outputStep, _arguments);
                break;
            case ConvolutionDataType.QU8:
                DepthwiseConv2DMicrokernels.Quantized<byte>(taps, step, count, output, outputStep, _arguments);
                break;
            default:
                DepthwiseConv2DMicrokernels.Quantized<sbyte>(taps, step, count, output, outputStep, _arguments);
                break;
        }
    }

    private DepthwiseMicrokernelArguments Arguments(int* packed) => new(_g.OutputChannels, _g.FilterHeight * _g.FilterWidth, _lanes, _portableLanes, packed,
        _activationMin, _activationMax, _dataType == ConvolutionDataType.F32 ? default : new ChannelRequantization(_quantization));

    /// <summary>Packs bias, weights and scales into blocks (see the class remarks and <see cref="DepthwiseConv2DMicrokernels"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Pack(Tensor filter, Tensor? bias)
    {
        var layout = Arguments(null);
        int channels = layout.Channels, taps = layout.Taps, lanes = layout.Lanes;
        bool quantized = _dataType != ConvolutionDataType.F32;
        int stride = layout.BlockStride(quantized);
        var packed = _packed.AsSpan();
        if (!quantized)
        {
            var floats = MemoryMarshal.Cast<int, float>(packed);
            var weights = filter.AsReadOnlySpan<float>();
            var floatBias = bias is null ? default : bias.AsReadOnlySpan<float>();
            for (int j = 0; j < layout.Blocks; j++)
            {
                var block = floats.Slice(j * stride, stride);
                int start = layout.BlockStart(j);
                for (int i = 0; i < lanes; i++)
                {
                    int c = start + i;
                    block[i] = floatBias.IsEmpty ? 0 : floatBias[c];
                    for (int t = 0; t < taps; t++) block[((1 + t) * lanes) + i] = weights[(t * channels) + c];
                }
            }
            return;
        }

        var raw = filter.AsReadOnlyBytes();
        var intBias = bias is null ? default : bias.AsReadOnlySpan<int>();
        var scales = _quantization.OutputScales;
        bool signed = _dataType == ConvolutionDataType.QC8;
        int filterOffset = _quantization.FilterOffset;
        int inputOffset = _quantization.InputOffset;
        for (int j = 0; j < layout.Blocks; j++)
        {
            var block = packed.Slice(j * stride, stride);
            int start = layout.BlockStart(j);
            for (int i = 0; i < lanes; i++)
            {
                int c = start + i;
                int folded = intBias.IsEmpty ? 0 : intBias[c];
                for (int t = 0; t < taps; t++)
                {
                    byte value = raw[(t * channels) + c];
                    int w = (signed ? (sbyte)value : value) + filterOffset;
                    block[((1 + t) * lanes) + i] = (ushort)(short)w;
                    folded += inputOffset * w;
                }
                block[i] = folded;
                block[((1 + taps) * lanes) + i] = BitConverter.SingleToInt32Bits(scales[c]);
            }
        }
    }
}
