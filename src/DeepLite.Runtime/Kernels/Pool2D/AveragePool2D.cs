namespace DeepLite.Runtime.Kernels;

/// <summary>
/// AVERAGE_POOL_2D over NHWC (float32, uint8, int8): the mean of the in-bounds input values under each
/// window (padding excluded), then the fused activation; 8-bit means round half away from zero
/// (<see cref="AveragePool2DReference"/>). Options: Pool2DOptions.
/// </summary>
internal sealed class AveragePool2DKernel : Pool2DKernel
{
    protected override string Name => "AVERAGE_POOL_2D";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        Pool2DDriver.Run(Geometry, input, output, new FloatAverageWindow(FloatScratch, Geometry.Channels, FloatMin, FloatMax));

    protected override void EvalQuantized<T>(ReadOnlySpan<T> input, Span<T> output) =>
        Pool2DDriver.Run(Geometry, input, output, new IntegerAverageWindow<T>(IntegerScratch, Geometry.Channels, QuantizedMin, QuantizedMax));
}
