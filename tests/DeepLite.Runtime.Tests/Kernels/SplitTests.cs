using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class SplitTests
{
    [Fact]
    public void Split_Reference_CopyPart_TakesTheMiddleThird()
    {
        // Input [2, 6] split in three along axis 1: part 1 takes columns 2 and 3 of each row.
        byte[] input = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15];
        byte[] output = new byte[4];
        SplitReference.CopyPart(input, output, outerCount: 2, inputBlock: 6, partBlock: 2, part: 1, elementSize: 1);
        Assert.Equal(new byte[] { 2, 3, 12, 13 }, output);
    }

    [Fact]
    public void Split_F32_Kernel_NegativeAxis()
    {
        var input = ShapeOpTesting.Floats([2, 4], 1, 2, 3, 4, 5, 6, 7, 8);
        var first = Tensor.Create(TensorType.Float32, [1]);
        var second = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new SplitKernel(), BuiltinOperator.SPLIT, [ShapeOpTesting.Ints([], -1), input], [first, second], ShapeOpTesting.Options((0, 2)));
        Assert.Equal([2, 2], first.Shape.ToArray());
        Assert.Equal([1f, 2, 5, 6], first.ToArray<float>());
        Assert.Equal([3f, 4, 7, 8], second.ToArray<float>());
    }

    [Fact]
    public void Split_QU8_Kernel_FirstAxis()
    {
        var q = new QuantizationParameters([0.5f], [3], 0);
        var input = ShapeOpTesting.Bytes([3, 1], q, 7, 8, 9);
        var outputs = Enumerable.Range(0, 3).Select(_ => Tensor.Create(TensorType.UInt8, [1], q)).ToArray();
        ShapeOpTesting.Run(new SplitKernel(), BuiltinOperator.SPLIT, [ShapeOpTesting.Ints([1], 0), input], outputs, ShapeOpTesting.Options((0, 3)));
        Assert.Equal([[7], [8], [9]], outputs.Select(o => o.ToArray<byte>()).ToArray());
        Assert.All(outputs, o => Assert.Equal([1, 1], o.Shape.ToArray()));
    }

    [Fact]
    public void Split_Prepare_RejectsUnevenSplitAndCountMismatch()
    {
        var input = ShapeOpTesting.Floats([3], 1, 2, 3);
        Tensor[] two = [Tensor.Create(TensorType.Float32, [1]), Tensor.Create(TensorType.Float32, [1])];
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new SplitKernel(), BuiltinOperator.SPLIT, [ShapeOpTesting.Ints([], 0), input], two, ShapeOpTesting.Options((0, 2))));
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new SplitKernel(), BuiltinOperator.SPLIT, [ShapeOpTesting.Ints([], 0), input], two, ShapeOpTesting.Options((0, 3))));
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new SplitKernel(), BuiltinOperator.SPLIT, [ShapeOpTesting.Ints([], 1), input], two, ShapeOpTesting.Options((0, 2))));
    }

    [Fact]
    public void Split_Prepare_RejectsRequantizingOutput()
    {
        var input = ShapeOpTesting.Bytes([2], new QuantizationParameters([0.5f], [3], 0), 1, 2);
        Tensor[] outputs = [Tensor.Create(TensorType.UInt8, [1], new QuantizationParameters([0.5f], [3], 0)), Tensor.Create(TensorType.UInt8, [1], new QuantizationParameters([1f], [3], 0))];
        Assert.Throws<UnsupportedOperatorException>(() =>
            ShapeOpTesting.Run(new SplitKernel(), BuiltinOperator.SPLIT, [ShapeOpTesting.Ints([], 0), input], outputs, ShapeOpTesting.Options((0, 2))));
    }
}
