namespace DeepLite.Runtime.Kernels;

internal static partial class BuiltinKernels
{
    static partial void RegisterConvolutions(OpResolver resolver)
    {
        resolver.AddBuiltin(BuiltinOperator.CONV_2D, () => new Conv2DKernel());
        resolver.AddBuiltin(BuiltinOperator.DEPTHWISE_CONV_2D, () => new DepthwiseConv2DKernel());
        resolver.AddBuiltin(BuiltinOperator.FULLY_CONNECTED, () => new FullyConnectedKernel());
        resolver.AddBuiltin(BuiltinOperator.TRANSPOSE_CONV, () => new TransposeConvKernel());
    }
}
