using System.Runtime.CompilerServices;
using DeepLite.Runtime.Threading;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Optimized FULLY_CONNECTED (a GEMV per input row over packed weights), float32 or quantized under
/// <see cref="RequantizationRule.Float"/>; bit-exact with <see cref="FullyConnectedReference"/> for QU8 and QC8 and
/// within float32 rounding of it for F32 (see <see cref="FullyConnectedMicrokernels"/>).
/// </summary>
/// <remarks>
/// <para>Packing (once at Prepare for constant weights and bias, else at every Eval into the same buffers): units are
/// grouped in tiles of <see cref="FullyConnectedMicrokernels.TileUnits"/>, each weight row is padded with zeros to
/// <c>PaddedDepth</c>, and the unit count is padded with zero rows to whole tiles.</para>
/// <para>Quantized operands are brought to uint8 inputs <c>xu</c> and int8 weights <c>ws</c> for <c>vpdpbusd</c>:
/// QU8 keeps <c>xu = x</c> and stores <c>ws = w − 128</c>; QC8 stores <c>ws = w</c> and flips the input's sign bit,
/// <c>xu = x + 128</c>. With <c>x + InputOffset = xu + e</c> and <c>w + FilterOffset = ws + d</c>
/// (QU8: <c>e = InputOffset</c>, <c>d = 128 + FilterOffset</c>; QC8: <c>e = InputOffset − 128</c>, <c>d = FilterOffset</c>),
/// <c>Σ_k (x + InputOffset)(w + FilterOffset) = Σ xu·ws + d·Σ xu + e·Σ ws + K·e·d</c>. Prepare folds
/// <c>bias[u] + e·Σ_k ws[u, k] + K·e·d</c> into one constant per unit; Eval adds <c>d · Σ_k xu[b, k]</c> per row
/// (zero for QC8). All of it wraps in int32 exactly as the reference's accumulator does.</para>
/// <para>Eval copies quantized input rows into a padded buffer (re-signing QC8) and summing them, and float rows only
/// when the depth needs padding; then it splits (unit tile, row) pairs, tile-major, across the worker pool, so a worker
/// reuses a tile's weights for consecutive rows.</para>
/// </remarks>
internal sealed unsafe class FullyConnectedOptimized : IParallelWork
{
    private readonly FullyConnectedShape _shape;
    private readonly ConvolutionDataType _dataType;
    private readonly QuantizedConvolutionParameters _quantization;
    private readonly ChannelRequantization _requantization;
    private readonly float _activationMin;
    private readonly float _activationMax;
    private readonly FullyConnectedMicrokernels.QuantizedRung _quantizedRung;
    private readonly int _floatBits;
    private readonly int _paddedDepth;
    private readonly int _tiles;
    private readonly int _minimumItems;

    /// <summary>d of the class remarks: the multiplier of a row's input sum (0 for QC8).</summary>
    private readonly int _rowSumFactor;

    private readonly bool _packedOnce;

    /// <summary>Work below which waking another thread costs more than it saves (a few microseconds of multiply-adds).</summary>
    private const int MinimumMultiplyAddsPerChunk = 1 << 17;

    /// <summary><c>[tiles · 4][PaddedDepth]</c> int8 weights (quantized).</summary>
    private readonly sbyte[] _quantizedWeights;

    /// <summary><c>[tiles · 4]</c> folded per-unit constants (quantized).</summary>
    private readonly int[] _unitConstants;

    /// <summary><c>[tiles · 4]</c> requantization scales (quantized).</summary>
    private readonly float[] _scales;

    /// <summary><c>[Batches][PaddedDepth]</c> uint8 input rows and <c>[Batches]</c> their sums (quantized).</summary>
    private readonly byte[] _quantizedInput;
    private readonly int[] _rowSums;

    /// <summary><c>[tiles · 4][PaddedDepth]</c> float weights and <c>[tiles · 4]</c> bias (F32).</summary>
    private readonly float[] _floatWeights;
    private readonly float[] _floatBias;

    /// <summary><c>[Batches][PaddedDepth]</c> float input rows, used only when the depth needs padding (F32).</summary>
    private readonly float[] _floatInput;

    private void* _input;
    private void* _output;

    /// <summary>Whether this class handles the operator: float32, or quantized under the float rule.</summary>
    public static bool Supports(in ConvolutionOutput output) =>
        output.DataType == ConvolutionDataType.F32 || output.Quantization.Rule == RequantizationRule.Float;

    /// <summary>Prepares the operator; the last three arguments limit the microkernels (see <see cref="FullyConnectedMicrokernels.ChooseQuantizedRung"/>).</summary>
    public FullyConnectedOptimized(in FullyConnectedShape shape, in ConvolutionOutput output, Tensor weights, Tensor? bias,
        int maxVectorBits, bool useVnni, bool portableOnly)
    {
        _shape = shape;
        _dataType = output.DataType;
        _quantization = output.Quantization;
        _activationMin = output.ActivationMin;
        _activationMax = output.ActivationMax;
        _tiles = (shape.Units + FullyConnectedMicrokernels.TileUnits - 1) / FullyConnectedMicrokernels.TileUnits;
        int paddedUnits = _tiles * FullyConnectedMicrokernels.TileUnits;
        bool quantized = _dataType != ConvolutionDataType.F32;
        int granule = quantized ? FullyConnectedMicrokernels.QuantizedDepthGranule : FullyConnectedMicrokernels.FloatDepthGranule;
        _paddedDepth = checked((shape.Depth + granule - 1) / granule * granule);

        _quantizedWeights = [];
        _unitConstants = [];
        _scales = [];
        _quantizedInput = [];
        _rowSums = [];
        _floatWeights = [];
        _floatBias = [];
        _floatInput = [];
        if (quantized)
        {
            _requantization = new ChannelRequantization(_quantization);
            _quantizedRung = FullyConnectedMicrokernels.ChooseQuantizedRung(maxVectorBits, useVnni, portableOnly);
            _rowSumFactor = _dataType == ConvolutionDataType.QU8 ? 128 + _quantization.FilterOffset : _quantization.FilterOffset;
            _quantizedWeights = new sbyte[checked(paddedUnits * _paddedDepth)];
            _unitConstants = new int[paddedUnits];
            _scales = new float[paddedUnits];
            _quantization.OutputScales.CopyTo(_scales, 0);
            _quantizedInput = new byte[checked(shape.Batches * _paddedDepth)];
            _rowSums = new int[shape.Batches];
        }
        else
        {
            _floatBits = FullyConnectedMicrokernels.ChooseFloatBits(maxVectorBits);
            _floatWeights = new float[checked(paddedUnits * _paddedDepth)];
            _floatBias = new float[paddedUnits];
            if (_paddedDepth != shape.Depth) _floatInput = new float[checked(shape.Batches * _paddedDepth)];
        }

        long itemWork = (long)FullyConnectedMicrokernels.TileUnits * _paddedDepth;
        _minimumItems = (int)Math.Clamp(MinimumMultiplyAddsPerChunk / itemWork, 1, int.MaxValue);
        _packedOnce = weights.IsConstant && (bias is null || bias.IsConstant);
        if (_packedOnce) Pack(weights, bias);
    }

    /// <summary>Runs the operator; (unit tile, row) pairs are split across <paramref name="workers"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Eval(Tensor input, Tensor weights, Tensor? bias, Tensor output, WorkerPool workers)
    {
        _shape.CheckLengths((int)input.ElementCount, (int)weights.ElementCount, (int)(bias?.ElementCount ?? 0), (int)output.ElementCount);
        if (!_packedOnce) Pack(weights, bias);
        if (_dataType == ConvolutionDataType.F32)
        {
            var rows = input.AsReadOnlySpan<float>();
            if (_floatInput.Length > 0)
            {
                for (int b = 0; b < _shape.Batches; b++) rows.Slice(b * _shape.Depth, _shape.Depth).CopyTo(_floatInput.AsSpan(b * _paddedDepth));
                rows = _floatInput;
            }
            fixed (float* inputFloats = rows)
            fixed (byte* outputBytes = output.AsBytes())
            {
                Dispatch(inputFloats, outputBytes, workers);
            }
            return;
        }

        PrepareQuantizedInput(input.AsReadOnlyBytes());
        fixed (byte* inputBytes = _quantizedInput)
        fixed (byte* outputBytes = output.AsBytes())
        {
            Dispatch(inputBytes, outputBytes, workers);
        }
    }

    private void Dispatch(void* input, void* output, WorkerPool workers)
    {
        _input = input;
        _output = output;
        try
        {
            workers.Run(this, _tiles * _shape.Batches, _minimumItems);
        }
        finally
        {
            _input = null;
            _output = null;
        }
    }

    /// <summary>Items [begin, end): item i is unit tile <c>i / Batches</c> against input row <c>i % Batches</c>.</summary>
    public void Run(int begin, int end)
    {
        if (_dataType == ConvolutionDataType.F32) RunFloat(begin, end);
        else RunQuantized(begin, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunFloat(int begin, int end)
    {
        const int TileUnits = FullyConnectedMicrokernels.TileUnits;
        float* sums = stackalloc float[TileUnits];
        float* output = (float*)_output;
        int batches = _shape.Batches, units = _shape.Units;
        fixed (float* weights = _floatWeights)
        {
            for (int item = begin; item < end; item++)
            {
                int tile = item / batches;
                int row = item - (tile * batches);
                int unit = tile * TileUnits;
                FullyConnectedMicrokernels.FloatDot(_floatBits, (float*)_input + ((nint)row * _paddedDepth),
                    weights + ((nint)unit * _paddedDepth), _paddedDepth, sums);
                int count = Math.Min(TileUnits, units - unit);
                float* destination = output + ((nint)row * units) + unit;
                for (int j = 0; j < count; j++)
                {
                    destination[j] = Math.Min(Math.Max(sums[j] + _floatBias[unit + j], _activationMin), _activationMax);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunQuantized(int begin, int end)
    {
        const int TileUnits = FullyConnectedMicrokernels.TileUnits;
        int* sums = stackalloc int[TileUnits];
        byte* output = (byte*)_output;
        int batches = _shape.Batches, units = _shape.Units;
        fixed (sbyte* weights = _quantizedWeights)
        {
            for (int item = begin; item < end; item++)
            {
                int tile = item / batches;
                int row = item - (tile * batches);
                int unit = tile * TileUnits;
                FullyConnectedMicrokernels.QuantizedDot(_quantizedRung, (byte*)_input + ((nint)row * _paddedDepth),
                    weights + ((nint)unit * _paddedDepth), _paddedDepth, sums);
                int rowTerm = _rowSums[row] * _rowSumFactor;
                int count = Math.Min(TileUnits, units - unit);
                byte* destination = output + ((nint)row * units) + unit;
                for (int j = 0; j < count; j++)
                {
                    destination[j] = (byte)_requantization.Apply(sums[j] + rowTerm + _unitConstants[unit + j], _scales[unit + j]);
                }
            }
        }
    }

    /// <summary>Copies the input rows into the padded buffer as <c>xu</c> and sums each row (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PrepareQuantizedInput(ReadOnlySpan<byte> input)
    {
        byte flip = _dataType == ConvolutionDataType.QC8 ? (byte)0x80 : (byte)0;
        int depth = _shape.Depth;
        for (int b = 0; b < _shape.Batches; b++)
        {
            var source = input.Slice(b * depth, depth);
            var destination = _quantizedInput.AsSpan(b * _paddedDepth, depth);
            int sum = 0;
            for (int k = 0; k < depth; k++)
            {
                byte value = (byte)(source[k] ^ flip);
                destination[k] = value;
                sum += value;
            }
            _rowSums[b] = sum;
        }
    }

    /// <summary>Packs weights and bias (see the class remarks); padding stays zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Pack(Tensor weights, Tensor? bias)
    {
        int units = _shape.Units, depth = _shape.Depth;
        if (_dataType == ConvolutionDataType.F32)
        {
            var source = weights.AsReadOnlySpan<float>();
            for (int u = 0; u < units; u++) source.Slice(u * depth, depth).CopyTo(_floatWeights.AsSpan(u * _paddedDepth));
            if (bias is not null) bias.AsReadOnlySpan<float>().CopyTo(_floatBias);
            return;
        }

        bool unsignedWeights = _dataType == ConvolutionDataType.QU8;
        int e = unsignedWeights ? _quantization.InputOffset : _quantization.InputOffset - 128;
        int constantTerm = depth * e * _rowSumFactor;
        var raw = weights.AsReadOnlyBytes();
        var biasValues = bias is null ? default : bias.AsReadOnlySpan<int>();
        for (int u = 0; u < units; u++)
        {
            var row = raw.Slice(u * depth, depth);
            var packed = _quantizedWeights.AsSpan(u * _paddedDepth, depth);
            int weightSum = 0;
            for (int k = 0; k < depth; k++)
            {
                sbyte value = unsignedWeights ? (sbyte)(row[k] - 128) : (sbyte)row[k];
                packed[k] = value;
                weightSum += value;
            }
            _unitConstants[u] = (biasValues.IsEmpty ? 0 : biasValues[u]) + (e * weightSum) + constantTerm;
        }
    }
}
