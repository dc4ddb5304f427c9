namespace DeepLite.Runtime.Kernels;

internal static partial class BuiltinKernels
{
    static partial void RegisterPoolingAndActivations(OpResolver resolver)
    {
        resolver.AddBuiltin(BuiltinOperator.AVERAGE_POOL_2D, () => new AveragePool2DKernel());
        resolver.AddBuiltin(BuiltinOperator.MAX_POOL_2D, () => new MaxPool2DKernel());
        resolver.AddBuiltin(BuiltinOperator.MEAN, () => new MeanKernel());
        resolver.AddBuiltin(BuiltinOperator.SOFTMAX, () => new SoftmaxKernel());
        resolver.AddBuiltin(BuiltinOperator.LOGISTIC, () => new LogisticKernel());
        resolver.AddBuiltin(BuiltinOperator.TANH, () => new TanhKernel());
        resolver.AddBuiltin(BuiltinOperator.RELU, () => new ReluKernel());
        resolver.AddBuiltin(BuiltinOperator.RELU6, () => new Relu6Kernel());
        resolver.AddBuiltin(BuiltinOperator.PRELU, () => new PreluKernel());
        resolver.AddBuiltin(BuiltinOperator.HARD_SWISH, () => new HardSwishKernel());
        resolver.AddBuiltin(BuiltinOperator.L2_NORMALIZATION, () => new L2NormalizationKernel());
    }
}
