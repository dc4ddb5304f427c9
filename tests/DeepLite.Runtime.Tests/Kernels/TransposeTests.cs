using System.Runtime.InteropServices;
using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class TransposeTests
{
    [Fact]
    public void Transpose_F32_Reference_SwapsMatrixAxes()
    {
        float[] input = [1, 2, 3, 4, 5, 6];
        float[] output = new float[6];
        TransposeReference.Transpose(MemoryMarshal.AsBytes(input.AsSpan()), [2, 3], [1, 0], sizeof(float), MemoryMarshal.AsBytes(output.AsSpan()));
        Assert.Equal([1f, 4, 2, 5, 3, 6], output);
    }

    [Fact]
    public void Transpose_Int32_Kernel_RotatesThreeAxes()
    {
        // out[a, b, c] = in[b, c, a] with in = 0..11 over [2, 3, 2].
        var input = ShapeOpTesting.Int32s([2, 3, 2], Enumerable.Range(0, 12).ToArray());
        var output = Tensor.Create(TensorType.Int32, [1]);
        ShapeOpTesting.Run(new TransposeKernel(), BuiltinOperator.TRANSPOSE, [input, ShapeOpTesting.Ints([3], 2, 0, 1)], [output]);
        Assert.Equal([2, 2, 3], output.Shape.ToArray());
        Assert.Equal([0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11], output.ToArray<int>());
    }

    [Fact]
    public void Transpose_QS8_Kernel_SixDimensionsReversed()
    {
        var q = new QuantizationParameters([0.5f], [1], 0);
        var input = ShapeOpTesting.SBytes([2, 1, 1, 1, 1, 3], q, 1, 2, 3, 4, 5, 6);
        var output = Tensor.Create(TensorType.Int8, [1], q);
        ShapeOpTesting.Run(new TransposeKernel(), BuiltinOperator.TRANSPOSE, [input, ShapeOpTesting.Ints([6], 5, 4, 3, 2, 1, 0)], [output]);
        Assert.Equal([3, 1, 1, 1, 1, 2], output.Shape.ToArray());
        Assert.Equal([1, 4, 2, 5, 3, 6], output.ToArray<sbyte>());
    }

    [Fact]
    public void Transpose_Identity_CopiesUnchanged()
    {
        var input = ShapeOpTesting.Floats([2, 2], 1, 2, 3, 4);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new TransposeKernel(), BuiltinOperator.TRANSPOSE, [input, ShapeOpTesting.Ints([2], 0, 1)], [output]);
        Assert.Equal([1f, 2, 3, 4], output.ToArray<float>());
    }

    [Theory]
    [InlineData(new[] { 0, 0 })]
    [InlineData(new[] { 0, 2 })]
    [InlineData(new[] { -1, 0 })]
    [InlineData(new[] { 0 })]
    public void Transpose_Prepare_RejectsInvalidPermutations(int[] perm)
    {
        var input = ShapeOpTesting.Floats([2, 2], 1, 2, 3, 4);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new TransposeKernel(), BuiltinOperator.TRANSPOSE, [input, ShapeOpTesting.Ints([perm.Length], perm)], [output]));
    }

    [Fact]
    public void Transpose_Prepare_RejectsRankAboveSix()
    {
        var input = Tensor.Create(TensorType.Float32, [1, 1, 1, 1, 1, 1, 1]);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<UnsupportedOperatorException>(() =>
            ShapeOpTesting.Run(new TransposeKernel(), BuiltinOperator.TRANSPOSE, [input, ShapeOpTesting.Ints([7], 0, 1, 2, 3, 4, 5, 6)], [output]));
    }
}
