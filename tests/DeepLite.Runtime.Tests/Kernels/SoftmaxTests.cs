using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class SoftmaxTests
{
    [Fact]
    public void Softmax_F32_Kernel_MatchesHandComputed()
    {
        var output = Run(new SoftmaxKernel(), BuiltinOperator.SOFTMAX, [Float([2, 3], 1, 2, 3, 5, 5, 5)], Float([2, 3]), Options((0, 1f))).ToArray<float>();
        double total = Math.Exp(-2) + Math.Exp(-1) + 1;
        Assert.Equal(Math.Exp(-2) / total, output[0], 1e-6);
        Assert.Equal(Math.Exp(-1) / total, output[1], 1e-6);
        Assert.Equal(1 / total, output[2], 1e-6);
        Assert.All(output[3..], v => Assert.Equal(1f / 3, v, 1e-6f));
    }

    [Fact]
    public void Softmax_F32_Kernel_AppliesBeta()
    {
        var output = Run(new SoftmaxKernel(), BuiltinOperator.SOFTMAX, [Float([2], 0, 1)], Float([2]), Options((0, 2f))).ToArray<float>();
        Assert.Equal(1 / (1 + Math.Exp(2)), output[0], 1e-6);
    }

    [Fact]
    public void Softmax_QU8_IsWithinOneStepOfExact()
    {
        var values = RandomBytes(4 * 37, 71);
        var output = Run(new SoftmaxKernel(), BuiltinOperator.SOFTMAX, [UInt8([4, 37], 0.08f, 128, values)], UInt8([4, 37], 1f / 256, 0), Options((0, 1f)))
            .ToArray<byte>();
        AssertNearExact(values.Select(v => (int)v).ToArray(), output.Select(v => (int)v).ToArray(), 0.08, 37, 0);
    }

    [Fact]
    public void Softmax_QS8_IsWithinOneStepOfExact()
    {
        var values = RandomSBytes(3 * 10, 72);
        var output = Run(new SoftmaxKernel(), BuiltinOperator.SOFTMAX, [Int8([3, 10], 0.1f, 0, values)], Int8([3, 10], 1f / 256, -128), Options((0, 0.5f)))
            .ToArray<sbyte>();
        AssertNearExact(values.Select(v => (int)v).ToArray(), output.Select(v => (int)v).ToArray(), 0.1 * 0.5, 10, -128);
    }

    private static void AssertNearExact(int[] input, int[] output, double scaleTimesBeta, int depth, int zeroPoint)
    {
        for (int row = 0; row < input.Length / depth; row++)
        {
            var x = input.AsSpan(row * depth, depth).ToArray();
            double total = x.Sum(v => Math.Exp(scaleTimesBeta * (v - x.Max())));
            for (int j = 0; j < depth; j++)
            {
                double exact = Math.Min((Math.Exp(scaleTimesBeta * (x[j] - x.Max())) / total * 256) + zeroPoint, zeroPoint + 255);
                Assert.True(Math.Abs(output[(row * depth) + j] - exact) <= 1, $"row {row} item {j}: {output[(row * depth) + j]} vs {exact:F3}");
            }
        }
    }

    [Fact]
    public void Softmax_QU8_Reference_MatchesHandComputed()
    {
        // Two equal inputs: each probability is exactly 0.5 = 128/256.
        var table = SoftmaxReference.ExpTable(0.1f, 1f);
        var output = new byte[2];
        SoftmaxReference.Quantized<byte>([200, 200], output, 2, table, 1f / 256, 0);
        Assert.Equal(new byte[] { 128, 128 }, output);
        // A single element: probability 1.0 saturates at 255.
        var single = new byte[1];
        SoftmaxReference.Quantized<byte>([7], single, 1, table, 1f / 256, 0);
        Assert.Equal(255, single[0]);
    }

    [Fact]
    public void Softmax_QU8_Prepare_RequiresOutputScale1Over256AndZeroPoint0()
    {
        var badScale = Context(BuiltinOperator.SOFTMAX, [UInt8([4], 0.1f, 0)], UInt8([4], 1f / 128, 0), Options((0, 1f)));
        Assert.Throws<ModelFormatException>(() => new SoftmaxKernel().Prepare(badScale));
        var badZero = Context(BuiltinOperator.SOFTMAX, [Int8([4], 0.1f, 0)], Int8([4], 1f / 256, 0), Options((0, 1f)));
        Assert.Throws<ModelFormatException>(() => new SoftmaxKernel().Prepare(badZero));
    }

    [Fact]
    public void Softmax_Prepare_RejectsDifferentOutputType()
    {
        var context = Context(BuiltinOperator.SOFTMAX, [UInt8([4], 0.1f, 0)], Float([4]), Options((0, 1f)));
        Assert.Throws<UnsupportedOperatorException>(() => new SoftmaxKernel().Prepare(context));
    }
}
