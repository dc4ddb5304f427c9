using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class SquaredDifferenceTests
{
    [Fact]
    public void SquaredDifference_F32_Kernel_MatchesHandComputed()
    {
        var output = Run(new SquaredDifferenceKernel(), BuiltinOperator.SQUARED_DIFFERENCE, [Float([3], 1, 2, -3), Float([1], 2)], Float([3]));
        Assert.Equal(new[] { 1f, 0f, 25f }, output.ToArray<float>());
    }

    [Fact]
    public void SquaredDifference_F32_Optimized_MatchesReference()
    {
        var a = RandomFloats(2 * 19, 31);
        var b = RandomFloats(19, 32);
        var output = Run(new SquaredDifferenceKernel(), BuiltinOperator.SQUARED_DIFFERENCE, [Float([2, 19], a), Float([19], b)], Float([2, 19]));
        var expected = new float[a.Length];
        SquaredDifferenceReference.F32([2, 19], a, [19], b, expected);
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Fact]
    public void SquaredDifference_QS8_IsWithinOneStepOfExact()
    {
        var a = RandomSBytes(64, 33);
        var b = RandomSBytes(64, 34);
        var output = Run(new SquaredDifferenceKernel(), BuiltinOperator.SQUARED_DIFFERENCE, [Int8([64], 0.02f, 1, a), Int8([64], 0.03f, -2, b)], Int8([64], 0.05f, -128))
            .ToArray<sbyte>();
        var p = QuantizedSquaredDifferenceParameters.Create(new(0.02f, 1), new(0.03f, -2), new(0.05f, -128));
        var expected = new sbyte[64];
        SquaredDifferenceReference.Int8([64], a, [64], b, expected, p);
        Assert.Equal(expected, output);
        for (int i = 0; i < 64; i++)
        {
            double d = (0.02 * (a[i] - 1)) - (0.03 * (b[i] + 2));
            double exact = Math.Clamp((d * d / 0.05) - 128, -128, 127);
            Assert.True(Math.Abs(output[i] - exact) <= 1, $"{i}: {output[i]} vs {exact}");
        }
    }

    [Fact]
    public void SquaredDifference_QU8_IsUnsupported()
    {
        var context = Context(BuiltinOperator.SQUARED_DIFFERENCE, [UInt8([1], 1f, 0, 1), UInt8([1], 1f, 0, 2)], UInt8([1], 1f, 0));
        Assert.Throws<UnsupportedOperatorException>(() => new SquaredDifferenceKernel().Prepare(context));
    }
}
