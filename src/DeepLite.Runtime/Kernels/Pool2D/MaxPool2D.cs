namespace DeepLite.Runtime.Kernels;

/// <summary>
/// MAX_POOL_2D over NHWC (float32, uint8, int8): the largest in-bounds input value under each window, then
/// the fused activation (<see cref="MaxPool2DReference"/>). Options: Pool2DOptions.
/// </summary>
internal sealed class MaxPool2DKernel : Pool2DKernel
{
    protected override string Name => "MAX_POOL_2D";

    protected override void EvalFloat(ReadOnlySpan<float> input, Span<float> output) =>
        Pool2DDriver.Run(Geometry, input, output, new FloatMaxWindow(FloatScratch, Geometry.Channels, FloatMin, FloatMax));

    protected override void EvalQuantized<T>(ReadOnlySpan<T> input, Span<T> output) =>
        Pool2DDriver.Run(Geometry, input, output, new IntegerMaxWindow<T>(IntegerScratch, Geometry.Channels, QuantizedMin, QuantizedMax));
}
