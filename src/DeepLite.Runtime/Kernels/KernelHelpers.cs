using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>Padding scheme of convolutions and pools; values equal the schema's <c>Padding</c> enum.</summary>
public enum Padding : byte
{
    Same = 0,
    Valid = 1,
}

/// <summary>Shared helpers for kernels' Prepare steps.</summary>
internal static class KernelHelpers
{
    /// <summary>Reads a fused activation option and rejects the ones with no kernel support (TANH, SIGN_BIT, unknown).</summary>
    public static FusedActivation ReadActivation(KernelContext context, int field)
    {
        byte raw = context.Options.Byte(field);
        if (raw > (byte)FusedActivation.Relu6)
        {
            throw context.Unsupported($"fused activation {raw} is not supported.");
        }
        return (FusedActivation)raw;
    }

    /// <summary>Reads a padding option; anything but SAME or VALID is a format error.</summary>
    public static Padding ReadPadding(KernelContext context, int field)
    {
        byte raw = context.Options.Byte(field);
        if (raw > 1) throw context.Invalid($"padding value {raw} is neither SAME nor VALID.");
        return (Padding)raw;
    }

    /// <summary>
    /// TFLite's output size and leading padding for one spatial dimension.
    /// SAME: out = ceil(in / stride); VALID: out = ceil((in - effectiveFilter + 1) / stride), where
    /// effectiveFilter = (filter - 1) * dilation + 1. Leading padding = max((out - 1) * stride + effectiveFilter - in, 0) / 2.
    /// </summary>
    public static (int Output, int PadBefore) ComputeOutputAndPadding(KernelContext context, Padding padding, int input, int filter, int stride, int dilation, string dimension)
    {
        if (stride <= 0 || dilation <= 0 || filter <= 0)
        {
            throw context.Invalid($"{dimension}: stride {stride}, dilation {dilation} and filter size {filter} must be positive.");
        }
        long effective = ((long)filter - 1) * dilation + 1;
        long output = padding == Padding.Same
            ? (input + (long)stride - 1) / stride
            : (input - effective + stride) / stride;
        if (output <= 0)
        {
            throw context.Invalid($"{dimension}: input size {input} is too small for filter {filter} with dilation {dilation} and stride {stride}.");
        }
        long total = Math.Max((output - 1) * stride + effective - input, 0);
        if (output > int.MaxValue || total > int.MaxValue) throw context.Invalid($"{dimension}: output size overflows.");
        return ((int)output, (int)(total / 2));
    }

    /// <summary>
    /// <see cref="ComputeOutputAndPadding(KernelContext, Padding, int, int, int, int, string)"/> for an input that a
    /// fused PAD grows by <paramref name="fusedBefore"/> and <paramref name="fusedAfter"/> zeros: the output size is the
    /// one of the padded input, and the returned leading padding includes <paramref name="fusedBefore"/>, so that
    /// windows over the unpadded input read the same values as over the padded one.
    /// </summary>
    public static (int Output, int PadBefore) ComputeOutputAndPadding(KernelContext context, Padding padding, int input, int fusedBefore, int fusedAfter,
        int filter, int stride, int dilation, string dimension)
    {
        long padded = (long)input + fusedBefore + fusedAfter;
        if (fusedBefore < 0 || fusedAfter < 0 || padded > int.MaxValue)
        {
            throw context.Invalid($"{dimension}: fused padding ({fusedBefore}, {fusedAfter}) of input size {input} is invalid.");
        }
        var (output, padBefore) = ComputeOutputAndPadding(context, padding, (int)padded, filter, stride, dilation, dimension);
        long total = (long)padBefore + fusedBefore;
        if (total > int.MaxValue) throw context.Invalid($"{dimension}: padding overflows.");
        return (output, (int)total);
    }

    /// <summary>Throws unless <paramref name="tensor"/> has exactly <paramref name="rank"/> dimensions.</summary>
    public static void ExpectRank(KernelContext context, Tensor tensor, int rank, string role)
    {
        if (tensor.Rank != rank)
        {
            throw context.Invalid($"{role} '{tensor.Name}' must have rank {rank} but has shape [{string.Join(",", tensor.ShapeArray)}].");
        }
    }

    /// <summary>Per-tensor quantization of a tensor, with a clear error when it is missing or per-channel.</summary>
    public static (float Scale, int ZeroPoint) PerTensorQuantization(KernelContext context, Tensor tensor, string role)
    {
        var q = tensor.Quantization;
        if (q is null) throw context.Invalid($"{role} '{tensor.Name}' is {tensor.Type.Name()} but has no quantization parameters.");
        if (q.IsPerChannel) throw context.Unsupported($"{role} '{tensor.Name}' must be quantized per tensor.");
        if (q.ZeroPoint < -(1 << 16) || q.ZeroPoint > (1 << 16)) throw context.Invalid($"{role} '{tensor.Name}' has zero point {q.ZeroPoint}.");
        return (q.Scale, q.ZeroPoint);
    }
}

