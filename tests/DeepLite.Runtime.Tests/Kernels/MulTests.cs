using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class MulTests
{
    [Fact]
    public void Mul_F32_Kernel_MatchesHandComputed_WithRelu()
    {
        var output = Run(new MulKernel(), BuiltinOperator.MUL, [Float([2, 2], 1, -2, 3, 4), Float([1, 2], 2f, 0.5f)], Float([1]),
            Options((0, (byte)FusedActivation.Relu)));
        Assert.Equal(new[] { 2f, 0f, 6f, 2f }, output.ToArray<float>());
    }

    [Fact]
    public void Mul_F32_Optimized_MatchesReference()
    {
        var a = RandomFloats(5 * 3 * 10, 21);
        var b = RandomFloats(3 * 10, 22);
        var output = Run(new MulKernel(), BuiltinOperator.MUL, [Float([5, 3, 10], a), Float([3, 10], b)], Float([1]), Options((0, (byte)FusedActivation.None)));
        var expected = new float[a.Length];
        MulReference.F32([5, 3, 10], a, [3, 10], b, expected, float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Fact]
    public void Mul_Int32_Kernel_Multiplies()
    {
        var output = Run(new MulKernel(), BuiltinOperator.MUL, [Int32([3], 3, -5, 10), Int32([1], 4)], Int32([3]), Options((0, (byte)FusedActivation.None)));
        Assert.Equal(new[] { 12, -20, 40 }, output.ToArray<int>());
    }

    [Fact]
    public void QuantizedMul_Rules_MatchHandComputed()
    {
        // (12 − 2) · 0.5 × (7 − 3) · 0.25 = 5 · 1 = 5.0 real; output scale 0.1, zero point 20 → 70.
        var reference = QuantizedMulParameters.Create(new(0.5f, 2), new(0.25f, 3), new(0.1f, 20), 0, 255);
        var xnnpack = XnnpackMulParameters.TryCreate(new(0.5f, 2), new(0.25f, 3), new(0.1f, 20), 0, 255)!.Value;
        Assert.Equal(70, reference.Apply(12, 7));
        Assert.Equal(70, xnnpack.Apply(12, 7));
        Assert.Equal(255, xnnpack.Apply(255, 255));
    }

    [Fact]
    public void QuantizedMul_XnnpackRule_IsWithinOneStepOfReferenceRule()
    {
        var in1 = new QuantizedOperand(0.021f, -5);
        var in2 = new QuantizedOperand(0.013f, 9);
        var output = new QuantizedOperand(0.017f, 3);
        var reference = QuantizedMulParameters.Create(in1, in2, output, -128, 127);
        var xnnpack = XnnpackMulParameters.TryCreate(in1, in2, output, -128, 127)!.Value;
        for (int a = -128; a < 128; a++)
        {
            for (int b = -128; b < 128; b++)
            {
                Assert.True(Math.Abs(reference.Apply(a, b) - xnnpack.Apply(a, b)) <= 1);
            }
        }
    }

    [Fact]
    public void Mul_QU8_Kernel_MatchesReference_AndFallsBackOutsideXnnpackRange()
    {
        var a = RandomBytes(30, 23);
        var b = RandomBytes(30, 24);
        var output = Run(new MulKernel(), BuiltinOperator.MUL, [UInt8([30], 0.02f, 128, a), UInt8([30], 0.03f, 100, b)], UInt8([30], 0.01f, 128),
            Options((0, (byte)FusedActivation.None)));
        var p = XnnpackMulParameters.TryCreate(new(0.02f, 128), new(0.03f, 100), new(0.01f, 128), 0, 255)!.Value;
        var expected = new byte[30];
        MulReference.Quantized<byte>([30], a, [30], b, expected, p);
        Assert.Equal(expected, output.ToArray<byte>());

        // scale1 · scale2 / outScale = 1/100000 is below XNNPACK's 2^-16 limit.
        Assert.Null(XnnpackMulParameters.TryCreate(new(0.001f, 0), new(0.001f, 0), new(0.1f, 0), 0, 255));
        var small = Run(new MulKernel(), BuiltinOperator.MUL, [UInt8([1], 0.001f, 0, 250), UInt8([1], 0.001f, 0, 200)], UInt8([1], 0.1f, 0),
            Options((0, (byte)FusedActivation.None)));
        Assert.Equal(QuantizedMulParameters.Create(new(0.001f, 0), new(0.001f, 0), new(0.1f, 0), 0, 255).Apply(250, 200), small.ToArray<byte>()[0]);
    }
}
