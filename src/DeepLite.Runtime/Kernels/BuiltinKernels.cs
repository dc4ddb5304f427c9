namespace DeepLite.Runtime.Kernels;

/// <summary>Registers every builtin kernel. Each family of operators registers itself in its own
/// file by implementing one of the partial methods below.</summary>
internal static partial class BuiltinKernels
{
    public static void RegisterAll(OpResolver resolver)
    {
        RegisterConvolutions(resolver);
        RegisterPoolingAndActivations(resolver);
        RegisterElementwise(resolver);
        RegisterShapeOps(resolver);
    }

    /// <summary>CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED.</summary>
    static partial void RegisterConvolutions(OpResolver resolver);

    /// <summary>AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SOFTMAX, LOGISTIC, TANH, RELU, RELU6, PRELU, HARD_SWISH, L2_NORMALIZATION.</summary>
    static partial void RegisterPoolingAndActivations(OpResolver resolver);

    /// <summary>ADD, SUB, MUL, SQUARED_DIFFERENCE, ABS, SQRT, RSQRT, POW, QUANTIZE, DEQUANTIZE.</summary>
    static partial void RegisterElementwise(OpResolver resolver);

    /// <summary>CONCATENATION, RESHAPE, SQUEEZE, PAD, PADV2, MIRROR_PAD, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE, STRIDED_SLICE, SPLIT.</summary>
    static partial void RegisterShapeOps(OpResolver resolver);
}
