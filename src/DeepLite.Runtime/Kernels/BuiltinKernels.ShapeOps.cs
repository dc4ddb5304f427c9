namespace DeepLite.Runtime.Kernels;

internal static partial class BuiltinKernels
{
    static partial void RegisterShapeOps(OpResolver resolver)
    {
        resolver.AddBuiltin(BuiltinOperator.CONCATENATION, () => new ConcatenationKernel());
        resolver.AddBuiltin(BuiltinOperator.RESHAPE, () => new ReshapeKernel());
        resolver.AddBuiltin(BuiltinOperator.SQUEEZE, () => new SqueezeKernel());
        resolver.AddBuiltin(BuiltinOperator.PAD, () => new PadKernel());
        resolver.AddBuiltin(BuiltinOperator.PADV2, () => new PadKernel());
        resolver.AddBuiltin(BuiltinOperator.MIRROR_PAD, () => new MirrorPadKernel());
        resolver.AddBuiltin(BuiltinOperator.RESIZE_BILINEAR, () => new ResizeBilinearKernel());
        resolver.AddBuiltin(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, () => new ResizeNearestNeighborKernel());
        resolver.AddBuiltin(BuiltinOperator.TRANSPOSE, () => new TransposeKernel());
        resolver.AddBuiltin(BuiltinOperator.STRIDED_SLICE, () => new StridedSliceKernel());
        resolver.AddBuiltin(BuiltinOperator.SPLIT, () => new SplitKernel());
    }
}
