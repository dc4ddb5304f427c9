using DeepLite.Runtime.Kernels;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>ABS, SQRT, RSQRT and the shared unary driver.</summary>
public sealed class ElementwiseTests
{
    [Fact]
    public void UnaryDriver_Vectorized_MatchesScalar_AtEveryLengthUpTo256()
    {
        for (int length = 0; length <= 256; length++)
        {
            var input = RandomFloats(length, length, -9f, 9f);
            new[] { -0f, 0f, 4f, float.NaN }.AsSpan(0, Math.Min(length, 4)).CopyTo(input);
            AssertSame(input, default(AbsOperator));
            AssertSame(input, default(SqrtOperator));
            AssertSame(input, default(RsqrtOperator));
        }
    }

    /// <summary>Checks that the vectorized driver gives exactly the scalar results for <paramref name="input"/>.</summary>
    internal static void AssertSame<TOperator>(float[] input, TOperator op) where TOperator : struct, IVectorUnaryOperator
    {
        var scalar = new float[input.Length];
        var vector = new float[input.Length];
        UnaryDriver.Map(input, scalar, op);
        UnaryDriver.MapVectorized(input, vector, op);
        Assert.Equal(scalar, vector);
    }

    [Fact]
    public void UnaryDriver_Lookup_IndexesInt8ByTwosComplementByte()
    {
        var table = Enumerable.Range(0, 256).Select(i => (byte)(255 - i)).ToArray();
        var input = new sbyte[] { -128, -1, 0, 127 };
        var output = new byte[4];
        UnaryDriver.Lookup(System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()), output, table);
        Assert.Equal(new byte[] { 127, 0, 255, 128 }, output);
    }

    [Fact]
    public void Abs_F32_Kernel_MatchesHandComputed()
    {
        var output = Run(new AbsKernel(), BuiltinOperator.ABS, [Float([2, 3], -1.5f, 0f, 2f, -0f, -7.25f, 3f)], Float([2, 3]));
        Assert.Equal(new[] { 1.5f, 0f, 2f, 0f, 7.25f, 3f }, output.ToArray<float>());
        Assert.Equal([2, 3], output.Shape.ToArray());
    }

    [Fact]
    public void Abs_QS8_Reference_MatchesHandComputed()
    {
        var same = new QuantizedOperand(0.5f, 3);
        Assert.Equal(7 + 3, ElementwiseReference.AbsQuantized(-4, same, same, TensorType.Int8));
        var input = new QuantizedOperand(0.5f, 0);
        var output = new QuantizedOperand(0.25f, -10);
        // |-4| · 0.5 = 2.0 real = 8 output steps, plus zero point -10.
        Assert.Equal(-2, ElementwiseReference.AbsQuantized(-4, input, output, TensorType.Int8));
        // |-128| · 0.5 = 64 real = 256 steps: saturates at 127.
        Assert.Equal(127, ElementwiseReference.AbsQuantized(-128, input, output, TensorType.Int8));
    }

    [Fact]
    public void Abs_QS8_Kernel_MatchesReference_ForEveryValue()
    {
        var values = Enumerable.Range(-128, 256).Select(v => (sbyte)v).ToArray();
        var output = Run(new AbsKernel(), BuiltinOperator.ABS, [Int8([256], 0.3f, 5, values)], Int8([256], 0.2f, -20));
        var expected = values.Select(v => (sbyte)ElementwiseReference.AbsQuantized(v, new(0.3f, 5), new(0.2f, -20), TensorType.Int8));
        Assert.Equal(expected, output.ToArray<sbyte>());
    }

    [Fact]
    public void Abs_QU8_IsUnsupported()
    {
        var context = Context(BuiltinOperator.ABS, [UInt8([2], 1f, 0, 1, 2)], UInt8([2], 1f, 0));
        Assert.Throws<UnsupportedOperatorException>(() => new AbsKernel().Prepare(context));
    }

    [Fact]
    public void Unary_Prepare_RejectsTypeMismatch()
    {
        var context = Context(BuiltinOperator.SQRT, [Float([2], 1f, 4f)], Int8([2], 1f, 0));
        Assert.Throws<ModelFormatException>(() => new SqrtKernel().Prepare(context));
    }

    [Fact]
    public void Sqrt_F32_Kernel_MatchesHandComputed()
    {
        var output = Run(new SqrtKernel(), BuiltinOperator.SQRT, [Float([4], 4f, 0.25f, 0f, 2f)], Float([4]));
        Assert.Equal(new[] { 2f, 0.5f, 0f, MathF.Sqrt(2f) }, output.ToArray<float>());
    }

    [Fact]
    public void Sqrt_QS8_Reference_TruncatesLikeTFLite()
    {
        var input = new QuantizedOperand(0.25f, -100);
        var output = new QuantizedOperand(0.1f, -128);
        // q = -96: real 1.0, √1 / 0.1 = 10 → -118.
        Assert.Equal(-118, ElementwiseReference.SqrtQuantized(-96, input, output, TensorType.Int8));
        // q = -98: real 0.5, √0.5 / 0.1 = 7.07 → truncated to 7 → -121.
        Assert.Equal(-121, ElementwiseReference.SqrtQuantized(-98, input, output, TensorType.Int8));
    }

    [Fact]
    public void Sqrt_QS8_Eval_FailsOnNegativeInput()
    {
        var kernel = new SqrtKernel();
        var context = Context(BuiltinOperator.SQRT, [Int8([3], 0.25f, 0, 4, 0, -1)], Int8([3], 0.1f, 0));
        kernel.Prepare(context);
        Assert.Throws<DeepLiteException>(() => kernel.Eval(context));
    }

    [Fact]
    public void Rsqrt_F32_Kernel_MatchesHandComputed()
    {
        var output = Run(new RsqrtKernel(), BuiltinOperator.RSQRT, [Float([3], 4f, 0.25f, 16f)], Float([3]));
        Assert.Equal(new[] { 0.5f, 2f, 0.25f }, output.ToArray<float>());
    }

    [Fact]
    public void Rsqrt_QS8_Reference_IsWithinOneStepOfExact()
    {
        var input = new QuantizedOperand(0.05f, -128);
        var output = new QuantizedOperand(1f / 32, -128);
        for (int q = -127; q <= 127; q++)
        {
            double exact = 1 / Math.Sqrt(0.05 * (q + 128)) * 32 - 128;
            double expected = Math.Clamp(exact, -128, 127);
            int actual = ElementwiseReference.RsqrtQuantized(q, input, output, TensorType.Int8);
            Assert.True(Math.Abs(actual - expected) <= 1, $"q={q}: {actual} vs exact {expected:F3}");
        }
        Assert.Equal(127, ElementwiseReference.RsqrtQuantized(-128, input, output, TensorType.Int8));
    }

    [Fact]
    public void Rsqrt_QS8_Kernel_MatchesReference()
    {
        var values = Enumerable.Range(-10, 138).Select(v => (sbyte)v).ToArray();
        var output = Run(new RsqrtKernel(), BuiltinOperator.RSQRT, [Int8([values.Length], 0.02f, -10, values)], Int8([values.Length], 0.05f, 0));
        var expected = values.Select(v => (sbyte)ElementwiseReference.RsqrtQuantized(v, new(0.02f, -10), new(0.05f, 0), TensorType.Int8));
        Assert.Equal(expected, output.ToArray<sbyte>());
    }

    [Fact]
    public void InverseSqrtMultiplier_IsAccurate()
    {
        Assert.Equal((int.MaxValue, 0), InverseSqrtMultiplier.Compute(1, -1));
        Assert.Equal((int.MaxValue, 0), InverseSqrtMultiplier.Compute(0, -1));
        foreach (int x in new[] { 2, 3, 4, 17, 100, 255 * 255, 1 << 20, (1 << 29) + 12345, int.MaxValue })
        {
            var (multiplier, shift) = InverseSqrtMultiplier.Compute(x, -1);
            double value = multiplier * Math.Pow(2, shift - 31);
            Assert.True(Math.Abs(value * Math.Sqrt(x) - 1) < 1e-5, $"x={x}: {value} vs {1 / Math.Sqrt(x)}");
        }
    }
}
