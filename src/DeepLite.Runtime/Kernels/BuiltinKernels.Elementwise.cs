namespace DeepLite.Runtime.Kernels;

internal static partial class BuiltinKernels
{
    static partial void RegisterElementwise(OpResolver resolver)
    {
        resolver.AddBuiltin(BuiltinOperator.ADD, () => new AddKernel());
        resolver.AddBuiltin(BuiltinOperator.SUB, () => new SubKernel());
        resolver.AddBuiltin(BuiltinOperator.MUL, () => new MulKernel());
        resolver.AddBuiltin(BuiltinOperator.SQUARED_DIFFERENCE, () => new SquaredDifferenceKernel());
        resolver.AddBuiltin(BuiltinOperator.POW, () => new PowKernel());
        resolver.AddBuiltin(BuiltinOperator.ABS, () => new AbsKernel());
        resolver.AddBuiltin(BuiltinOperator.SQRT, () => new SqrtKernel());
        resolver.AddBuiltin(BuiltinOperator.RSQRT, () => new RsqrtKernel());
        resolver.AddBuiltin(BuiltinOperator.QUANTIZE, () => new QuantizeKernel());
        resolver.AddBuiltin(BuiltinOperator.DEQUANTIZE, () => new DequantizeKernel());
    }
}
