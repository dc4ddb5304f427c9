using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>The tensor types a convolution-family kernel runs on, chosen once at Prepare.</summary>
internal enum ConvolutionDataType
{
    /// <summary>float32 input, weights, bias and output.</summary>
    F32,

    /// <summary>uint8 input, weights and output, each quantized per tensor (asymmetric); int32 bias.</summary>
    QU8,

    /// <summary>int8 input and output quantized per tensor; int8 weights quantized per output channel
    /// (or per tensor) with zero point 0; int32 bias.</summary>
    QC8,
}

/// <summary>How a quantized convolution-family kernel turns an int32 accumulator into a stored output value.</summary>
internal enum RequantizationRule
{
    /// <summary>
    /// TFLite's reference kernels: <c>MultiplyByQuantizedMultiplier(acc, multiplier, shift)</c> with the real
    /// multiplier split into a Q31 value and a power-of-two shift. A positive shift shifts left first; the saturating
    /// rounding doubling high multiply rounds exact halves toward +∞ (gemmlowp's rule); a negative shift is then a
    /// rounding right shift with exact halves rounded away from zero.
    /// </summary>
    FixedPoint,

    /// <summary>
    /// XNNPACK's fp32 requantization, which TFLite applies by default on CPU (and which made the goldens):
    /// <c>round_half_to_even((float)acc · scale)</c> computed in float32, with <c>scale = inputScale · filterScale /
    /// outputScale</c> evaluated in float32 left to right.
    /// </summary>
    Float,
}

/// <summary>
/// Integer parameters of a quantized convolution-family operator. For output channel <c>c</c>:
/// <c>acc = bias[c] + Σ (input + InputOffset) · (filter + FilterOffset)</c> in wrapping int32, then
/// <c>out = clamp(requantize(acc, c) + OutputZeroPoint, ActivationMin, ActivationMax)</c> with <see cref="Rule"/>
/// choosing <c>requantize</c> (see <see cref="RequantizationRule"/>).
/// </summary>
/// <param name="InputOffset">Minus the input zero point.</param>
/// <param name="FilterOffset">Minus the weights' zero point (0 for int8 weights).</param>
/// <param name="OutputZeroPoint">The output zero point.</param>
/// <param name="ActivationMin">Lowest stored output value (type range intersected with the fused activation).</param>
/// <param name="ActivationMax">Highest stored output value.</param>
/// <param name="Rule">The requantization rule.</param>
/// <param name="OutputMultipliers">Q31 multiplier per output channel (see <see cref="FixedPoint.QuantizeMultiplier"/>), for <see cref="RequantizationRule.FixedPoint"/>.</param>
/// <param name="OutputShifts">Power-of-two exponent per output channel, positive shifts left, for <see cref="RequantizationRule.FixedPoint"/>.</param>
/// <param name="OutputScales">float32 scale per output channel, for <see cref="RequantizationRule.Float"/>.</param>
internal readonly record struct QuantizedConvolutionParameters(
    int InputOffset,
    int FilterOffset,
    int OutputZeroPoint,
    int ActivationMin,
    int ActivationMax,
    RequantizationRule Rule,
    int[] OutputMultipliers,
    int[] OutputShifts,
    float[] OutputScales)
{
    /// <summary>Scales an accumulator of output channel <paramref name="channel"/> to a clamped stored output value.</summary>
    /// <remarks>The float rule clamps before rounding, like XNNPACK; as the bounds are integers this equals rounding
    /// then clamping, and keeps huge products from overflowing the int conversion.</remarks>
    public int Requantize(int accumulator, int channel)
    {
        if (Rule == RequantizationRule.Float)
        {
            float scaled = accumulator * OutputScales[channel];
            scaled = Math.Min(Math.Max(scaled, ActivationMin - OutputZeroPoint), ActivationMax - OutputZeroPoint);
            return (int)MathF.Round(scaled, MidpointRounding.ToEven) + OutputZeroPoint;
        }
        int value = FixedPoint.MultiplyByQuantizedMultiplier(accumulator, OutputMultipliers[channel], OutputShifts[channel]) + OutputZeroPoint;
        return Math.Min(Math.Max(value, ActivationMin), ActivationMax);
    }

    /// <summary>Throws unless the rule's per-channel values cover <paramref name="channels"/> output channels.</summary>
    public void CheckChannels(int channels)
    {
        bool complete = Rule == RequantizationRule.Float
            ? OutputScales.Length == channels
            : OutputMultipliers.Length == channels && OutputShifts.Length == channels;
        if (!complete)
        {
            throw new ArgumentException($"{Rule} requantization for {channels} output channels given {OutputMultipliers.Length} multipliers, {OutputShifts.Length} shifts and {OutputScales.Length} scales.");
        }
    }
}

/// <summary>
/// What a convolution-family kernel needs at Eval besides its geometry: the data type and, for float32, the fused
/// activation's clamp, or, for quantized types, the requantization parameters.
/// </summary>
internal readonly record struct ConvolutionOutput(
    ConvolutionDataType DataType,
    float ActivationMin,
    float ActivationMax,
    QuantizedConvolutionParameters Quantization);

/// <summary>Prepare-time checks and precomputation shared by CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV.</summary>
internal static class ConvolutionQuantization
{
    /// <summary>
    /// Chooses the kernel data type from the tensor types, or fails: hybrid models (float32
    /// activations with float16 or 8-bit weights) and 16-bit activations are unsupported.
    /// </summary>
    private static ConvolutionDataType ChooseDataType(KernelContext context, Tensor input, Tensor filter, Tensor? bias, Tensor output)
    {
        var (expectedFilter, expectedBias, kind) = input.Type switch
        {
            TensorType.Float32 => (TensorType.Float32, TensorType.Float32, ConvolutionDataType.F32),
            TensorType.UInt8 => (TensorType.UInt8, TensorType.Int32, ConvolutionDataType.QU8),
            TensorType.Int8 => (TensorType.Int8, TensorType.Int32, ConvolutionDataType.QC8),
            _ => throw context.Unsupported($"{input.Type.Name()} activations are not supported."),
        };
        if (input.Type == TensorType.Float32 && filter.Type != TensorType.Float32)
        {
            throw context.Unsupported($"hybrid execution (float32 activations with {filter.Type.Name()} weights) is not supported.");
        }
        if (filter.Type != expectedFilter || output.Type != input.Type || (bias is not null && bias.Type != expectedBias))
        {
            throw context.Unsupported(
                $"{input.Type.Name()} activations need {expectedFilter.Name()} weights, {expectedBias.Name()} bias and a {input.Type.Name()} output.");
        }
        return kind;
    }

    /// <summary>
    /// Chooses the data type (see <see cref="ChooseDataType"/>) and prepares the float clamp or, for quantized types,
    /// the requantization parameters (see <see cref="PrepareQuantization"/>). <paramref name="channelDimension"/> is the weights'
    /// dimension that indexes the <paramref name="channels"/> output channels.
    /// </summary>
    public static ConvolutionOutput PrepareOutput(KernelContext context, Tensor input, Tensor filter, Tensor? bias, Tensor output,
        int channels, int channelDimension, FusedActivation activation)
    {
        var dataType = ChooseDataType(context, input, filter, bias, output);
        if (dataType == ConvolutionDataType.F32)
        {
            var (min, max) = QuantizedRange.ForActivation(activation);
            return new ConvolutionOutput(dataType, min, max, default);
        }
        return new ConvolutionOutput(dataType, 0, 0, PrepareQuantization(context, dataType, input, filter, bias, output, channels, channelDimension, activation));
    }

    /// <summary>
    /// The rule the kernels use: XNNPACK's, because TFLite runs these operators through XNNPACK by default on CPU
    /// and TFLite's reference fixed-point rule drifts up to 10 output steps from it over a whole quantized MobileNet.
    /// </summary>
    public const RequantizationRule KernelRule = RequantizationRule.Float;

    /// <summary>
    /// Validates quantization parameters and computes both rules' per-channel values.
    /// Fixed point follows TFLite's <c>PopulateConvolutionQuantizationParams</c>: for int8, <c>M[c] = (double)inputScale ·
    /// (double)filterScale[c] / (double)outputScale</c>; for uint8 (per tensor), <c>M = (double)(float)(inputScale · filterScale)
    /// / (double)outputScale</c> (the product rounded to float32 first), each split by <see cref="FixedPoint.QuantizeMultiplier"/>.
    /// Float follows XNNPACK: <c>scale[c] = inputScale · filterScale[c] / outputScale</c> in float32.
    /// For uint8 the bias scale must be within 0.02 output steps of <c>inputScale · filterScale</c> (TFLite's check).
    /// </summary>
    /// <remarks><paramref name="channels"/> is the number of output channels and <paramref name="channelDimension"/>
    /// the weights' dimension that indexes them (the per-channel quantization axis).</remarks>
    private static QuantizedConvolutionParameters PrepareQuantization(KernelContext context, ConvolutionDataType kind, Tensor input, Tensor filter,
        Tensor? bias, Tensor output, int channels, int channelDimension, FusedActivation activation)
    {
        var (inputScale, inputZeroPoint) = KernelHelpers.PerTensorQuantization(context, input, "input");
        var (outputScale, outputZeroPoint) = KernelHelpers.PerTensorQuantization(context, output, "output");
        CheckScale(context, input, inputScale);
        CheckScale(context, output, outputScale);
        CheckZeroPoint(context, input, inputZeroPoint);
        CheckZeroPoint(context, output, outputZeroPoint);

        var multipliers = new int[channels];
        var shifts = new int[channels];
        var scales = new float[channels];
        int filterOffset;
        if (kind == ConvolutionDataType.QU8)
        {
            var (filterScale, filterZeroPoint) = KernelHelpers.PerTensorQuantization(context, filter, "weights");
            CheckScale(context, filter, filterScale);
            CheckZeroPoint(context, filter, filterZeroPoint);
            float productScale = inputScale * filterScale;
            if (bias?.Quantization is { Scales.Length: > 0 } biasQuantization)
            {
                double mismatch = Math.Abs(productScale - (double)biasQuantization.Scale) / outputScale;
                if (!(mismatch <= 0.02))
                {
                    throw context.Invalid($"bias '{bias.Name}' scale {biasQuantization.Scale} differs from input scale × weights scale {productScale}.");
                }
            }
            var (multiplier, shift) = FixedPoint.QuantizeMultiplier((double)productScale / outputScale);
            Array.Fill(multipliers, multiplier);
            Array.Fill(shifts, shift);
            Array.Fill(scales, productScale / outputScale);
            filterOffset = -filterZeroPoint;
        }
        else
        {
            var q = filter.Quantization ?? throw context.Invalid($"weights '{filter.Name}' are int8 but have no quantization parameters.");
            if (q.Scales.Length != 1 && q.Scales.Length != channels)
            {
                throw context.Invalid($"weights '{filter.Name}' have {q.Scales.Length} scales for {channels} output channels.");
            }
            if (q.IsPerChannel && q.QuantizedDimension != channelDimension)
            {
                throw context.Invalid($"weights '{filter.Name}' are quantized along dimension {q.QuantizedDimension}, not the output-channel dimension {channelDimension}.");
            }
            foreach (long zeroPoint in q.ZeroPoints)
            {
                if (zeroPoint != 0) throw context.Unsupported($"int8 weights '{filter.Name}' must have zero point 0 (found {zeroPoint}).");
            }
            for (int c = 0; c < channels; c++)
            {
                float filterScale = q.Scales[q.IsPerChannel ? c : 0];
                CheckScale(context, filter, filterScale);
                (multipliers[c], shifts[c]) = FixedPoint.QuantizeMultiplier((double)inputScale * filterScale / outputScale);
                scales[c] = inputScale * filterScale / outputScale;
            }
            filterOffset = 0;
        }

        var (activationMin, activationMax) = QuantizedRange.ForActivation(activation, output.Type, outputScale, outputZeroPoint);
        return new QuantizedConvolutionParameters(-inputZeroPoint, filterOffset, outputZeroPoint, activationMin, activationMax,
            KernelRule, multipliers, shifts, scales);
    }

    /// <summary>Throws unless every tensor's element count fits the int offsets the kernels use.</summary>
    public static void CheckSizes(KernelContext context, params ReadOnlySpan<Tensor?> tensors)
    {
        foreach (var tensor in tensors)
        {
            if (tensor is not null && tensor.ElementCount > int.MaxValue)
            {
                throw context.Invalid($"tensor '{tensor.Name}' shape [{string.Join(",", tensor.ShapeArray)}] is too large.");
            }
        }
    }

    private static void CheckZeroPoint(KernelContext context, Tensor tensor, int zeroPoint)
    {
        var (min, max) = QuantizedRange.OfType(tensor.Type);
        if (zeroPoint < min || zeroPoint > max)
        {
            throw context.Invalid($"'{tensor.Name}' zero point {zeroPoint} is outside the {tensor.Type.Name()} range.");
        }
    }

    private static void CheckScale(KernelContext context, Tensor tensor, float scale)
    {
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            throw context.Invalid($"'{tensor.Name}' has quantization scale {scale}; scales must be positive and finite.");
        }
    }
}
