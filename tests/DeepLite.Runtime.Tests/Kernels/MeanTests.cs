using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class MeanTests
{
    private static Tensor Axes(params int[] axes) => Constant(TensorType.Int32, [axes.Length], axes);

    [Fact]
    public void Mean_F32_Kernel_MatchesHandComputed_OverHeightAndWidth()
    {
        var input = Float([1, 2, 2, 2], 1, 10, 2, 20, 3, 30, 4, 40);
        var kept = Run(new MeanKernel(), BuiltinOperator.MEAN, [input, Axes(1, 2)], Float([1]), Options((0, true)));
        Assert.Equal([1, 1, 1, 2], kept.Shape.ToArray());
        Assert.Equal(new[] { 2.5f, 25f }, kept.ToArray<float>());
        var dropped = Run(new MeanKernel(), BuiltinOperator.MEAN, [input, Axes(2, -3)], Float([1]), Options((0, false)));
        Assert.Equal([1, 2], dropped.Shape.ToArray());
        Assert.Equal(new[] { 2.5f, 25f }, dropped.ToArray<float>());
    }

    [Fact]
    public void Mean_F32_Kernel_IgnoresRepeatedAxes_AndReducesEverything()
    {
        var input = Float([2, 3], 1, 2, 3, 4, 5, 6);
        var output = Run(new MeanKernel(), BuiltinOperator.MEAN, [input, Axes(0, 1, -1)], Float([1]), Options((0, false)));
        Assert.Empty(output.Shape.ToArray());
        Assert.Equal(new[] { 3.5f }, output.ToArray<float>());
    }

    public static TheoryData<int[], int[]> Reductions() => new()
    {
        { [2, 3, 4, 5], [1, 2] },
        { [2, 3, 4, 5], [0] },
        { [2, 3, 4, 5], [3] },
        { [2, 3, 4, 5], [0, 2] },
        { [2, 3, 4, 5], [1, 3] },
        { [1, 7, 1, 9], [1] },
        { [3, 1, 6], [0, 1, 2] },
        { [4, 9], [] },
        { [2, 2, 2, 2, 2], [0, 2, 4] },
    };

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Mean_F32_Kernel_MatchesReference(int[] shape, int[] axes)
    {
        var values = RandomFloats(Product(shape), shape.Sum() + axes.Length);
        var output = Run(new MeanKernel(), BuiltinOperator.MEAN, [Float(shape, values), Axes(axes)], Float([1]), Options((0, true)));
        var expected = new float[output.ElementCount];
        MeanReference.F32(shape, values, axes, expected);
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void Mean_QU8_Kernel_MatchesReference(int[] shape, int[] axes)
    {
        var values = RandomBytes(Product(shape), shape.Sum());
        var output = Run(new MeanKernel(), BuiltinOperator.MEAN, [UInt8(shape, 0.1f, 120, values), Axes(axes)], UInt8([1], 0.05f, 100), Options((0, false)));
        var p = QuantizedMeanParameters.Create(new(0.1f, 120), new(0.05f, 100), axes.Distinct().Select(a => shape[a]).Aggregate(1, (x, y) => x * y), TensorType.UInt8);
        var expected = new byte[output.ElementCount];
        MeanReference.Quantized<byte>(shape, values, axes, expected, p);
        Assert.Equal(expected, output.ToArray<byte>());
    }

    [Fact]
    public void Mean_QS8_Reference_IsWithinOneStepOfExact()
    {
        int[] shape = [1, 7, 7, 16];
        var values = RandomSBytes(Product(shape), 61);
        var output = Run(new MeanKernel(), BuiltinOperator.MEAN, [Int8(shape, 0.07f, -3, values), Axes(1, 2)], Int8([1], 0.03f, 5), Options((0, true)))
            .ToArray<sbyte>();
        for (int c = 0; c < 16; c++)
        {
            double sum = 0;
            for (int i = 0; i < 49; i++) sum += values[(i * 16) + c] + 3;
            double exact = Math.Clamp((sum / 49 * 0.07 / 0.03) + 5, -128, 127);
            Assert.True(Math.Abs(output[c] - exact) <= 1, $"channel {c}: {output[c]} vs {exact:F3}");
        }
    }

    [Fact]
    public void QuantizedMean_Parameters_MatchHandComputed()
    {
        // Equal scales: the rounded average of the centred values, plus the output zero point.
        var p = QuantizedMeanParameters.Create(new(0.5f, 10), new(0.5f, 20), 4, TensorType.UInt8);
        // Centred values 2, 1, 4, 3 average 2.5, which rounds away from zero to 3.
        Assert.Equal(20 + 3, p.Apply(12 + 11 + 14 + 13));
        // Four zeros: centred −10 each, average −10, output 20 − 10.
        Assert.Equal(10, p.Apply(0));
    }

    [Fact]
    public void Mean_Prepare_RejectsAxisOutOfRange()
    {
        var context = Context(BuiltinOperator.MEAN, [Float([2, 3]), Axes(2)], Float([2]), Options((0, false)));
        Assert.Throws<ModelFormatException>(() => new MeanKernel().Prepare(context));
    }

    [Fact]
    public void Mean_Prepare_RejectsNonConstantAxes()
    {
        var context = Context(BuiltinOperator.MEAN, [Float([2, 3]), Int32([1], 1)], Float([2]), Options((0, false)));
        Assert.Throws<UnsupportedOperatorException>(() => new MeanKernel().Prepare(context));
    }
}
