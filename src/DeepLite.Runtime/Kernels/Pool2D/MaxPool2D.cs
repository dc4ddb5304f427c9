namespace DeepLite.Runtime.Kernels;

/// <summary>
/// MAX_POOL_2D over NHWC (float32, uint8, int8): the largest in-bounds input value under each window, then
/// the fused activation (<see cref="MaxPool2DReference"/>, matched bit for bit by <see cref="Pool2DMicrokernels.MaxF32"/>
/// and <see cref="Pool2DMicrokernels.MaxQ8{T}"/>). Options: Pool2DOptions.
/// </summary>
internal sealed class MaxPool2DKernel : Pool2DKernel
{
    protected override string Name => "MAX_POOL_2D";

    protected override void RunFloat(ReadOnlySpan<float> input, Span<float> output, VectorTier tier, int firstPixel, int endPixel) =>
        Pool2DMicrokernels.MaxF32(Geometry, input, output, FloatMin, FloatMax, tier, firstPixel, endPixel);

    protected override void RunQuantized<T>(ReadOnlySpan<T> input, Span<T> output, VectorTier tier, int firstPixel, int endPixel) =>
        Pool2DMicrokernels.MaxQ8(Geometry, input, output, QuantizedMin, QuantizedMax, tier, firstPixel, endPixel);
}
