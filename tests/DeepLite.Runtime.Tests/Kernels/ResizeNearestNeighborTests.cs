using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class ResizeNearestNeighborTests
{
    [Theory]
    [InlineData(2, 4, false, false, new[] { 0, 0, 1, 1 })]
    [InlineData(2, 3, true, false, new[] { 0, 1, 1 })]
    [InlineData(2, 3, false, true, new[] { 0, 1, 1 })]
    [InlineData(4, 2, false, false, new[] { 0, 2 })]
    [InlineData(4, 2, false, true, new[] { 1, 3 })]
    [InlineData(3, 1, true, false, new[] { 0 })]
    public void ResizeNearestNeighbor_SourceIndex_MatchesHandComputed(int inputSize, int outputSize, bool alignCorners, bool halfPixelCenters, int[] expected)
    {
        int[] actual = Enumerable.Range(0, outputSize)
            .Select(d => ResizeNearestNeighborReference.SourceIndex(d, inputSize, outputSize, alignCorners, halfPixelCenters))
            .ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ResizeNearestNeighbor_F32_Kernel_Doubles()
    {
        var input = ShapeOpTesting.Floats([1, 2, 2, 1], 1, 2, 3, 4);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new ResizeNearestNeighborKernel(), BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, [input, ShapeOpTesting.Ints([2], 4, 4)], [output]);
        Assert.Equal([1, 4, 4, 1], output.Shape.ToArray());
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], output.ToArray<float>());
    }

    [Fact]
    public void ResizeNearestNeighbor_QU8_Kernel_AlignCornersKeepsChannelsTogether()
    {
        // 2x2 pixels of 2 channels → 3x3 with aligned corners: source columns and rows 0, 1, 1.
        var q = new QuantizationParameters([0.5f], [3], 0);
        var input = ShapeOpTesting.Bytes([1, 2, 2, 2], q, 1, 11, 2, 12, 3, 13, 4, 14);
        var output = Tensor.Create(TensorType.UInt8, [1], q);
        ShapeOpTesting.Run(new ResizeNearestNeighborKernel(), BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, [input, ShapeOpTesting.Ints([2], 3, 3)], [output],
            ShapeOpTesting.Options((0, true)));
        Assert.Equal([1, 3, 3, 2], output.Shape.ToArray());
        Assert.Equal([1, 11, 2, 12, 2, 12, 3, 13, 4, 14, 4, 14, 3, 13, 4, 14, 4, 14], output.ToArray<byte>());
    }

    [Fact]
    public void ResizeNearestNeighbor_Int64_Kernel_HalfPixelCenters()
    {
        var input = Tensor.Create(TensorType.Int64, [1, 1, 2, 1]);
        input.CopyFrom<long>([long.MinValue, long.MaxValue]);
        var output = Tensor.Create(TensorType.Int64, [1]);
        ShapeOpTesting.Run(new ResizeNearestNeighborKernel(), BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, [input, ShapeOpTesting.Ints([2], 1, 3)], [output],
            ShapeOpTesting.Options((1, true)));
        Assert.Equal([long.MinValue, long.MaxValue, long.MaxValue], output.ToArray<long>());
    }

    [Fact]
    public void ResizeNearestNeighbor_Prepare_RejectsBothFlagsAndRequantization()
    {
        var input = ShapeOpTesting.Floats([1, 2, 2, 1], 1, 2, 3, 4);
        Assert.Throws<ModelFormatException>(() => ShapeOpTesting.Run(new ResizeNearestNeighborKernel(), BuiltinOperator.RESIZE_NEAREST_NEIGHBOR,
            [input, ShapeOpTesting.Ints([2], 4, 4)], [Tensor.Create(TensorType.Float32, [1])], ShapeOpTesting.Options((0, true), (1, true))));
        var quantized = ShapeOpTesting.Bytes([1, 1, 1, 1], new QuantizationParameters([0.5f], [3], 0), 1);
        Assert.Throws<UnsupportedOperatorException>(() => ShapeOpTesting.Run(new ResizeNearestNeighborKernel(), BuiltinOperator.RESIZE_NEAREST_NEIGHBOR,
            [quantized, ShapeOpTesting.Ints([2], 2, 2)], [Tensor.Create(TensorType.UInt8, [1], new QuantizationParameters([0.5f], [4], 0))]));
    }
}
