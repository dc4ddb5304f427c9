using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class SubTests
{
    [Fact]
    public void Sub_F32_Kernel_MatchesHandComputed_WithBroadcast()
    {
        var output = Run(new SubKernel(), BuiltinOperator.SUB, [Float([2, 2], 1, 2, 3, 4), Float([2], 0.5f, 5f)], Float([1]),
            Options((0, (byte)FusedActivation.None)));
        Assert.Equal(new[] { 0.5f, -3f, 2.5f, -1f }, output.ToArray<float>());
    }

    [Fact]
    public void Sub_F32_Optimized_MatchesReference()
    {
        var a = RandomFloats(3 * 4 * 9, 11);
        var b = RandomFloats(4 * 1, 12);
        var output = Run(new SubKernel(), BuiltinOperator.SUB, [Float([3, 4, 9], a), Float([4, 1], b)], Float([1]), Options((0, (byte)FusedActivation.ReluN1To1)));
        var expected = new float[a.Length];
        AddReference.SubtractF32([3, 4, 9], a, [4, 1], b, expected, -1f, 1f);
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Fact]
    public void Sub_Int32_Kernel_Subtracts()
    {
        var output = Run(new SubKernel(), BuiltinOperator.SUB, [Int32([3], 1, -5, 10), Int32([3], 2, 2, 2)], Int32([3]), Options((0, (byte)FusedActivation.None)));
        Assert.Equal(new[] { -1, -7, 8 }, output.ToArray<int>());
    }

    [Fact]
    public void Sub_QU8_Rules_MatchHandComputed()
    {
        // Equal scales and zero points: the difference of stored values, offset by the output zero point.
        var reference = QuantizedAddParameters.Create(new(0.5f, 0), new(0.5f, 0), new(0.5f, 100), true, 0, 255);
        var xnnpack = XnnpackAddParameters.TryCreate(new(0.5f, 0), new(0.5f, 0), new(0.5f, 100), true, 0, 255)!.Value;
        foreach (var (a, b, expected) in new[] { (30, 10, 120), (10, 30, 80), (0, 200, 0), (255, 0, 255) })
        {
            Assert.Equal(expected, reference.Apply(a, b));
            Assert.Equal(expected, xnnpack.Apply(a, b));
        }
    }

    [Fact]
    public void Sub_QS8_Kernel_MatchesReference()
    {
        var a = RandomSBytes(24, 13);
        var b = RandomSBytes(24, 14);
        var output = Run(new SubKernel(), BuiltinOperator.SUB, [Int8([2, 12], 0.03f, 2, a), Int8([2, 12], 0.05f, -1, b)], Int8([2, 12], 0.06f, 0),
            Options((0, (byte)FusedActivation.None)));
        var p = XnnpackAddParameters.TryCreate(new(0.03f, 2), new(0.05f, -1), new(0.06f, 0), true, -128, 127)!.Value;
        var expected = new sbyte[24];
        AddReference.Quantized<sbyte>([2, 12], a, [2, 12], b, expected, p);
        Assert.Equal(expected, output.ToArray<sbyte>());
        for (int i = 0; i < 24; i++)
        {
            double exact = ((0.03 * (a[i] - 2)) - (0.05 * (b[i] + 1))) / 0.06;
            Assert.True(Math.Abs(output.ToArray<sbyte>()[i] - Math.Clamp(exact, -128, 127)) <= 0.5 + 1e-4);
        }
    }
}
