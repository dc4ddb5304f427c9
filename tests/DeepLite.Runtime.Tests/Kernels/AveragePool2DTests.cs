using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class AveragePool2DTests
{
    internal static FlatTable PoolOptions(Padding padding, int stride, int filter, FusedActivation activation = FusedActivation.None) =>
        Options((0, (byte)padding), (1, stride), (2, stride), (3, filter), (4, filter), (5, (byte)activation));

    internal static Pool2DGeometry Geometry(int batches, int height, int width, int channels, Padding padding, int stride, int filter)
    {
        int Output(int size) => padding == Padding.Same ? (size + stride - 1) / stride : ((size - filter) / stride) + 1;
        int Pad(int size, int output) => Math.Max(((output - 1) * stride) + filter - size, 0) / 2;
        int outputHeight = Output(height), outputWidth = Output(width);
        return new Pool2DGeometry(batches, height, width, channels, outputHeight, outputWidth, stride, stride, filter, filter,
            Pad(height, outputHeight), Pad(width, outputWidth));
    }

    public static TheoryData<int, int, int, Padding, int, int> Geometries() => new()
    {
        { 5, 5, 1, Padding.Same, 1, 3 },
        { 7, 6, 7, Padding.Same, 2, 3 },
        { 7, 7, 8, Padding.Valid, 7, 7 },
        { 9, 4, 9, Padding.Valid, 2, 2 },
        { 6, 6, 17, Padding.Same, 3, 2 },
        { 3, 5, 33, Padding.Same, 1, 4 },
    };

    [Fact]
    public void AveragePool2D_F32_Reference_ExcludesPaddingFromTheCount()
    {
        // 3x3 input, 3x3 window, SAME, stride 1: the corner window sees 4 values, the centre 9.
        var g = Geometry(1, 3, 3, 1, Padding.Same, 1, 3);
        var input = new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var output = new float[9];
        AveragePool2DReference.F32(g, input, output, float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal((1 + 2 + 4 + 5) / 4f, output[0]);
        Assert.Equal(5f, output[4]);
        Assert.Equal((5 + 6 + 8 + 9) / 4f, output[8]);
        Assert.Equal((1 + 2 + 3 + 4 + 5 + 6) / 6f, output[1]);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void AveragePool2D_F32_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter)
    {
        var g = Geometry(2, height, width, channels, padding, stride, filter);
        var input = RandomFloats(2 * height * width * channels, height * 100 + channels);
        var expected = new float[2 * g.OutputHeight * g.OutputWidth * channels];
        AveragePool2DReference.F32(g, input, expected, 0f, 6f);
        var actual = new float[expected.Length];
        Pool2DMicrokernels.AverageF32(g, input, actual, 0f, 6f, VectorTiers.Best, 0, actual.Length / channels);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void AveragePool2D_QS8_Optimized_MatchesReference(int height, int width, int channels, Padding padding, int stride, int filter)
    {
        var g = Geometry(1, height, width, channels, padding, stride, filter);
        var input = RandomSBytes(height * width * channels, height + channels);
        var expected = new sbyte[g.OutputHeight * g.OutputWidth * channels];
        AveragePool2DReference.Quantized<sbyte>(g, input, expected, -100, 127);
        var actual = new sbyte[expected.Length];
        Pool2DMicrokernels.AverageQ8<sbyte>(g, input, actual, -100, 127, VectorTiers.Best, 0, actual.Length / channels);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void AveragePool2D_Quantized_RoundsHalfAwayFromZero()
    {
        Assert.Equal(3, AveragePool2DReference.RoundedDivide(5, 2));
        Assert.Equal(-3, AveragePool2DReference.RoundedDivide(-5, 2));
        Assert.Equal(2, AveragePool2DReference.RoundedDivide(9, 4));
        Assert.Equal(-2, AveragePool2DReference.RoundedDivide(-9, 4));
        Assert.Equal(3, AveragePool2DReference.RoundedDivide(10, 4));
        Assert.Equal(-3, AveragePool2DReference.RoundedDivide(-10, 4));
    }

    [Fact]
    public void AveragePool2D_QU8_Kernel_MatchesHandComputed()
    {
        // 2x2 window, stride 2, VALID over a 2x4x1 input.
        var input = UInt8([1, 2, 4, 1], 0.1f, 10, 1, 2, 10, 11, 3, 4, 12, 12);
        var output = Run(new AveragePool2DKernel(), BuiltinOperator.AVERAGE_POOL_2D, [input], UInt8([1, 1, 2, 1], 0.1f, 10), PoolOptions(Padding.Valid, 2, 2));
        Assert.Equal([1, 1, 2, 1], output.Shape.ToArray());
        Assert.Equal(new byte[] { 3, 11 }, output.ToArray<byte>());
    }

    [Fact]
    public void AveragePool2D_F32_Kernel_AppliesFusedActivation()
    {
        var input = Float([1, 2, 2, 2], 1, -8, 3, -8, 5, -8, 7, -8);
        var output = Run(new AveragePool2DKernel(), BuiltinOperator.AVERAGE_POOL_2D, [input], Float([1, 1, 1, 2]),
            PoolOptions(Padding.Valid, 1, 2, FusedActivation.Relu));
        Assert.Equal(new[] { 4f, 0f }, output.ToArray<float>());
    }

    [Fact]
    public void AveragePool2D_Prepare_RejectsRank3Input()
    {
        var context = Context(BuiltinOperator.AVERAGE_POOL_2D, [Float([2, 2, 1])], Float([1, 1, 1]), PoolOptions(Padding.Valid, 1, 2));
        Assert.Throws<ModelFormatException>(() => new AveragePool2DKernel().Prepare(context));
    }

    [Fact]
    public void AveragePool2D_Prepare_RejectsZeroStride()
    {
        var context = Context(BuiltinOperator.AVERAGE_POOL_2D, [Float([1, 2, 2, 1])], Float([1, 1, 1, 1]), PoolOptions(Padding.Valid, 0, 2));
        Assert.Throws<ModelFormatException>(() => new AveragePool2DKernel().Prepare(context));
    }

    [Fact]
    public void AveragePool2D_Prepare_RejectsFilterLargerThanValidInput()
    {
        var context = Context(BuiltinOperator.AVERAGE_POOL_2D, [Float([1, 2, 2, 1])], Float([1, 1, 1, 1]), PoolOptions(Padding.Valid, 1, 3));
        Assert.Throws<ModelFormatException>(() => new AveragePool2DKernel().Prepare(context));
    }

    [Fact]
    public void AveragePool2D_QU8_Prepare_RejectsRequantization()
    {
        var context = Context(BuiltinOperator.AVERAGE_POOL_2D, [UInt8([1, 2, 2, 1], 0.1f, 0)], UInt8([1, 1, 1, 1], 0.2f, 0), PoolOptions(Padding.Valid, 1, 2));
        Assert.Throws<UnsupportedOperatorException>(() => new AveragePool2DKernel().Prepare(context));
    }
}
