using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class L2NormalizationTests
{
    private static readonly DeepLite.Runtime.Format.FlatTable NoActivation = Options((0, (byte)FusedActivation.None));

    [Fact]
    public void L2Normalization_F32_Kernel_MatchesHandComputed()
    {
        var output = Run(new L2NormalizationKernel(), BuiltinOperator.L2_NORMALIZATION, [Float([2, 2], 3, 4, 0, 0)], Float([2, 2]), NoActivation);
        Assert.Equal(new[] { 0.6f, 0.8f, 0f, 0f }, output.ToArray<float>());
    }

    [Fact]
    public void L2Normalization_QU8_IsWithinOneStepOfExact()
    {
        var values = RandomBytes(3 * 20, 81);
        var output = Run(new L2NormalizationKernel(), BuiltinOperator.L2_NORMALIZATION, [UInt8([3, 20], 0.1f, 120, values)], UInt8([3, 20], 1f / 128, 128), NoActivation)
            .ToArray<byte>();
        for (int row = 0; row < 3; row++)
        {
            var x = values.Skip(row * 20).Take(20).Select(v => v - 120.0).ToArray();
            double norm = Math.Sqrt(x.Sum(v => v * v));
            for (int j = 0; j < 20; j++)
            {
                double exact = Math.Clamp((x[j] / norm * 128) + 128, 0, 255);
                Assert.True(Math.Abs(output[(row * 20) + j] - exact) <= 1, $"{row},{j}: {output[(row * 20) + j]} vs {exact:F3}");
            }
        }
    }

    [Fact]
    public void L2Normalization_QS8_IsWithinOneStepOfExact()
    {
        var values = RandomSBytes(2 * 9, 82);
        var output = Run(new L2NormalizationKernel(), BuiltinOperator.L2_NORMALIZATION, [Int8([2, 9], 0.1f, 3, values)], Int8([2, 9], 1f / 128, 0), NoActivation)
            .ToArray<sbyte>();
        for (int row = 0; row < 2; row++)
        {
            var x = values.Skip(row * 9).Take(9).Select(v => v - 3.0).ToArray();
            double norm = Math.Sqrt(x.Sum(v => v * v));
            for (int j = 0; j < 9; j++)
            {
                double exact = Math.Clamp(x[j] / norm * 128, -128, 127);
                Assert.True(Math.Abs(output[(row * 9) + j] - exact) <= 1, $"{row},{j}: {output[(row * 9) + j]} vs {exact:F3}");
            }
        }
    }

    [Fact]
    public void L2Normalization_QU8_Prepare_RequiresTFLiteOutputQuantization()
    {
        var context = Context(BuiltinOperator.L2_NORMALIZATION, [UInt8([4], 0.1f, 0)], UInt8([4], 1f / 128, 0), NoActivation);
        Assert.Throws<ModelFormatException>(() => new L2NormalizationKernel().Prepare(context));
    }

    [Fact]
    public void L2Normalization_Prepare_RejectsFusedActivation()
    {
        var context = Context(BuiltinOperator.L2_NORMALIZATION, [Float([4])], Float([4]), Options((0, (byte)FusedActivation.Relu)));
        Assert.Throws<UnsupportedOperatorException>(() => new L2NormalizationKernel().Prepare(context));
    }
}
