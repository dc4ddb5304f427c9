using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class ResizeBilinearTests
{
    private static float[] ResizeF32(float[] input, int inHeight, int inWidth, int outHeight, int outWidth, bool alignCorners = false, bool halfPixelCenters = false)
    {
        float[] output = new float[outHeight * outWidth];
        ResizeBilinearReference.ResizeF32(input, output, new ResizeParameters(1, inHeight, inWidth, 1, outHeight, outWidth, alignCorners, halfPixelCenters));
        return output;
    }

    [Fact]
    public void ResizeBilinear_F32_Reference_MatchesHandComputed()
    {
        Assert.Equal(
            [
                1f, 1.5f, 2, 2,
                2, 2.5f, 3, 3,
                3, 3.5f, 4, 4,
                3, 3.5f, 4, 4,
            ],
            ResizeF32([1, 2, 3, 4], 2, 2, 4, 4));
    }

    [Fact]
    public void ResizeBilinear_F32_Reference_HalfPixelCenters_MatchesTfLiteTestValues()
    {
        Assert.Equal(
            [
                1f, 1.25f, 1.75f, 2,
                1.5f, 1.75f, 2.25f, 2.5f,
                2.5f, 2.75f, 3.25f, 3.5f,
                3, 3.25f, 3.75f, 4,
            ],
            ResizeF32([1, 2, 3, 4], 2, 2, 4, 4, halfPixelCenters: true));
    }

    [Fact]
    public void ResizeBilinear_F32_Reference_AlignCorners()
    {
        Assert.Equal([1f, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4], ResizeF32([1, 2, 3, 4], 2, 2, 3, 3, alignCorners: true));
    }

    [Fact]
    public void ResizeBilinear_F32_Reference_DownscaleKeepsChannelsAndBatches()
    {
        // Two batches of a 2x2, 2-channel image reduced to 1x1: scale 2 picks pixel (0, 0).
        float[] input = [1, -1, 2, -2, 3, -3, 4, -4, 10, -10, 20, -20, 30, -30, 40, -40];
        float[] output = new float[4];
        ResizeBilinearReference.ResizeF32(input, output, new ResizeParameters(2, 2, 2, 2, 1, 1, false, false));
        Assert.Equal([1f, -1, 10, -10], output);
    }

    [Fact]
    public void ResizeBilinear_QU8_Reference_RoundsHalfUp()
    {
        // Column 1 blends 10 and 13 equally: 11.5 + 0.5 truncates to 12; 10 and 15 give 12.5 → 13.
        byte[] output = new byte[4];
        ResizeBilinearReference.ResizeQU8([10, 13], output, new ResizeParameters(1, 1, 2, 1, 1, 4, false, false));
        Assert.Equal(new byte[] { 10, 12, 13, 13 }, output);
        ResizeBilinearReference.ResizeQU8([10, 15], output, new ResizeParameters(1, 1, 2, 1, 1, 4, false, false));
        Assert.Equal(new byte[] { 10, 13, 15, 15 }, output);
    }

    [Theory]
    [InlineData(false, new sbyte[] { 127, 42, -43, -128, -128, -128, 96, 42, -11, -64, -64, -64, 64, 43, 21, 0, 0, 0, 64, 43, 21, 0, 0, 0 })]
    [InlineData(true, new sbyte[] { 127, 127, 42, -43, -128, -128, 111, 111, 42, -27, -96, -96, 80, 80, 43, 5, -32, -32, 64, 64, 43, 21, 0, 0 })]
    public void ResizeBilinear_QS8_Reference_MatchesTfLiteIntegerTestValues(bool halfPixelCenters, sbyte[] expected)
    {
        // TFLite's resize_bilinear_test (2x2 → 4x6, integer kernel).
        sbyte[] output = new sbyte[24];
        ResizeBilinearReference.ResizeQS8([127, -128, 64, 0], output, new ResizeParameters(1, 2, 2, 1, 4, 6, false, halfPixelCenters));
        Assert.Equal(expected, output);
    }

    [Fact]
    public void ResizeBilinear_QS8_Kernel_AlignCornersMidpoint()
    {
        // 1x2 → 1x3 with aligned corners: the middle column is (−3 + 4) / 2 = 0.5, rounded away from zero to 1.
        var q = new QuantizationParameters([0.5f], [0], 0);
        var input = ShapeOpTesting.SBytes([1, 1, 2, 1], q, -3, 4);
        var output = Tensor.Create(TensorType.Int8, [1], q);
        ShapeOpTesting.Run(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR, [input, ShapeOpTesting.Ints([2], 1, 3)], [output],
            ShapeOpTesting.Options((2, true)));
        Assert.Equal([1, 1, 3, 1], output.Shape.ToArray());
        Assert.Equal([-3, 1, 4], output.ToArray<sbyte>());
    }

    [Fact]
    public void ResizeBilinear_F32_Kernel_ReadsSizeAndOptions()
    {
        var input = ShapeOpTesting.Floats([1, 2, 2, 1], 1, 2, 3, 4);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR, [input, ShapeOpTesting.Ints([2], 4, 4)], [output],
            ShapeOpTesting.Options((3, true)));
        Assert.Equal([1, 4, 4, 1], output.Shape.ToArray());
        Assert.Equal(ResizeF32([1, 2, 3, 4], 2, 2, 4, 4, halfPixelCenters: true), output.ToArray<float>());
    }

    [Fact]
    public void ResizeBilinear_Prepare_RejectsBadSizesFlagsAndTypes()
    {
        var input = ShapeOpTesting.Floats([1, 2, 2, 1], 1, 2, 3, 4);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<ModelFormatException>(() => ShapeOpTesting.Run(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR,
            [input, ShapeOpTesting.Ints([2], 0, 4)], [output]));
        Assert.Throws<ModelFormatException>(() => ShapeOpTesting.Run(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR,
            [input, ShapeOpTesting.Ints([3], 4, 4, 4)], [output]));
        Assert.Throws<ModelFormatException>(() => ShapeOpTesting.Run(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR,
            [input, ShapeOpTesting.Ints([2], 4, 4)], [output], ShapeOpTesting.Options((2, true), (3, true))));
        Assert.Throws<ModelFormatException>(() => ShapeOpTesting.Run(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR,
            [ShapeOpTesting.Floats([2, 2], 1, 2, 3, 4), ShapeOpTesting.Ints([2], 4, 4)], [output]));
        Assert.Throws<UnsupportedOperatorException>(() => ShapeOpTesting.Run(new ResizeBilinearKernel(), BuiltinOperator.RESIZE_BILINEAR,
            [ShapeOpTesting.Int32s([1, 1, 1, 1], 1), ShapeOpTesting.Ints([2], 4, 4)], [Tensor.Create(TensorType.Int32, [1])]));
    }
}
