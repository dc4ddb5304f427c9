using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>RELU, RELU6, LOGISTIC, TANH and HARD_SWISH.</summary>
public sealed class ActivationsTests
{
    private static readonly float[] Special = [-0f, 0f, -3f, 3f, 6f, -6f, 6.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];

    [Fact]
    public void Activations_F32_Vectorized_MatchesScalar_AtEveryLengthUpTo256()
    {
        for (int length = 0; length <= 256; length++)
        {
            var input = RandomFloats(length, 100 + length, -8f, 8f);
            Special.AsSpan(0, Math.Min(length, Special.Length)).CopyTo(input);
            ElementwiseTests.AssertSame(input, default(ReluOperator));
            ElementwiseTests.AssertSame(input, default(Relu6Operator));
            ElementwiseTests.AssertSame(input, default(HardSwishOperator));
        }
    }

    [Fact]
    public void Relu_F32_Kernel_MatchesHandComputed()
    {
        var input = Float([5], -2f, -0.5f, 0f, 0.5f, 7f);
        Assert.Equal(new[] { 0f, 0f, 0f, 0.5f, 7f }, Run(new ReluKernel(), BuiltinOperator.RELU, [input], Float([5])).ToArray<float>());
        Assert.Equal(new[] { 0f, 0f, 0f, 0.5f, 6f }, Run(new Relu6Kernel(), BuiltinOperator.RELU6, [input], Float([5])).ToArray<float>());
    }

    [Fact]
    public void Relu_QU8_Reference_MatchesHandComputed()
    {
        var input = new QuantizedOperand(0.1f, 128);
        var output = new QuantizedOperand(0.05f, 0);
        // (138 − 128) · 0.1 = 1.0 real = 20 output steps.
        Assert.Equal(20, ActivationsReference.ReluQuantized(138, FusedActivation.Relu, input, output, TensorType.UInt8));
        Assert.Equal(0, ActivationsReference.ReluQuantized(100, FusedActivation.Relu, input, output, TensorType.UInt8));
        // (255 − 128) · 0.1 = 12.7 real = 254 steps.
        Assert.Equal(254, ActivationsReference.ReluQuantized(255, FusedActivation.Relu, input, output, TensorType.UInt8));
        // RELU6 caps at 6.0 real = 120 steps.
        Assert.Equal(120, ActivationsReference.ReluQuantized(255, FusedActivation.Relu6, input, output, TensorType.UInt8));
    }

    [Fact]
    public void Relu6_QS8_Kernel_MatchesReference_ForEveryValue()
    {
        var values = Enumerable.Range(-128, 256).Select(v => (sbyte)v).ToArray();
        var output = Run(new Relu6Kernel(), BuiltinOperator.RELU6, [Int8([256], 0.07f, -3, values)], Int8([256], 0.03f, -128));
        var expected = values.Select(v => (sbyte)ActivationsReference.ReluQuantized(v, FusedActivation.Relu6, new(0.07f, -3), new(0.03f, -128), TensorType.Int8));
        Assert.Equal(expected, output.ToArray<sbyte>());
    }

    [Fact]
    public void Logistic_F32_Kernel_MatchesHandComputed()
    {
        var output = Run(new LogisticKernel(), BuiltinOperator.LOGISTIC, [Float([3], 0f, 2f, -100f)], Float([3])).ToArray<float>();
        Assert.Equal(0.5f, output[0]);
        Assert.Equal(1 / (1 + Math.Exp(-2)), output[1], 1e-6);
        Assert.Equal(0f, output[2]);
    }

    [Fact]
    public void Logistic_QU8_Kernel_MatchesReference_AndRoundsToNearest()
    {
        var values = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        var output = Run(new LogisticKernel(), BuiltinOperator.LOGISTIC, [UInt8([256], 0.05f, 128, values)], UInt8([256], 1f / 256, 0)).ToArray<byte>();
        for (int q = 0; q < 256; q++)
        {
            Assert.Equal(ActivationsReference.LogisticQuantized(q, new(0.05f, 128), new(1f / 256, 0), TensorType.UInt8), output[q]);
            double exact = 256 / (1 + Math.Exp(-0.05 * (q - 128)));
            Assert.True(Math.Abs(output[q] - Math.Min(exact, 255)) <= 0.5 + 1e-3, $"q={q}: {output[q]} vs {exact}");
        }
        Assert.Equal(128, output[128]);
    }

    [Fact]
    public void Logistic_QS8_RequiresOutputScaleOf1Over256()
    {
        var context = Context(BuiltinOperator.LOGISTIC, [Int8([2], 0.1f, 0, 1, 2)], Int8([2], 1f / 128, -128));
        Assert.Throws<ModelFormatException>(() => new LogisticKernel().Prepare(context));
    }

    [Fact]
    public void Tanh_QS8_Kernel_MatchesReference()
    {
        var values = Enumerable.Range(-128, 256).Select(v => (sbyte)v).ToArray();
        var output = Run(new TanhKernel(), BuiltinOperator.TANH, [Int8([256], 0.03f, 0, values)], Int8([256], 1f / 128, 0)).ToArray<sbyte>();
        for (int i = 0; i < 256; i++)
        {
            int q = values[i];
            Assert.Equal(ActivationsReference.TanhQuantized(q, new(0.03f, 0), new(1f / 128, 0), TensorType.Int8), output[i]);
            double exact = Math.Clamp(Math.Tanh(0.03 * q) * 128, -128, 127);
            Assert.True(Math.Abs(output[i] - exact) <= 0.5 + 1e-3, $"q={q}: {output[i]} vs {exact}");
        }
    }

    [Fact]
    public void Tanh_F32_Kernel_MatchesMathF()
    {
        var input = RandomFloats(33, 7);
        var output = Run(new TanhKernel(), BuiltinOperator.TANH, [Float([33], input)], Float([33])).ToArray<float>();
        Assert.Equal(input.Select(MathF.Tanh), output);
    }

    [Fact]
    public void HardSwish_F32_Kernel_MatchesHandComputed()
    {
        var output = Run(new HardSwishKernel(), BuiltinOperator.HARD_SWISH, [Float([5], -4f, -3f, 0f, 1.5f, 4f)], Float([5])).ToArray<float>();
        Assert.Equal(new[] { -0f, -0f, 0f, 1.5f * 4.5f / 6f, 4f }, output);
    }

    [Theory]
    [InlineData(0.05f, 128, 0.03f, 30)]
    [InlineData(0.1f, 100, 0.05f, 10)]
    [InlineData(0.02f, 0, 0.02f, 60)]
    public void HardSwish_QU8_Reference_IsWithinOneStepOfFloat(float inputScale, int inputZero, float outputScale, int outputZero)
    {
        var p = HardSwishParameters.Create(new(inputScale, inputZero), new(outputScale, outputZero))!.Value;
        for (int q = 0; q < 256; q++)
        {
            double x = inputScale * (q - inputZero);
            double exact = Math.Clamp((x * Math.Min(6, Math.Max(0, x + 3)) / 6 / outputScale) + outputZero, 0, 255);
            int actual = ActivationsReference.HardSwishQuantized(q, p, TensorType.UInt8);
            Assert.True(Math.Abs(actual - exact) <= 1, $"q={q}: {actual} vs {exact:F3}");
        }
    }

    [Fact]
    public void HardSwish_QS8_Kernel_MatchesReference()
    {
        var values = Enumerable.Range(-128, 256).Select(v => (sbyte)v).ToArray();
        var output = Run(new HardSwishKernel(), BuiltinOperator.HARD_SWISH, [Int8([256], 0.04f, 5, values)], Int8([256], 0.025f, -80)).ToArray<sbyte>();
        var p = HardSwishParameters.Create(new(0.04f, 5), new(0.025f, -80))!.Value;
        Assert.Equal(values.Select(v => (sbyte)ActivationsReference.HardSwishQuantized(v, p, TensorType.Int8)), output);
    }

    [Fact]
    public void Activations_RejectInt32()
    {
        var context = Context(BuiltinOperator.RELU, [Int32([2], 1, 2)], Int32([2]));
        Assert.Throws<UnsupportedOperatorException>(() => new ReluKernel().Prepare(context));
    }
}
