using DeepLite.Runtime;
using DeepLite.Runtime.Kernels;

namespace DeepLite.Modeling.Conversion;

/// <summary>
/// Second moments of the input patches of one CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED layer over the calibration
/// inputs, for <see cref="WeightRounding.Optimize"/>. A patch is what one output element's dot product reads: CONV_2D
/// <c>kh · kw · I</c> values in the weights' (ky, kx, i) order, zeros where the window covers padding; DEPTHWISE_CONV_2D
/// one <c>kh · kw</c> patch per input channel; FULLY_CONNECTED the <c>I</c> values of one input row. Holds
/// <c>Σ p pᵀ</c> and <c>Σ p</c> over all patches and the patch count.
/// </summary>
internal sealed class LayerInputStatistics
{
    /// <summary>Largest patch length gathered; longer layers keep nearest rounding.</summary>
    public const int MaxPatchLength = 1024;

    private readonly BuiltinOperator code;
    private readonly int kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, inputChannels;
    private readonly bool same;

    private LayerInputStatistics(BuiltinOperator code, int patchLength, int groups, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth, int dilationHeight, int dilationWidth, bool same, int inputChannels)
    {
        this.code = code;
        PatchLength = patchLength;
        Moments = new double[groups][];
        Sums = new double[groups][];
        for (int g = 0; g < groups; g++)
        {
            Moments[g] = new double[patchLength * patchLength];
            Sums[g] = new double[patchLength];
        }
        (this.kernelHeight, this.kernelWidth, this.strideHeight, this.strideWidth) = (kernelHeight, kernelWidth, strideHeight, strideWidth);
        (this.dilationHeight, this.dilationWidth, this.same, this.inputChannels) = (dilationHeight, dilationWidth, same, inputChannels);
    }

    public int PatchLength { get; }

    /// <summary>Per group (one, or one per input channel for DEPTHWISE_CONV_2D), row-major PatchLength²: the upper
    /// triangle of Σ p pᵀ while patches are added; after <see cref="Finish"/> the full second moment or covariance.</summary>
    public double[][] Moments { get; }

    /// <summary>Per group: Σ p.</summary>
    public double[][] Sums { get; }

    /// <summary>Patches per group.</summary>
    public long Count { get; private set; }

    /// <summary>Statistics for <paramref name="op"/>, or null when it is not a layer handled here (other operator,
    /// input not NHWC / 2-D, patch longer than <see cref="MaxPatchLength"/>).</summary>
    public static LayerInputStatistics? For(GraphOperator op)
    {
        var input = op.Inputs[0];
        var weights = op.Inputs.Count > 1 ? op.Inputs[1] : null;
        if (input is null || weights is null) return null;
        switch (op.Code)
        {
            case BuiltinOperator.CONV_2D when op.Options is Conv2DOptions c && input.Shape.Length == 4 && weights.Shape.Length == 4:
            {
                int patch = weights.Shape[1] * weights.Shape[2] * weights.Shape[3];
                if (patch > MaxPatchLength || weights.Shape[3] != input.Shape[3]) return null;
                return new LayerInputStatistics(op.Code, patch, 1, weights.Shape[1], weights.Shape[2], c.StrideHeight, c.StrideWidth,
                    c.DilationHeight, c.DilationWidth, c.Padding == Padding.Same, input.Shape[3]);
            }
            case BuiltinOperator.DEPTHWISE_CONV_2D when op.Options is DepthwiseConv2DOptions d && input.Shape.Length == 4 && weights.Shape.Length == 4:
            {
                int patch = weights.Shape[1] * weights.Shape[2];
                if (patch > MaxPatchLength || weights.Shape[3] != input.Shape[3] * d.DepthMultiplier) return null;
                return new LayerInputStatistics(op.Code, patch, input.Shape[3], weights.Shape[1], weights.Shape[2], d.StrideHeight, d.StrideWidth,
                    d.DilationHeight, d.DilationWidth, d.Padding == Padding.Same, input.Shape[3]);
            }
            case BuiltinOperator.FULLY_CONNECTED when weights.Shape.Length == 2:
            {
                int patch = weights.Shape[1];
                if (patch > MaxPatchLength) return null;
                return new LayerInputStatistics(op.Code, patch, 1, 1, 1, 1, 1, 1, 1, false, patch);
            }
            default:
                return null;
        }
    }

    /// <summary>Adds the patches of one input activation (the float values of the layer's input 0, in its shape
    /// <paramref name="shape"/>).</summary>
    public void Add(ReadOnlySpan<float> values, int[] shape)
    {
        if (code == BuiltinOperator.FULLY_CONNECTED)
        {
            for (int row = 0; row + PatchLength <= values.Length; row += PatchLength)
            {
                Accumulate(Moments[0], Sums[0], values.Slice(row, PatchLength));
                Count++;
            }
            return;
        }
        int batches = shape[0], height = shape[1], width = shape[2];
        int outHeight = same ? (height + strideHeight - 1) / strideHeight : (height - ((kernelHeight - 1) * dilationHeight) - 1 + strideHeight) / strideHeight;
        int outWidth = same ? (width + strideWidth - 1) / strideWidth : (width - ((kernelWidth - 1) * dilationWidth) - 1 + strideWidth) / strideWidth;
        int padTop = same ? Math.Max(((outHeight - 1) * strideHeight) + ((kernelHeight - 1) * dilationHeight) + 1 - height, 0) / 2 : 0;
        int padLeft = same ? Math.Max(((outWidth - 1) * strideWidth) + ((kernelWidth - 1) * dilationWidth) + 1 - width, 0) / 2 : 0;
        var patch = new float[PatchLength];
        bool depthwise = code == BuiltinOperator.DEPTHWISE_CONV_2D;
        for (int b = 0; b < batches; b++)
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                for (int ox = 0; ox < outWidth; ox++)
                {
                    for (int group = 0; group < Moments.Length; group++)
                    {
                        int k = 0;
                        for (int ky = 0; ky < kernelHeight; ky++)
                        {
                            int y = (oy * strideHeight) - padTop + (ky * dilationHeight);
                            for (int kx = 0; kx < kernelWidth; kx++)
                            {
                                int x = (ox * strideWidth) - padLeft + (kx * dilationWidth);
                                bool inside = y >= 0 && y < height && x >= 0 && x < width;
                                long at = (((((long)b * height) + y) * width) + x) * inputChannels;
                                if (depthwise)
                                {
                                    patch[k++] = inside ? values[(int)(at + group)] : 0f;
                                }
                                else
                                {
                                    for (int i = 0; i < inputChannels; i++) patch[k++] = inside ? values[(int)(at + i)] : 0f;
                                }
                            }
                        }
                        Accumulate(Moments[group], Sums[group], patch);
                    }
                    Count++;
                }
            }
        }
    }

    /// <summary>Adds p pᵀ to the upper triangle of <paramref name="moment"/> (mirrored by <see cref="Finish"/>) and p to the sum.</summary>
    private void Accumulate(double[] moment, double[] sum, ReadOnlySpan<float> p)
    {
        int n = PatchLength;
        for (int i = 0; i < n; i++)
        {
            double pi = p[i];
            sum[i] += pi;
            if (pi == 0) continue;
            int row = i * n;
            for (int j = i; j < n; j++) moment[row + j] += pi * p[j];
        }
    }

    /// <summary>Mirrors the accumulated upper triangles and, when <paramref name="centered"/>, subtracts the mean's outer
    /// product, leaving per group the covariance (else the second moment) of the patches, divided by the count.</summary>
    public void Finish(bool centered)
    {
        int n = PatchLength;
        double count = Math.Max(Count, 1);
        for (int g = 0; g < Moments.Length; g++)
        {
            var m = Moments[g];
            var s = Sums[g];
            for (int i = 0; i < n; i++)
            {
                for (int j = i; j < n; j++)
                {
                    double v = m[(i * n) + j] / count;
                    if (centered) v -= s[i] / count * (s[j] / count);
                    m[(i * n) + j] = v;
                    m[(j * n) + i] = v;
                }
            }
        }
    }
}

/// <summary>
/// Rounding of quantized weights chosen to reconstruct the layer's output (in the spirit of AdaRound, Nagel et al. 2020,
/// with its quadratic objective and a greedy solver): for every output channel o, each weight level is floor or ceil of
/// <c>w / scale + zeroPoint</c> (within the type's range), chosen by coordinate descent on
/// <c>εᵀ H ε</c>, ε = dequantized − float weights of o and H the input patches' second moment (covariance when the bias
/// absorbs the mean error), starting from nearest rounding. Never increases the objective over nearest rounding.
/// </summary>
internal static class WeightRounding
{
    private const int MaxPasses = 20;

    /// <summary>Rewrites the quantized levels of <paramref name="weights"/> (already quantized with their final scale and
    /// zero point, from <paramref name="floatWeights"/>). Levels are clamped to [<paramref name="qmin"/>, <paramref name="qmax"/>].</summary>
    public static void Optimize(BuiltinOperator code, GraphTensor weights, float[] floatWeights, LayerInputStatistics statistics, int qmin, int qmax)
    {
        var q = weights.Quantization!;
        bool signed = weights.Type == TensorType.Int8;
        int n = statistics.PatchLength;
        int outputs = code == BuiltinOperator.DEPTHWISE_CONV_2D ? weights.Shape[^1] : weights.Shape[0];
        int groups = statistics.Moments.Length;
        int multiplier = code == BuiltinOperator.DEPTHWISE_CONV_2D ? outputs / groups : 1;
        var index = new int[n];
        var levels = new int[n];
        var floor = new int[n];
        var ceil = new int[n];
        var error = new double[n];
        var gradient = new double[n];
        for (int o = 0; o < outputs; o++)
        {
            int channel = q.Scales.Length == 1 ? 0 : o;
            double scale = q.Scales[channel];
            int zeroPoint = (int)q.ZeroPoints[channel];
            double[] h = statistics.Moments[code == BuiltinOperator.DEPTHWISE_CONV_2D ? o / multiplier : 0];
            for (int k = 0; k < n; k++)
            {
                index[k] = code == BuiltinOperator.DEPTHWISE_CONV_2D ? (k * outputs) + o : (o * n) + k;
                byte stored = weights.Data![index[k]];
                levels[k] = signed ? unchecked((sbyte)stored) : stored;
                double x = (floatWeights[index[k]] / scale) + zeroPoint;
                floor[k] = Math.Clamp((int)Math.Floor(x), qmin, qmax);
                ceil[k] = Math.Clamp((int)Math.Ceiling(x), qmin, qmax);
                error[k] = (scale * (levels[k] - zeroPoint)) - floatWeights[index[k]];
            }
            for (int i = 0; i < n; i++)
            {
                double g = 0;
                for (int j = 0; j < n; j++) g += h[(i * n) + j] * error[j];
                gradient[i] = g;
            }
            for (int pass = 0; pass < MaxPasses; pass++)
            {
                bool changed = false;
                for (int k = 0; k < n; k++)
                {
                    int alternative = levels[k] == floor[k] ? ceil[k] : floor[k];
                    if (alternative == levels[k]) continue;
                    double delta = scale * (alternative - levels[k]);
                    double gain = (2 * delta * gradient[k]) + (delta * delta * h[(k * n) + k]);
                    if (gain >= 0) continue;
                    levels[k] = alternative;
                    error[k] += delta;
                    for (int i = 0; i < n; i++) gradient[i] += delta * h[(i * n) + k];
                    changed = true;
                }
                if (!changed) break;
            }
            for (int k = 0; k < n; k++) weights.Data![index[k]] = unchecked((byte)levels[k]);
        }
    }
}
