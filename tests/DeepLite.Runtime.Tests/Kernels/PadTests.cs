using System.Runtime.InteropServices;
using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class PadTests
{
    [Fact]
    public void Pad_F32_Reference_MatchesHandComputed()
    {
        // [[1, 2], [3, 4]] padded by one row before and (1, 2) columns.
        float[] output = new float[3 * 5];
        float[] input = [1, 2, 3, 4];
        PadReference.Pad(MemoryMarshal.AsBytes(input.AsSpan()), [2, 2], [1, 1], [0, 2], new byte[4],
            MemoryMarshal.AsBytes(output.AsSpan()));
        Assert.Equal(
            [
                0f, 0, 0, 0, 0,
                0, 1, 2, 0, 0,
                0, 3, 4, 0, 0,
            ],
            output);
    }

    [Fact]
    public void Pad_Reference_RepeatsMultiByteElements()
    {
        byte[] output = new byte[2 * 4];
        PadReference.Pad([1, 2], [1], [1], [2], [9, 8], output);
        Assert.Equal(new byte[] { 9, 8, 1, 2, 9, 8, 9, 8 }, output);
    }

    [Fact]
    public void PadV2_F32_Kernel_PadsWithTheValueInput()
    {
        var input = ShapeOpTesting.Floats([1, 1, 2, 1], 5, 6);
        var value = ShapeOpTesting.Floats([], 7);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PADV2, [input, ShapeOpTesting.Ints([4, 2], 0, 0, 1, 0, 0, 1, 0, 0), value], [output]);
        Assert.Equal([1, 2, 3, 1], output.Shape.ToArray());
        Assert.Equal([7f, 7, 7, 5, 6, 7], output.ToArray<float>());
    }

    [Fact]
    public void Pad_F32_Kernel_FourDimensions()
    {
        var input = ShapeOpTesting.Floats([1, 1, 2, 1], 5, 6);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, ShapeOpTesting.Ints([4, 2], 0, 0, 1, 0, 0, 1, 0, 1)], [output]);
        Assert.Equal([1, 2, 3, 2], output.Shape.ToArray());
        Assert.Equal([0f, 0, 0, 0, 0, 0, 5, 0, 6, 0, 0, 0], output.ToArray<float>());
    }

    [Fact]
    public void Pad_QU8_PadsWithZeroPoint()
    {
        var q = new QuantizationParameters([0.1f], [128], 0);
        var input = ShapeOpTesting.Bytes([2], q, 7, 9);
        var output = Tensor.Create(TensorType.UInt8, [1], q);
        ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, ShapeOpTesting.Ints([1, 2], 1, 2)], [output]);
        Assert.Equal([128, 7, 9, 128, 128], output.ToArray<byte>());
    }

    [Fact]
    public void Pad_QS8_PadsWithNegativeZeroPoint()
    {
        var q = new QuantizationParameters([0.1f], [-5], 0);
        var input = ShapeOpTesting.SBytes([1], q, 3);
        var output = Tensor.Create(TensorType.Int8, [1], q);
        ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, ShapeOpTesting.Ints([1, 2], 1, 1)], [output]);
        Assert.Equal([-5, 3, -5], output.ToArray<sbyte>());
    }

    [Fact]
    public void Pad_Int64_PadsWithZero()
    {
        var input = Tensor.Create(TensorType.Int64, [1]);
        input.CopyFrom<long>([-1]);
        var output = Tensor.Create(TensorType.Int64, [1]);
        ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, ShapeOpTesting.Ints([1, 2], 0, 1)], [output]);
        Assert.Equal([-1L, 0], output.ToArray<long>());
    }

    [Fact]
    public void Pad_EmptyInput_FillsWithPadValue()
    {
        var input = Tensor.Create(TensorType.Float32, [0, 2]);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, ShapeOpTesting.Ints([2, 2], 1, 0, 0, 0)], [output]);
        Assert.Equal([1, 2], output.Shape.ToArray());
        Assert.Equal([0f, 0], output.ToArray<float>());
    }

    [Fact]
    public void Pad_Prepare_RejectsNegativeOrMisshapenPaddings()
    {
        var input = ShapeOpTesting.Floats([2], 1, 2);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, ShapeOpTesting.Ints([1, 2], -1, 0)], [output]));
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, ShapeOpTesting.Ints([2, 2], 0, 0, 0, 0)], [output]));
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, ShapeOpTesting.Ints([2], 0, 0)], [output]));
    }

    [Fact]
    public void Pad_Prepare_RejectsPaddingsComputedAtRunTime()
    {
        var input = ShapeOpTesting.Floats([2], 1, 2);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<UnsupportedOperatorException>(() =>
            ShapeOpTesting.Run(new PadKernel(), BuiltinOperator.PAD, [input, Tensor.Create(TensorType.Int32, [1, 2])], [output]));
    }
}
