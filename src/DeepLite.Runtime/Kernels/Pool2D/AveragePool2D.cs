namespace DeepLite.Runtime.Kernels;

/// <summary>
/// AVERAGE_POOL_2D over NHWC (float32, uint8, int8): the mean of the in-bounds input values under each
/// window (padding excluded), then the fused activation; 8-bit means round half away from zero
/// (<see cref="AveragePool2DReference"/>, matched bit for bit by <see cref="Pool2DMicrokernels.AverageF32"/> and
/// <see cref="Pool2DMicrokernels.AverageQ8{T}"/>). Options: Pool2DOptions.
/// </summary>
internal sealed class AveragePool2DKernel : Pool2DKernel
{
    protected override string Name => "AVERAGE_POOL_2D";

    protected override void RunFloat(ReadOnlySpan<float> input, Span<float> output, VectorTier tier, int firstPixel, int endPixel) =>
        Pool2DMicrokernels.AverageF32(Geometry, input, output, FloatMin, FloatMax, tier, firstPixel, endPixel);

    protected override void RunQuantized<T>(ReadOnlySpan<T> input, Span<T> output, VectorTier tier, int firstPixel, int endPixel) =>
        Pool2DMicrokernels.AverageQ8(Geometry, input, output, QuantizedMin, QuantizedMax, tier, firstPixel, endPixel);
}
