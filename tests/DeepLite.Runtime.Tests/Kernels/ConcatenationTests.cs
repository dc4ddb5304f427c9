using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class ConcatenationTests
{
    [Fact]
    public void Concatenation_F32_LastAxis_MatchesHandComputed()
    {
        var a = ShapeOpTesting.Floats([2, 1], 1, 2);
        var b = ShapeOpTesting.Floats([2, 2], 3, 4, 5, 6);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a, b], [output], ShapeOpTesting.Options((0, -1)));
        Assert.Equal([2, 3], output.Shape.ToArray());
        Assert.Equal([1f, 3, 4, 2, 5, 6], output.ToArray<float>());
    }

    [Fact]
    public void Concatenation_Int32_FirstAxis_ThreeInputs()
    {
        var a = ShapeOpTesting.Int32s([1, 2], 1, 2);
        var b = ShapeOpTesting.Int32s([2, 2], 3, 4, 5, 6);
        var c = ShapeOpTesting.Int32s([0, 2]);
        var output = Tensor.Create(TensorType.Int32, [1]);
        ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a, c, b], [output], ShapeOpTesting.Options((0, 0)));
        Assert.Equal([3, 2], output.Shape.ToArray());
        Assert.Equal([1, 2, 3, 4, 5, 6], output.ToArray<int>());
    }

    [Fact]
    public void Concatenation_Reference_CopyPart_PlacesSlabs()
    {
        // Output [2, 5] along axis 1: this input is [2, 2] and starts at column 3.
        byte[] output = new byte[10];
        ConcatenationReference.CopyPart([1, 2, 3, 4], output, new ConcatenationPart(2, 2, 5, 3), 1);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 2, 0, 0, 0, 3, 4 }, output);
    }

    [Fact]
    public void Concatenation_QU8_Reference_RoundsHalfAwayFromZeroAndSaturates()
    {
        // scale = 0.5 * (1 / 1) = 0.5, bias = 0: 1 → 0.5 → 1, 3 → 1.5 → 2, 5 → 2.5 → 3.
        var half = ConcatenationRequantization.Create(0.5f, 0, 1f, 0);
        byte[] output = new byte[4];
        ConcatenationReference.RequantizePart<byte>([1, 3, 5, 255], output, new ConcatenationPart(1, 4, 4, 0), half);
        Assert.Equal(new byte[] { 1, 2, 3, 128 }, output);

        // scale = 0.5 * 4 = 2, bias = -20, output zero point 5.
        var wide = ConcatenationRequantization.Create(0.5f, 10, 0.25f, 5);
        ConcatenationReference.RequantizePart<byte>([10, 11, 0, 255], output, new ConcatenationPart(1, 4, 4, 0), wide);
        Assert.Equal(new byte[] { 5, 7, 0, 255 }, output);
    }

    [Fact]
    public void Concatenation_QS8_Reference_RoundsHalfAwayFromZero()
    {
        var requantization = ConcatenationRequantization.Create(0.5f, 0, 1f, -1);
        sbyte[] output = new sbyte[4];
        ConcatenationReference.RequantizePart<sbyte>([-3, -128, 127, 0], output, new ConcatenationPart(1, 4, 4, 0), requantization);
        Assert.Equal(new sbyte[] { -3, -65, 63, -1 }, output);
    }

    [Fact]
    public void Concatenation_QU8_MixedQuantization_CopiesMatchingInputAndRequantizesTheOther()
    {
        var outputQuantization = new QuantizationParameters([0.25f], [5], 0);
        var same = ShapeOpTesting.Bytes([1, 2], outputQuantization, 200, 201);
        var other = ShapeOpTesting.Bytes([1, 2], new QuantizationParameters([0.5f], [10], 0), 10, 11);
        var output = Tensor.Create(TensorType.UInt8, [1], outputQuantization);
        ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [same, other], [output], ShapeOpTesting.Options((0, 1)));
        Assert.Equal([1, 4], output.Shape.ToArray());
        Assert.Equal([200, 201, 5, 7], output.ToArray<byte>());
    }

    [Fact]
    public void Concatenation_QS8_DifferentScale_Requantizes()
    {
        var a = ShapeOpTesting.SBytes([2], new QuantizationParameters([0.5f], [0], 0), -3, 4);
        var output = Tensor.Create(TensorType.Int8, [1], new QuantizationParameters([1f], [-1], 0));
        ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a], [output], ShapeOpTesting.Options((0, 0)));
        Assert.Equal([-3, 1], output.ToArray<sbyte>());
    }

    [Fact]
    public void Concatenation_Prepare_RejectsFusedActivation()
    {
        var a = ShapeOpTesting.Floats([1], 1);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<UnsupportedOperatorException>(() =>
            ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a, a], [output], ShapeOpTesting.Options((0, 0), (1, (byte)1))));
    }

    [Fact]
    public void Concatenation_Prepare_RejectsMismatchedShapesTypesAndAxes()
    {
        var output = Tensor.Create(TensorType.Float32, [1]);
        var a = ShapeOpTesting.Floats([2, 1], 1, 2);
        var b = ShapeOpTesting.Floats([3, 1], 1, 2, 3);
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a, b], [output], ShapeOpTesting.Options((0, 1))));
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a, a], [output], ShapeOpTesting.Options((0, 2))));
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a, ShapeOpTesting.Floats([2], 1, 2)], [output], ShapeOpTesting.Options((0, 0))));
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a, ShapeOpTesting.Int32s([2, 1], 1, 2)], [output], ShapeOpTesting.Options((0, 0))));
    }

    [Fact]
    public void Concatenation_Prepare_RejectsInt16Requantization()
    {
        var a = Tensor.Create(TensorType.Int16, [2], new QuantizationParameters([0.5f], [0], 0));
        var output = Tensor.Create(TensorType.Int16, [2], new QuantizationParameters([1f], [0], 0));
        Assert.Throws<UnsupportedOperatorException>(() =>
            ShapeOpTesting.Run(new ConcatenationKernel(), BuiltinOperator.CONCATENATION, [a], [output], ShapeOpTesting.Options((0, 0))));
    }
}
