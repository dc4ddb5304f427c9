using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class PreluTests
{
    [Fact]
    public void Prelu_F32_Kernel_MatchesHandComputed_WithChannelAlpha()
    {
        var input = Float([1, 2, 2, 2], -1, 2, -3, -4, 5, -6, 0, -8);
        var alpha = Constant(TensorType.Float32, [1, 1, 2], new[] { 0.5f, 0.25f });
        var output = Run(new PreluKernel(), BuiltinOperator.PRELU, [input, alpha], Float([1, 2, 2, 2]));
        Assert.Equal(new[] { -0.5f, 2f, -1.5f, -1f, 5f, -1.5f, 0f, -2f }, output.ToArray<float>());
    }

    [Fact]
    public void Prelu_F32_Optimized_MatchesReference()
    {
        var x = RandomFloats(2 * 5 * 19, 51);
        var alpha = RandomFloats(19, 52, 0f, 1f);
        var output = Run(new PreluKernel(), BuiltinOperator.PRELU, [Float([2, 5, 19], x), Float([19], alpha)], Float([2, 5, 19]));
        var expected = new float[x.Length];
        PreluReference.F32([2, 5, 19], x, [19], alpha, expected);
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Fact]
    public void Prelu_QU8_Reference_MatchesHandComputed()
    {
        // Input scale 0.1, zero point 100; alpha scale 0.01, zero point 0; output scale 0.05, zero point 120.
        var p = QuantizedPreluParameters.Create(new(0.1f, 100), new(0.01f, 0), new(0.05f, 120), TensorType.UInt8);
        // q = 110: +1.0 real → 20 steps → 140.
        Assert.Equal(140, p.Apply(110, 50));
        // q = 80: −2.0 real, alpha 50 · 0.01 = 0.5 → −1.0 real → −20 steps → 100.
        Assert.Equal(100, p.Apply(80, 50));
    }

    [Fact]
    public void Prelu_QS8_Kernel_MatchesReference()
    {
        var x = RandomSBytes(3 * 8, 53);
        var alpha = RandomSBytes(8, 54);
        var output = Run(new PreluKernel(), BuiltinOperator.PRELU, [Int8([3, 8], 0.05f, 3, x), Int8([8], 0.004f, -100, alpha)], Int8([3, 8], 0.04f, -5));
        var expected = new sbyte[x.Length];
        PreluReference.Quantized<sbyte>([3, 8], x, [8], alpha, expected,
            QuantizedPreluParameters.Create(new(0.05f, 3), new(0.004f, -100), new(0.04f, -5), TensorType.Int8));
        Assert.Equal(expected, output.ToArray<sbyte>());
    }

    [Fact]
    public void Prelu_Prepare_RejectsAlphaThatGrowsTheInput()
    {
        var context = Context(BuiltinOperator.PRELU, [Float([1, 3]), Float([2, 1])], Float([1, 3]));
        Assert.Throws<ModelFormatException>(() => new PreluKernel().Prepare(context));
    }
}
