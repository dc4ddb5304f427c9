using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class StridedSliceTests
{
    private static StridedSlicePlan Plan(int[] shape, int[] begin, int[] end, int[] strides, StridedSliceMasks masks = default)
    {
        var plan = StridedSliceReference.Plan(shape, begin, end, strides, masks, DataMovement.MaxRank, out string error);
        Assert.True(plan is not null, error);
        return plan;
    }

    [Fact]
    public void StridedSlice_Plan_ForwardSlice()
    {
        var plan = Plan([4], [1], [3], [1]);
        Assert.Equal([2], plan.OutputShape);
        Assert.Equal([1], plan.Start);
    }

    [Fact]
    public void StridedSlice_Plan_StrideTwoOnOddLength_RoundsCountUp()
    {
        Assert.Equal([3], Plan([5], [0], [5], [2]).OutputShape);
        Assert.Equal([2], Plan([5], [1], [5], [2]).OutputShape);
    }

    [Fact]
    public void StridedSlice_Plan_NegativeIndicesAndStride()
    {
        // begin -1 → 4; end -6 → -1 after wrapping and clamping: all five elements backwards.
        var plan = Plan([5], [-1], [-6], [-1]);
        Assert.Equal([5], plan.OutputShape);
        Assert.Equal([4], plan.Start);
        Assert.Equal([-1], plan.Step);
    }

    [Fact]
    public void StridedSlice_Plan_MasksOverrideBeginAndEnd()
    {
        var plan = Plan([5], [2], [3], [-1], new StridedSliceMasks(Begin: 1, End: 1, 0, 0, 0, false));
        Assert.Equal([5], plan.OutputShape);
        Assert.Equal([4], plan.Start);
        Assert.Equal([3], Plan([5], [2], [3], [1], new StridedSliceMasks(0, End: 1, 0, 0, 0, false)).OutputShape);
    }

    [Fact]
    public void StridedSlice_Plan_OutOfRangeBoundsAreClamped()
    {
        Assert.Equal([4], Plan([4], [-100], [100], [1]).OutputShape);
        Assert.Equal([0], Plan([4], [3], [1], [1]).OutputShape);
    }

    [Fact]
    public void StridedSlice_Plan_ShrinkAxisDropsTheDimension()
    {
        var plan = Plan([3, 4], [-1, 0], [0, 4], [1, 1], new StridedSliceMasks(0, 0, 0, 0, ShrinkAxis: 1, false));
        Assert.Equal([4], plan.OutputShape);
        Assert.Equal([2, 0], plan.Start);
        Assert.Equal([1, 4], plan.Count);
    }

    [Fact]
    public void StridedSlice_Plan_EllipsisCoversTheMissingDimensions()
    {
        var plan = Plan([2, 3, 4], [0, 1], [0, 3], [1, 1], new StridedSliceMasks(0, 0, Ellipsis: 1, 0, 0, false));
        Assert.Equal([2, 3, 2], plan.OutputShape);
        Assert.Equal([0, 0, 1], plan.Start);
    }

    [Fact]
    public void StridedSlice_Plan_NewAxisInsertsSizeOne()
    {
        var plan = Plan([3], [0, 0], [0, 3], [1, 1], new StridedSliceMasks(0, 0, 0, NewAxis: 1, 0, false));
        Assert.Equal([1, 3], plan.OutputShape);
        Assert.Equal([1, 3], plan.EffectiveShape);
    }

    [Fact]
    public void StridedSlice_Plan_OffsetMakesEndRelativeToBegin()
    {
        var plan = Plan([5], [1], [2], [1], new StridedSliceMasks(0, 0, 0, 0, 0, Offset: true));
        Assert.Equal([2], plan.OutputShape);
        Assert.Equal([1], plan.Start);
    }

    [Fact]
    public void StridedSlice_Plan_DimensionsPastTheSpecAreWhole()
    {
        Assert.Equal([1, 3], Plan([2, 3], [1], [2], [1]).OutputShape);
    }

    [Theory]
    [InlineData(new[] { 3 }, new[] { 4 }, new[] { 1 }, 1)]
    [InlineData(new[] { -4 }, new[] { 0 }, new[] { -1 }, 1)]
    [InlineData(new[] { 0 }, new[] { 3 }, new[] { 0 }, 0)]
    [InlineData(new[] { 0, 0 }, new[] { 3 }, new[] { 1 }, 0)]
    public void StridedSlice_Plan_RejectsInvalidSlices(int[] begin, int[] end, int[] strides, int shrink)
    {
        Assert.Null(StridedSliceReference.Plan([3], begin, end, strides, new StridedSliceMasks(0, 0, 0, 0, shrink, false), DataMovement.MaxRank, out string error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void StridedSlice_Reference_NegativeSteps_ReverseBothAxes()
    {
        byte[] input = [0, 1, 2, 3, 4, 5];
        byte[] output = new byte[6];
        StridedSliceReference.StridedSlice(input, [2, 3], [1, 2], [-1, -1], [2, 3], 1, output);
        Assert.Equal(new byte[] { 5, 4, 3, 2, 1, 0 }, output);
    }

    [Fact]
    public void StridedSlice_F32_Kernel_StrideTwoBothAxes()
    {
        var input = ShapeOpTesting.Floats([3, 4], Enumerable.Range(0, 12).Select(i => (float)i).ToArray());
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new StridedSliceKernel(), BuiltinOperator.STRIDED_SLICE,
            [input, ShapeOpTesting.Ints([2], 0, 1), ShapeOpTesting.Ints([2], 3, 4), ShapeOpTesting.Ints([2], 2, 2)], [output]);
        Assert.Equal([2, 2], output.Shape.ToArray());
        Assert.Equal([1f, 3, 9, 11], output.ToArray<float>());
    }

    [Fact]
    public void StridedSlice_QU8_Kernel_ShrinkAndMasks()
    {
        // Row -1 (shrunk), columns from 1 to the end (end_mask on axis 1).
        var q = new QuantizationParameters([0.5f], [3], 0);
        var input = ShapeOpTesting.Bytes([2, 3], q, 1, 2, 3, 4, 5, 6);
        var output = Tensor.Create(TensorType.UInt8, [1], q);
        ShapeOpTesting.Run(new StridedSliceKernel(), BuiltinOperator.STRIDED_SLICE,
            [input, ShapeOpTesting.Ints([2], -1, 1), ShapeOpTesting.Ints([2], 0, 0), ShapeOpTesting.Ints([2], 1, 1)], [output],
            ShapeOpTesting.Options((1, 2), (4, 1)));
        Assert.Equal([2], output.Shape.ToArray());
        Assert.Equal([5, 6], output.ToArray<byte>());
    }

    [Fact]
    public void StridedSlice_Prepare_RejectsZeroStrideAndNonConstantBounds()
    {
        var input = ShapeOpTesting.Floats([3], 1, 2, 3);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<ModelFormatException>(() => ShapeOpTesting.Run(new StridedSliceKernel(), BuiltinOperator.STRIDED_SLICE,
            [input, ShapeOpTesting.Ints([1], 0), ShapeOpTesting.Ints([1], 3), ShapeOpTesting.Ints([1], 0)], [output]));
        Assert.Throws<UnsupportedOperatorException>(() => ShapeOpTesting.Run(new StridedSliceKernel(), BuiltinOperator.STRIDED_SLICE,
            [input, Tensor.Create(TensorType.Int32, [1]), ShapeOpTesting.Ints([1], 3), ShapeOpTesting.Ints([1], 1)], [output]));
    }
}
