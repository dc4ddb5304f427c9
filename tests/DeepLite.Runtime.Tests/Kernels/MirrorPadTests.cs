using System.Runtime.InteropServices;
using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class MirrorPadTests
{
    [Theory]
    [InlineData(MirrorPadMode.Reflect, new[] { 3, 2, 1, 2, 3, 2, 1 })]
    [InlineData(MirrorPadMode.Symmetric, new[] { 2, 1, 1, 2, 3, 3, 2 })]
    public void MirrorPad_Int32_Reference_OneDimension(MirrorPadMode mode, int[] expected)
    {
        int[] input = [1, 2, 3];
        int[] output = new int[7];
        MirrorPadReference.MirrorPad(MemoryMarshal.AsBytes(input.AsSpan()), [3], [2], [2], mode, sizeof(int), MemoryMarshal.AsBytes(output.AsSpan()));
        Assert.Equal(expected, output);
    }

    [Fact]
    public void MirrorPad_SourceIndex_MapsBothBorders()
    {
        // Size 4, positions -3..6.
        int[] reflect = Enumerable.Range(-3, 10).Select(p => MirrorPadReference.SourceIndex(p, 4, MirrorPadMode.Reflect)).ToArray();
        int[] symmetric = Enumerable.Range(-3, 10).Select(p => MirrorPadReference.SourceIndex(p, 4, MirrorPadMode.Symmetric)).ToArray();
        Assert.Equal([3, 2, 1, 0, 1, 2, 3, 2, 1, 0], reflect);
        Assert.Equal([2, 1, 0, 0, 1, 2, 3, 3, 2, 1], symmetric);
    }

    [Fact]
    public void MirrorPad_Int32_Kernel_TwoDimensionsReflect()
    {
        // [[1, 2, 3], [4, 5, 6]] padded (1, 1) rows and (2, 0) columns.
        var input = ShapeOpTesting.Int32s([2, 3], 1, 2, 3, 4, 5, 6);
        var output = Tensor.Create(TensorType.Int32, [1]);
        ShapeOpTesting.Run(new MirrorPadKernel(), BuiltinOperator.MIRROR_PAD, [input, ShapeOpTesting.Ints([2, 2], 1, 1, 2, 0)], [output]);
        Assert.Equal([4, 5], output.Shape.ToArray());
        Assert.Equal(
            [
                6, 5, 4, 5, 6,
                3, 2, 1, 2, 3,
                6, 5, 4, 5, 6,
                3, 2, 1, 2, 3,
            ],
            output.ToArray<int>());
    }

    [Fact]
    public void MirrorPad_F32_Kernel_SymmetricPadsByFullSize()
    {
        var input = ShapeOpTesting.Floats([1, 2], 1, 2);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new MirrorPadKernel(), BuiltinOperator.MIRROR_PAD, [input, ShapeOpTesting.Ints([2, 2], 0, 0, 2, 2)], [output],
            ShapeOpTesting.Options((0, (byte)MirrorPadMode.Symmetric)));
        Assert.Equal([2f, 1, 1, 2, 2, 1], output.ToArray<float>());
    }

    [Fact]
    public void MirrorPad_QU8_Kernel_CopiesStoredValues()
    {
        var q = new QuantizationParameters([0.5f], [3], 0);
        var input = ShapeOpTesting.Bytes([2], q, 10, 20);
        var output = Tensor.Create(TensorType.UInt8, [1], q);
        ShapeOpTesting.Run(new MirrorPadKernel(), BuiltinOperator.MIRROR_PAD, [input, ShapeOpTesting.Ints([1, 2], 1, 1)], [output]);
        Assert.Equal([20, 10, 20, 10], output.ToArray<byte>());
    }

    [Theory]
    [InlineData(MirrorPadMode.Reflect, 3)]
    [InlineData(MirrorPadMode.Symmetric, 4)]
    public void MirrorPad_Prepare_RejectsPaddingsBeyondTheMirror(MirrorPadMode mode, int padding)
    {
        var input = ShapeOpTesting.Floats([3], 1, 2, 3);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new MirrorPadKernel(), BuiltinOperator.MIRROR_PAD, [input, ShapeOpTesting.Ints([1, 2], 0, padding)], [output],
                ShapeOpTesting.Options((0, (byte)mode))));
    }

    [Fact]
    public void MirrorPad_Prepare_RejectsUnknownMode()
    {
        var input = ShapeOpTesting.Floats([3], 1, 2, 3);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new MirrorPadKernel(), BuiltinOperator.MIRROR_PAD, [input, ShapeOpTesting.Ints([1, 2], 1, 1)], [output],
                ShapeOpTesting.Options((0, (byte)2))));
    }
}
