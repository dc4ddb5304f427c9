using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class PowTests
{
    [Fact]
    public void Pow_F32_Kernel_MatchesMathF_WithBroadcast()
    {
        var a = RandomFloats(12, 41, 0.1f, 2f);
        var b = new[] { 0.5f, 2f, -1.5f };
        var output = Run(new PowKernel(), BuiltinOperator.POW, [Float([4, 3], a), Float([3], b)], Float([4, 3]));
        Assert.Equal(a.Select((x, i) => MathF.Pow(x, b[i % 3])), output.ToArray<float>());
        var expected = new float[12];
        PowReference.F32([4, 3], a, [3], b, expected);
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Fact]
    public void Pow_Int32_Kernel_MatchesHandComputed()
    {
        var output = Run(new PowKernel(), BuiltinOperator.POW, [Int32([5], 2, -3, 0, 7, 1), Int32([5], 10, 3, 0, 1, 31)], Int32([5]));
        Assert.Equal(new[] { 1024, -27, 1, 7, 1 }, output.ToArray<int>());
    }

    [Fact]
    public void Pow_Int32_Eval_FailsOnNegativeExponent()
    {
        var kernel = new PowKernel();
        var context = Context(BuiltinOperator.POW, [Int32([2], 2, 3), Int32([2], 1, -1)], Int32([2]));
        kernel.Prepare(context);
        Assert.Throws<DeepLiteException>(() => kernel.Eval(context));
    }

    [Fact]
    public void Pow_QU8_IsUnsupported()
    {
        var context = Context(BuiltinOperator.POW, [UInt8([1], 1f, 0, 1), UInt8([1], 1f, 0, 2)], UInt8([1], 1f, 0));
        Assert.Throws<UnsupportedOperatorException>(() => new PowKernel().Prepare(context));
    }
}
