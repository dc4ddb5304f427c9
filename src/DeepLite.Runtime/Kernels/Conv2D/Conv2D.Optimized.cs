using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using DeepLite.Runtime.Threading;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Which CONV_2D implementation a <see cref="Conv2DKernel"/> may use: <see cref="Reference"/>, or the optimized
/// GEMM with SIMD up to the named rung (a rung the processor lacks falls to the next lower one).
/// <see cref="Vector256"/> means AVX2 without VNNI for quantized types; <see cref="Vector256Vnni"/> adds AVX-VNNI
/// (float treats it as <see cref="Vector256"/>); <see cref="Vector512"/> applies to float only (there is no 512-bit
/// VNNI API, so quantized types stop at <see cref="Vector256Vnni"/>). <see cref="AdvSimd"/> and
/// <see cref="AdvSimdDot"/> are the Arm64 quantized rungs (without and with the SDOT dot product); being 128-bit they
/// sit between <see cref="Vector128"/> and <see cref="Vector256"/>, fall to <see cref="Vector128"/> elsewhere, and
/// float treats them as <see cref="Vector128"/>.
/// </summary>
internal enum Conv2DPath
{
    Reference,
    Scalar,
    Vector128,
    AdvSimd,
    AdvSimdDot,
    Vector256,
    Vector256Vnni,
    Vector512,
    Best,
}

/// <summary>
/// One tile of 4 GEMM rows (output pixels) for the microkernels. <c>A0..A3</c> point at the rows' activations (raw
/// input bytes or floats, the GEMM depth readable, a multiple of 4 bytes for quantized types); <c>C0..C3</c> at the
/// rows' outputs (channel 0; a block adds its column); <c>Term0..Term3</c> are per-row int32 terms (quantized types
/// only) added to every accumulator of the row. A tile with fewer real rows repeats its last row (same pointers and
/// term), so the repeated rows store identical values to the same place.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1051", Justification = "A plain pointer bundle handed to microkernels.")]
internal unsafe struct Conv2DTile
{
    public byte* A0, A1, A2, A3;
    public byte* C0, C1, C2, C3;
    public int Term0, Term1, Term2, Term3;
}

/// <summary>
/// Optimized CONV_2D (groups = 1) as a GEMM: rows are output pixels, the depth is the <c>KH·KW·Cin</c> window, columns
/// are output channels. Prepare chooses the SIMD rung once and packs the weights for its microkernel
/// (<see cref="Conv2DF32Gemm"/>, <see cref="Conv2DQ8Gemm"/>); per-model state lives on this object.
/// </summary>
/// <remarks>
/// <para><b>Rows.</b> A 1×1 convolution (no padding, any stride) reads each pixel's channels in place
/// ("direct" rows). Any other window, and quantized 1×1 convolutions whose depth is not a multiple of 4, first gather
/// each pixel's window into a per-thread scratch panel ("im2col"), writing the input zero point (0.0 for float) for
/// taps outside the input, which contributes nothing exactly as the reference's skipped taps.</para>
/// <para><b>Loop order.</b> Each thread takes a contiguous range of output pixels and walks it in panels of rows
/// (about 64 KiB of activations); within a panel, the outer loop runs over blocks of output channels (whose packed
/// weights then stay in L1) and the inner loop over 4-row tiles.</para>
/// <para><b>Quantized algebra</b> (bit-exact with <see cref="Conv2DReference.Quantized{T}"/>): the microkernels see
/// activations <c>u = x + sA</c> as uint8 and weights <c>v = w + sW</c> as int8, with <c>(sA, sW)</c> = (0, −128)
/// for QU8 and (128, 0) for QC8. With <c>α = InputOffset − sA</c> and <c>β = FilterOffset − sW</c>,
/// <c>Σ_k (x + InputOffset)(w + FilterOffset) = Σ_k u·v + β·Σ_k u + α·Σ_k (w + FilterOffset)</c>, an identity in
/// wrapping int32. So <c>acc = Σ u·v + rowTerm + channelTerm[c]</c> with <c>rowTerm = β·Σ u</c> (per pixel; β = 0
/// for QC8 and for QU8 weights with zero point 128) and <c>channelTerm[c] = bias[c] + α·Σ_k (w[c, k] + FilterOffset)</c>
/// (per channel, computed when the weights are packed). Requantization is <see cref="RequantizationRule.Float"/>.</para>
/// <para><b>Threads.</b> <see cref="Run"/> is called over slots <c>[0, slots)</c>; slot s owns pixels
/// <c>[M·s/slots, M·(s+1)/slots)</c> and scratch buffer s, so chunks never share scratch. When there are fewer 4-row
/// tiles than threads (a 1×1 input, say), slot s owns all pixels and channel blocks
/// <c>[B·s/slots, B·(s+1)/slots)</c> instead; each slot still gathers its rows into its own scratch.</para>
/// </remarks>
internal sealed unsafe class Conv2DOptimized : IParallelWork
{
    /// <summary>What one slot computes: pixels <c>[First, Last)</c> × channel blocks <c>[FirstBlock, LastBlock)</c>.</summary>
    private readonly record struct SlotRange(int Slot, int First, int Last, int FirstBlock, int LastBlock);

    private enum Rung
    {
        Scalar,
        Vector128,
        AdvSimd,
        AdvSimdDot,
        Vector256,
        Vector256Vnni,
        Vector512,
    }

    private const int TileRows = 4;
    private const int PanelBytes = 64 * 1024;
    private const int MaximumPanelRows = 512;

    /// <summary>Multiply-adds each thread must get before the work is split: about 5 µs of work at 100 GMAC/s, against
    /// about 1 µs to hand a chunk to a worker that is still spinning (see <see cref="WorkerPool"/>).</summary>
    private const long MinimumWorkPerThread = 1 << 19;

    /// <summary>Largest GEMM row (bytes) the optimized path takes; deeper windows run the reference.</summary>
    private const long MaximumRowBytes = 1 << 26;

    private readonly ConvolutionGeometry _g;
    private readonly ConvolutionDataType _type;
    private readonly Rung _rung;
    private readonly bool _direct;
    private readonly bool _packEachEval;
    private readonly int _pixels;
    private readonly int _depth;
    private readonly int _gemmDepth;
    private readonly int _elementSize;
    private readonly int _blockWidth;
    private readonly int _blocks;
    private readonly int _panelRows;
    private readonly int _slots;
    private readonly bool _channelSplit;
    private readonly byte _fill;

    private readonly float _low;
    private readonly float _high;
    private readonly QuantizedConvolutionParameters _q;
    private readonly int _rowFactor;

    private readonly float[] _f32Weights = [];
    private readonly float[] _f32Bias = [];
    private readonly sbyte[] _q8Weights = [];
    private readonly int[] _q8ChannelTerms = [];
    private readonly float[] _q8Scales = [];

    private readonly byte[][] _scratch;
    private readonly nint[][] _rowPointers;
    private readonly int[][] _rowTerms;
    private readonly Conv2DTile[][] _tiles;

    private byte* _input;
    private byte* _output;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Conv2DOptimized(KernelContext context, in ConvolutionGeometry g, in ConvolutionOutput output, Tensor filter, Tensor? bias, Rung rung)
    {
        _g = g;
        _type = output.DataType;
        _rung = rung;
        _pixels = g.Batches * g.OutputHeight * g.OutputWidth;
        _depth = g.FilterHeight * g.FilterWidth * g.InputChannels;
        bool quantized = _type != ConvolutionDataType.F32;
        bool pointwise = g.FilterHeight == 1 && g.FilterWidth == 1 && g.PadTop == 0 && g.PadLeft == 0;
        _direct = pointwise && (!quantized || _depth % 4 == 0);
        _elementSize = quantized ? 1 : sizeof(float);
        _gemmDepth = quantized ? Conv2DQ8Gemm.PaddedDepth(_depth) : _depth;
        _packEachEval = !filter.IsConstant || (bias is not null && !bias.IsConstant);

        int channels = g.OutputChannels;
        if (quantized)
        {
            _q = output.Quantization;
            _blockWidth = Conv2DQ8Gemm.BlockWidth;
            _blocks = Conv2DQ8Gemm.BlockCount(channels);
            _q8Weights = GC.AllocateUninitializedArray<sbyte>(Conv2DQ8Gemm.PackedLength(channels, _depth), pinned: true);
            _q8ChannelTerms = GC.AllocateArray<int>(_blocks * _blockWidth, pinned: true);
            _q8Scales = GC.AllocateArray<float>(_blocks * _blockWidth, pinned: true);
            _q.OutputScales.CopyTo(_q8Scales, 0);
            _low = _q.ActivationMin - _q.OutputZeroPoint;
            _high = _q.ActivationMax - _q.OutputZeroPoint;
            _rowFactor = _type == ConvolutionDataType.QU8 ? _q.FilterOffset + 128 : 0;
            _fill = (byte)(-_q.InputOffset);
        }
        else
        {
            _blockWidth = _rung switch
            {
                Rung.Vector512 => Conv2DF32Gemm.BlockWidth<Conv2DF32Lanes512>(),
                Rung.Vector256 => Conv2DF32Gemm.BlockWidth<Conv2DF32Lanes256>(),
                Rung.Vector128 => Conv2DF32Gemm.BlockWidth<Conv2DF32Lanes128>(),
                _ => Conv2DF32Gemm.BlockWidth<Conv2DF32Lanes1>(),
            };
            _blocks = Conv2DF32Gemm.BlockCount(channels, _blockWidth);
            _f32Weights = GC.AllocateUninitializedArray<float>(_blocks * _blockWidth * _depth, pinned: true);
            _f32Bias = GC.AllocateArray<float>(_blocks * _blockWidth, pinned: true);
            _low = output.ActivationMin;
            _high = output.ActivationMax;
        }

        int rowBytes = _gemmDepth * _elementSize;
        _panelRows = Math.Clamp(PanelBytes / rowBytes / TileRows * TileRows, TileRows, MaximumPanelRows);
        long work = (long)_pixels * channels * _depth;
        long threadsForWork = Math.Max(1, work / MinimumWorkPerThread);
        int pixelTiles = (_pixels + TileRows - 1) / TileRows;
        // Few pixels (the 1×1 classifier convolution of MobileNet v2, say): split the output channels instead.
        _channelSplit = pixelTiles < context.Threads && _blocks > pixelTiles;
        _slots = (int)Math.Max(1, Math.Min(Math.Min(context.Threads, threadsForWork), _channelSplit ? _blocks : pixelTiles));
        _scratch = new byte[_slots][];
        _rowPointers = new nint[_slots][];
        _rowTerms = new int[_slots][];
        _tiles = new Conv2DTile[_slots][];
        for (int s = 0; s < _slots; s++)
        {
            _tiles[s] = new Conv2DTile[_panelRows / TileRows];
            _scratch[s] = _direct ? [] : GC.AllocateArray<byte>(_panelRows * rowBytes, pinned: true);
            _rowPointers[s] = new nint[_panelRows];
            _rowTerms[s] = new int[_panelRows];
        }
        if (!_packEachEval) Pack(filter, bias);
    }

    /// <summary>
    /// The optimized plan for this convolution, or null when the reference must run: <paramref name="ceiling"/> is
    /// <see cref="Conv2DPath.Reference"/>, the convolution is grouped, the requantization rule is not the float rule,
    /// or the window or packed weights are too large for the int-indexed buffers.
    /// </summary>
    public static Conv2DOptimized? TryCreate(KernelContext context, in ConvolutionGeometry g, in ConvolutionOutput output,
        Tensor filter, Tensor? bias, Conv2DPath ceiling)
    {
        if (ceiling == Conv2DPath.Reference || g.FilterChannels != g.InputChannels) return null;
        if (output.DataType != ConvolutionDataType.F32 && output.Quantization.Rule != RequantizationRule.Float) return null;
        long depth = (long)g.FilterHeight * g.FilterWidth * g.InputChannels;
        // Packed weights hold at most (channels + 31) × (depth + 3) values.
        if (depth * sizeof(float) > MaximumRowBytes || (g.OutputChannels + 32L) * (depth + 4) > Array.MaxLength) return null;
        return new Conv2DOptimized(context, g, output, filter, bias, ChooseRung(output.DataType, ceiling));
    }

    private static Rung ChooseRung(ConvolutionDataType type, Conv2DPath ceiling)
    {
        if (type == ConvolutionDataType.F32)
        {
            if (ceiling >= Conv2DPath.Vector512 && Vector512.IsHardwareAccelerated) return Rung.Vector512;
            if (ceiling >= Conv2DPath.Vector256 && Vector256.IsHardwareAccelerated) return Rung.Vector256;
        }
        else
        {
            if (ceiling >= Conv2DPath.Vector256Vnni && AvxVnni.IsSupported) return Rung.Vector256Vnni;
            if (ceiling >= Conv2DPath.Vector256 && Avx2.IsSupported) return Rung.Vector256;
            if (ceiling >= Conv2DPath.AdvSimdDot && Dp.IsSupported && AdvSimd.Arm64.IsSupported) return Rung.AdvSimdDot;
            if (ceiling >= Conv2DPath.AdvSimd && AdvSimd.Arm64.IsSupported) return Rung.AdvSimd;
        }
        if (ceiling >= Conv2DPath.Vector128 && Vector128.IsHardwareAccelerated) return Rung.Vector128;
        return Rung.Scalar;
    }

    /// <summary>The rung a CONV_2D of <paramref name="type"/> limited to <paramref name="ceiling"/> runs on this
    /// processor (for tests: reports, and skipping ceilings that run the same rung).</summary>
    internal static string RungName(ConvolutionDataType type, Conv2DPath ceiling) =>
        ceiling == Conv2DPath.Reference ? nameof(Conv2DPath.Reference) : ChooseRung(type, ceiling).ToString();

    /// <summary>Packs the weights (and folds bias and zero points) into the microkernel layout.</summary>
    private void Pack(Tensor filter, Tensor? bias)
    {
        int channels = _g.OutputChannels;
        switch (_type)
        {
            case ConvolutionDataType.F32:
                Conv2DF32Gemm.Pack(filter.AsReadOnlySpan<float>(), bias is null ? default : bias.AsReadOnlySpan<float>(),
                    channels, _depth, _blockWidth, _f32Weights, _f32Bias);
                break;
            case ConvolutionDataType.QU8:
                Conv2DQ8Gemm.Pack(filter.AsReadOnlySpan<byte>(), channels, _depth, -128, _q8Weights);
                FoldChannelTerms(filter.AsReadOnlySpan<byte>(), bias, _q.InputOffset, -128);
                break;
            default:
                Conv2DQ8Gemm.Pack(filter.AsReadOnlySpan<sbyte>(), channels, _depth, 0, _q8Weights);
                FoldChannelTerms(filter.AsReadOnlySpan<sbyte>(), bias, _q.InputOffset - 128, 0);
                break;
        }
    }

    /// <summary>
    /// <c>channelTerm[c] = bias[c] + α·Σ_k (w[c, k] + FilterOffset)</c> in wrapping int32 (see the class remarks); the
    /// <see cref="Rung.AdvSimdDot"/> rung, whose microkernels read signed activations <c>u − 128</c>, also adds
    /// <c>128·Σ_k (w[c, k] + weightShift)</c> (see <see cref="Conv2DQ8Gemm"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FoldChannelTerms<T>(ReadOnlySpan<T> filter, Tensor? bias, int alpha, int weightShift) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var biasValues = bias is null ? default : bias.AsReadOnlySpan<int>();
        bool signedActivations = _rung == Rung.AdvSimdDot;
        for (int c = 0; c < _g.OutputChannels; c++)
        {
            var weights = filter.Slice(c * _depth, _depth);
            int sum = _depth * _q.FilterOffset;
            foreach (var w in weights) sum += int.CreateTruncating(w);
            int term = (biasValues.IsEmpty ? 0 : biasValues[c]) + (alpha * sum);
            if (signedActivations) term += Conv2DQ8Gemm.SignedActivationCorrection(weights, weightShift);
            _q8ChannelTerms[c] = term;
        }
    }

    public void Eval(KernelContext context, Tensor input, Tensor filter, Tensor? bias, Tensor output)
    {
        // The microkernels use raw pointers: make sure the tensors still have the sizes Prepare planned for.
        if (input.ByteLength != _g.InputLength * _elementSize || output.ByteLength != _g.OutputLength * _elementSize)
        {
            throw new InvalidOperationException($"CONV_2D tensors changed size since Prepare (input {input}, output {output}).");
        }
        if (_packEachEval) Pack(filter, bias);
        fixed (byte* source = input.AsReadOnlyBytes())
        fixed (byte* destination = output.AsBytes())
        {
            _input = source;
            _output = destination;
            try
            {
                context.Workers.Run(this, _slots);
            }
            finally
            {
                _input = null;
                _output = null;
            }
        }
    }

    /// <summary>Runs slots <c>[begin, end)</c> (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(int begin, int end)
    {
        for (int slot = begin; slot < end; slot++)
        {
            int first = 0, last = _pixels, firstBlock = 0, lastBlock = _blocks;
            if (_channelSplit)
            {
                firstBlock = _blocks * slot / _slots;
                lastBlock = _blocks * (slot + 1) / _slots;
            }
            else
            {
                first = (int)((long)_pixels * slot / _slots);
                last = (int)((long)_pixels * (slot + 1) / _slots);
            }
            var range = new SlotRange(slot, first, last, firstBlock, lastBlock);
            switch (_type, _rung)
            {
                case (ConvolutionDataType.F32, Rung.Vector512): RunF32<Conv2DF32Lanes512>(range); break;
                case (ConvolutionDataType.F32, Rung.Vector256): RunF32<Conv2DF32Lanes256>(range); break;
                case (ConvolutionDataType.F32, Rung.Vector128): RunF32<Conv2DF32Lanes128>(range); break;
                case (ConvolutionDataType.F32, _): RunF32<Conv2DF32Lanes1>(range); break;
                case (ConvolutionDataType.QU8, _): RunQ8<Conv2DUInt8Activations>(range); break;
                default: RunQ8<Conv2DInt8Activations>(range); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunF32<TLanes>(SlotRange range) where TLanes : unmanaged, IConv2DF32Lanes<TLanes>
    {
        var (slot, first, last, firstBlock, lastBlock) = range;
        var tiles = _tiles[slot];
        int channels = _g.OutputChannels;
        fixed (float* weights = _f32Weights, bias = _f32Bias)
        {
            for (int panel = first; panel < last; panel += _panelRows)
            {
                int tileCount = PreparePanel(slot, panel, Math.Min(_panelRows, last - panel), computeRowTerms: false);
                for (int b = firstBlock; b < lastBlock; b++)
                {
                    int column = b * _blockWidth;
                    var block = new Conv2DF32Block(column, weights + ((long)column * _depth), _blockWidth, bias + column,
                        Math.Min(_blockWidth, channels - column), _low, _high);
                    switch (FloatTileWidth<TLanes>(block.Columns))
                    {
                        case FloatTile.Two:
                            for (int t = 0; t < tileCount; t++) Conv2DF32Gemm.Gemm4x2<TLanes>(ref tiles[t], _depth, block);
                            break;
                        case FloatTile.One:
                            for (int t = 0; t < tileCount; t++) Conv2DF32Gemm.Gemm4x1<TLanes>(ref tiles[t], _depth, block);
                            break;
                        case FloatTile.One256:
                            for (int t = 0; t < tileCount; t++) Conv2DF32Gemm.Gemm4x1<Conv2DF32Lanes256>(ref tiles[t], _depth, block);
                            break;
                        default:
                            for (int t = 0; t < tileCount; t++) Conv2DF32Gemm.Gemm4x1<Conv2DF32Lanes128>(ref tiles[t], _depth, block);
                            break;
                    }
                }
            }
        }
    }

    private enum FloatTile
    {
        Two,
        One,
        One256,
        One128,
    }

    /// <summary>The narrowest register tile that covers <paramref name="columns"/> channels of a block.</summary>
    private static FloatTile FloatTileWidth<TLanes>(int columns) where TLanes : unmanaged, IConv2DF32Lanes<TLanes>
    {
        if (columns > TLanes.Count) return FloatTile.Two;
        if (columns <= Conv2DF32Lanes128.Count && TLanes.Count > Conv2DF32Lanes128.Count) return FloatTile.One128;
        if (columns <= Conv2DF32Lanes256.Count && TLanes.Count > Conv2DF32Lanes256.Count) return FloatTile.One256;
        return FloatTile.One;
    }

    private void RunQ8<TInput>(SlotRange range) where TInput : struct
    {
        // Each test starts with the processor check, a JIT-time constant, so the rungs this machine lacks are removed.
        if (AvxVnni.IsSupported && _rung == Rung.Vector256Vnni) RunQ8<TInput, Conv2DQ8AvxVnni>(range);
        else if (Avx2.IsSupported && _rung == Rung.Vector256) RunQ8<TInput, Conv2DQ8Avx2>(range);
        else if (Dp.IsSupported && AdvSimd.Arm64.IsSupported && _rung == Rung.AdvSimdDot) RunQ8<TInput, Conv2DQ8AdvSimdDot>(range);
        else if (AdvSimd.Arm64.IsSupported && _rung == Rung.AdvSimd) RunQ8<TInput, Conv2DQ8AdvSimd>(range);
        else if (Vector128.IsHardwareAccelerated && _rung == Rung.Vector128) RunQ8<TInput, Conv2DQ8Vector128>(range);
        else RunQ8<TInput, Conv2DQ8Scalar>(range);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunQ8<TInput, TKernel>(SlotRange range) where TInput : struct where TKernel : struct, IConv2DQ8Kernel
    {
        var (slot, first, last, firstBlock, lastBlock) = range;
        var tiles = _tiles[slot];
        int channels = _g.OutputChannels;
        fixed (sbyte* weights = _q8Weights)
        fixed (int* channelTerms = _q8ChannelTerms)
        fixed (float* scales = _q8Scales)
        {
            for (int panel = first; panel < last; panel += _panelRows)
            {
                int tileCount = PreparePanel(slot, panel, Math.Min(_panelRows, last - panel), computeRowTerms: _rowFactor != 0);
                for (int b = firstBlock; b < lastBlock; b++)
                {
                    int column = b * _blockWidth;
                    var block = new Conv2DQ8Block(column, weights + ((long)column * _gemmDepth), channelTerms + column, scales + column,
                        Math.Min(_blockWidth, channels - column), _low, _high, _q.OutputZeroPoint, _q.ActivationMin);
                    for (int t = 0; t < tileCount; t++) TKernel.Run<TInput>(ref tiles[t], _gemmDepth, block);
                }
            }
        }
    }

    /// <summary>
    /// Points the slot's row table at the panel's <paramref name="count"/> pixels starting at <paramref name="first"/>
    /// (in the input for direct rows, else gathered into the slot's scratch), for QU8 with β ≠ 0 computes the row
    /// terms <c>β·Σ u</c> over the real depth (otherwise they stay 0), and fills the slot's tile table. Returns the
    /// number of tiles; the last one repeats the panel's last row where it has fewer than 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int PreparePanel(int slot, int first, int count, bool computeRowTerms)
    {
        var g = _g;
        var rows = _rowPointers[slot].AsSpan(0, count);
        long pixelBytes = (long)g.InputChannels * _elementSize;
        if (_direct && g.StrideHeight == 1 && g.StrideWidth == 1)
        {
            // A 1×1 stride-1 window: output pixel m reads input pixel m.
            byte* row = _input + (first * pixelBytes);
            for (int i = 0; i < rows.Length; i++, row += pixelBytes) rows[i] = (nint)row;
        }
        else if (_direct)
        {
            // A 1×1 window with strides: output pixel (b, oy, ox) reads input pixel (b, oy·sh, ox·sw).
            int ox = first % g.OutputWidth;
            int rest = first / g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            for (int i = 0; i < rows.Length; i++)
            {
                long inputPixel = ((((long)b * g.InputHeight) + ((long)oy * g.StrideHeight)) * g.InputWidth) + ((long)ox * g.StrideWidth);
                rows[i] = (nint)(_input + (inputPixel * pixelBytes));
                if (++ox == g.OutputWidth)
                {
                    ox = 0;
                    if (++oy == g.OutputHeight)
                    {
                        oy = 0;
                        b++;
                    }
                }
            }
        }
        else
        {
            fixed (byte* scratch = _scratch[slot]) GatherPanel(scratch, rows, first);
        }
        var terms = _rowTerms[slot].AsSpan(0, count);
        if (computeRowTerms)
        {
            for (int i = 0; i < terms.Length; i++) terms[i] = _rowFactor * Conv2DQ8Gemm.SumBytes((byte*)rows[i], _depth);
        }

        var tiles = _tiles[slot];
        int tileCount = (count + TileRows - 1) / TileRows;
        long rowStride = (long)g.OutputChannels * _elementSize;
        byte* output = _output + (first * rowStride);
        for (int t = 0; t < tileCount; t++)
        {
            ref var tile = ref tiles[t];
            int r0 = t * TileRows, r1 = Math.Min(r0 + 1, count - 1), r2 = Math.Min(r0 + 2, count - 1), r3 = Math.Min(r0 + 3, count - 1);
            tile.A0 = (byte*)rows[r0];
            tile.A1 = (byte*)rows[r1];
            tile.A2 = (byte*)rows[r2];
            tile.A3 = (byte*)rows[r3];
            tile.C0 = output + (r0 * rowStride);
            tile.C1 = output + (r1 * rowStride);
            tile.C2 = output + (r2 * rowStride);
            tile.C3 = output + (r3 * rowStride);
            tile.Term0 = terms[r0];
            tile.Term1 = terms[r1];
            tile.Term2 = terms[r2];
            tile.Term3 = terms[r3];
        }
        return tileCount;
    }

    /// <summary>
    /// Writes the windows <c>[fy, fx, channel]</c> (the filter's order) of output pixels <c>first …</c> to consecutive
    /// scratch rows of <c>_gemmDepth</c> values and points <paramref name="rows"/> at them. Taps outside the input get
    /// the fill byte; bytes past the depth are never written and stay 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GatherPanel(byte* scratch, Span<nint> rows, int first)
    {
        var g = _g;
        byte* input = _input;
        byte fill = _fill;
        long rowBytes = (long)_gemmDepth * _elementSize;
        uint pixelBytes = (uint)(g.InputChannels * _elementSize);
        uint windowRowBytes = (uint)g.FilterWidth * pixelBytes;
        long inputRowBytes = g.InputWidth * (long)pixelBytes;
        int filterHeight = g.FilterHeight, filterWidth = g.FilterWidth, inputHeight = g.InputHeight, inputWidth = g.InputWidth;
        int dilationHeight = g.DilationHeight, dilationWidth = g.DilationWidth;
        int ox = first % g.OutputWidth;
        int rest = first / g.OutputWidth;
        int oy = rest % g.OutputHeight;
        int b = rest / g.OutputHeight;
        for (int i = 0; i < rows.Length; i++)
        {
            byte* destination = scratch + (i * rowBytes);
            rows[i] = (nint)destination;
            int originY = (oy * g.StrideHeight) - g.PadTop;
            int originX = (ox * g.StrideWidth) - g.PadLeft;
            bool contiguous = dilationWidth == 1 && originX >= 0 && originX + filterWidth <= inputWidth;
            byte* image = input + ((long)b * inputHeight * inputRowBytes);
            byte* d = destination;
            for (int fy = 0; fy < filterHeight; fy++, d += windowRowBytes)
            {
                int iy = originY + (fy * dilationHeight);
                if ((uint)iy >= (uint)inputHeight)
                {
                    Unsafe.InitBlockUnaligned(d, fill, windowRowBytes);
                }
                else if (contiguous)
                {
                    Copy(d, image + (iy * inputRowBytes) + ((long)originX * pixelBytes), windowRowBytes);
                }
                else
                {
                    byte* inputRow = image + (iy * inputRowBytes);
                    for (int fx = 0; fx < filterWidth; fx++)
                    {
                        int ix = originX + (fx * dilationWidth);
                        if ((uint)ix >= (uint)inputWidth) Unsafe.InitBlockUnaligned(d + (fx * pixelBytes), fill, pixelBytes);
                        else Copy(d + (fx * pixelBytes), inputRow + ((long)ix * pixelBytes), pixelBytes);
                    }
                }
            }
            if (++ox == g.OutputWidth)
            {
                ox = 0;
                if (++oy == g.OutputHeight)
                {
                    oy = 0;
                    b++;
                }
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="count"/> bytes; short copies (the usual window rows of a few channels) use two
    /// overlapping loads and stores instead of a call to memmove.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(byte* destination, byte* source, uint count)
    {
        if (count > 32 && count <= 64)
        {
            var a = Vector128.Load(source);
            var b = Vector128.Load(source + 16);
            var c = Vector128.Load(source + count - 32);
            var d = Vector128.Load(source + count - 16);
            a.Store(destination);
            b.Store(destination + 16);
            c.Store(destination + count - 32);
            d.Store(destination + count - 16);
        }
        else if (count >= 16 && count <= 32)
        {
            var head = Vector128.Load(source);
            var tail = Vector128.Load(source + count - 16);
            head.Store(destination);
            tail.Store(destination + count - 16);
        }
        else if (count >= 8 && count < 16)
        {
            ulong head = Unsafe.ReadUnaligned<ulong>(source);
            ulong tail = Unsafe.ReadUnaligned<ulong>(source + count - 8);
            Unsafe.WriteUnaligned(destination, head);
            Unsafe.WriteUnaligned(destination + count - 8, tail);
        }
        else if (count >= 4 && count < 8)
        {
            uint head = Unsafe.ReadUnaligned<uint>(source);
            uint tail = Unsafe.ReadUnaligned<uint>(source + count - 4);
            Unsafe.WriteUnaligned(destination, head);
            Unsafe.WriteUnaligned(destination + count - 4, tail);
        }
        else
        {
            Unsafe.CopyBlockUnaligned(destination, source, count);
        }
    }
}
