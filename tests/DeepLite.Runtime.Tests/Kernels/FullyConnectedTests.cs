using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class FullyConnectedTests
{
    private static FlatTable Options(FusedActivation activation = FusedActivation.None, int weightsFormat = 0, bool keepNumDims = false) =>
        ConvolutionTestSupport.Options((0, (int)activation, 1), (1, weightsFormat, 1), (2, keepNumDims ? 1 : 0, 1));

    [Fact]
    public void FullyConnected_F32_Reference_MatchesHandComputed()
    {
        // input [[1, 2, 3], [-1, 0, 1]], weights [[1, 0, -1], [2, 2, 2]], bias [0.5, -1]:
        // row 0: [1 - 3 + 0.5, 12 - 1] = [-1.5, 11]; row 1: [-1 - 1 + 0.5, 0 - 1] = [-1.5, -1].
        var output = new float[4];
        FullyConnectedReference.F32(new FullyConnectedShape(2, 3, 2), [1, 2, 3, -1, 0, 1], [1, 0, -1, 2, 2, 2], [0.5f, -1], output,
            float.NegativeInfinity, float.PositiveInfinity);
        Assert.Equal([-1.5f, 11f, -1.5f, -1f], output);
    }

    [Fact]
    public void FullyConnected_F32_Reference_NoBiasAndClamp()
    {
        var output = new float[2];
        FullyConnectedReference.F32(new FullyConnectedShape(1, 2, 2), [3, 4], [1, 1, -1, 0], [], output, 0, 6);
        Assert.Equal([6f, 0f], output);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 7, 5)]
    [InlineData(2, 64, 17)]
    [InlineData(4, 33, 31)]
    public void FullyConnected_F32_Reference_MatchesDoubleSum(int batches, int depth, int units)
    {
        var random = new Random(batches + depth + units);
        var input = ConvolutionTestSupport.RandomFloats(random, batches * depth);
        var weights = ConvolutionTestSupport.RandomFloats(random, units * depth);
        var bias = ConvolutionTestSupport.RandomFloats(random, units);
        var output = new float[batches * units];
        FullyConnectedReference.F32(new FullyConnectedShape(batches, depth, units), input, weights, bias, output, float.NegativeInfinity, float.PositiveInfinity);
        var expected = new float[batches * units];
        for (int b = 0; b < batches; b++)
        for (int u = 0; u < units; u++)
        {
            double sum = bias[u];
            for (int k = 0; k < depth; k++) sum += (double)input[b * depth + k] * weights[u * depth + k];
            expected[b * units + u] = (float)sum;
        }
        ConvolutionTestSupport.AssertClose(expected, output);
    }

    [Fact]
    public void FullyConnected_QU8_Reference_FollowsTfLiteRounding()
    {
        // input zp 128: [130, 129] = [2, 1]; weights zp 10: unit 0 [12, 11] = [2, 1] -> 5; unit 1 [8, 9] = [-2, -1] -> -5.
        // M = 0.5 is a multiplier 2^30 with shift 0, so only the doubling high multiply rounds: its exact halves go
        // toward +infinity, 2.5 -> 3 and -2.5 -> -2 (gemmlowp's rule); output zp 100 -> [103, 98].
        var q = ConvolutionTestSupport.Requantization(128, 10, 100, (0, 255), 0.5, 0.5);
        var output = new byte[2];
        FullyConnectedReference.Quantized<byte>(new FullyConnectedShape(1, 2, 2), q, [130, 129], [12, 11, 8, 9], [], output);
        Assert.Equal([103, 98], output);
    }

    [Fact]
    public void FullyConnected_QU8_Reference_FloatRuleRoundsHalfToEven()
    {
        // Accumulators [5, -5, 7] with scale 0.5: [2.5, -2.5, 3.5] -> [2, -2, 4]; output zp 100.
        var q = ConvolutionTestSupport.Requantization(RequantizationRule.Float, 128, 10, 100, (0, 255), 0.5, 0.5, 0.5);
        var output = new byte[3];
        FullyConnectedReference.Quantized<byte>(new FullyConnectedShape(1, 2, 3), q, [130, 129], [12, 11, 8, 9, 13, 11], [], output);
        Assert.Equal([102, 98, 104], output);
    }

    [Fact]
    public void FullyConnected_QC8_Reference_PerUnitMultipliersAndSaturation()
    {
        // input zp 0: [100, -100]; unit 0 [1, 0] -> 100 * 0.25 = 25; unit 1 [127, -127] -> 25400 -> saturates at 127; bias [4, 0].
        var q = ConvolutionTestSupport.Requantization(0, 0, -1, (-128, 127), 0.25, 1.0);
        var output = new sbyte[2];
        FullyConnectedReference.Quantized<sbyte>(new FullyConnectedShape(1, 2, 2), q, [100, -100], [1, 0, 127, -127], [4, 0], output);
        Assert.Equal([25, 127], output);
    }

    [Fact]
    public void FullyConnected_QU8_Reference_MatchesIntegerOracle()
    {
        var random = new Random(5);
        const int Batches = 3, Depth = 37, Units = 11;
        var input = ConvolutionTestSupport.RandomIntegers<byte>(random, Batches * Depth, 0, 255);
        var weights = ConvolutionTestSupport.RandomIntegers<byte>(random, Units * Depth, 0, 255);
        var bias = ConvolutionTestSupport.RandomIntegers<int>(random, Units, -5000, 5000);
        var q = ConvolutionTestSupport.Requantization(127, 140, 120, (0, 255), Enumerable.Repeat(0.0009, Units).ToArray());
        var output = new byte[Batches * Units];
        FullyConnectedReference.Quantized<byte>(new FullyConnectedShape(Batches, Depth, Units), q, input, weights, bias, output);
        for (int b = 0; b < Batches; b++)
        for (int u = 0; u < Units; u++)
        {
            int acc = bias[u];
            for (int k = 0; k < Depth; k++) acc += (input[b * Depth + k] - 127) * (weights[u * Depth + k] - 140);
            int expected = Math.Clamp(FixedPoint.MultiplyByQuantizedMultiplier(acc, q.OutputMultipliers[u], q.OutputShifts[u]) + 120, 0, 255);
            Assert.Equal(expected, output[b * Units + u]);
        }
    }

    [Fact]
    public void FullyConnected_F32_Kernel_FlattensLeadingDimensions()
    {
        // Input [2, 1, 3] is read as 2 rows of 3; output [2, 2].
        var input = ConvolutionTestSupport.Float([2, 1, 3], 1, 2, 3, -1, 0, 1);
        var weights = ConvolutionTestSupport.Float([2, 3], 1, 0, -1, 2, 2, 2);
        var bias = ConvolutionTestSupport.Float([2], 0.5f, -1);
        var output = Tensor.Create(TensorType.Float32, [2, 2]);
        ConvolutionTestSupport.Run(new FullyConnectedKernel(), ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], output, Options()));
        Assert.Equal([-1.5f, 11f, -1.5f, -1f], output.ToArray<float>());
    }

    [Fact]
    public void FullyConnected_F32_Kernel_KeepNumDimsAndRelu6()
    {
        var input = ConvolutionTestSupport.Float([1, 2, 3], 1, 2, 3, -1, 0, 1);
        var weights = ConvolutionTestSupport.Float([2, 3], 1, 0, -1, 2, 2, 2);
        var output = Tensor.Create(TensorType.Float32, [1, 2, 2]);
        ConvolutionTestSupport.Run(new FullyConnectedKernel(),
            ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED, [input, weights, null], output, Options(FusedActivation.Relu6, keepNumDims: true)));
        Assert.Equal([1, 2, 2], output.Shape.ToArray());
        Assert.Equal([0f, 6f, 0f, 0f], output.ToArray<float>());
    }

    [Fact]
    public void FullyConnected_QU8_Kernel_MatchesHandComputed()
    {
        var input = ConvolutionTestSupport.UInt8([1, 2], 1f, 128, 130, 129);
        var weights = ConvolutionTestSupport.UInt8([2, 2], 0.5f, 10, 12, 11, 8, 9);
        var output = ConvolutionTestSupport.UInt8([1, 2], 1f, 100);
        ConvolutionTestSupport.Run(new FullyConnectedKernel(), ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED, [input, weights, null], output, Options()));
        // Kernels use XNNPACK's rule: ±2.5 -> ±2 (half to even).
        Assert.Equal([102, 98], output.ToArray<byte>());
    }

    [Fact]
    public void FullyConnected_QC8_Kernel_PerUnitWeights()
    {
        var input = ConvolutionTestSupport.Int8([1, 2], 1f, 0, 100, -100);
        var weights = ConvolutionTestSupport.Int8PerChannel([2, 2], [0.25f, 1f], 0, 1, 0, 127, -127);
        var bias = ConvolutionTestSupport.Int32([2], 4, 0);
        var output = ConvolutionTestSupport.Int8([1, 2], 1f, -1);
        ConvolutionTestSupport.Run(new FullyConnectedKernel(), ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], output, Options()));
        Assert.Equal([25, 127], output.ToArray<sbyte>());
    }

    [Fact]
    public void FullyConnected_Prepare_RejectsInconsistentModels()
    {
        var output = Tensor.Create(TensorType.Float32, [1, 2]);
        // 5 input values cannot be rows of 3.
        var rows = ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED,
            [Tensor.Create(TensorType.Float32, [1, 5]), Tensor.Create(TensorType.Float32, [2, 3]), null], output, Options());
        Assert.Throws<ModelFormatException>(() => new FullyConnectedKernel().Prepare(rows));
        // Weights rank 3.
        var rank = ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED,
            [Tensor.Create(TensorType.Float32, [1, 3]), Tensor.Create(TensorType.Float32, [1, 2, 3]), null], output, Options());
        Assert.Throws<ModelFormatException>(() => new FullyConnectedKernel().Prepare(rank));
        // Bias length.
        var bias = ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED,
            [Tensor.Create(TensorType.Float32, [1, 3]), Tensor.Create(TensorType.Float32, [2, 3]), Tensor.Create(TensorType.Float32, [3])], output, Options());
        Assert.Throws<ModelFormatException>(() => new FullyConnectedKernel().Prepare(bias));
        // keep_num_dims with a last dimension different from the depth.
        var keep = ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED,
            [Tensor.Create(TensorType.Float32, [3, 2]), Tensor.Create(TensorType.Float32, [2, 3]), null], output, Options(keepNumDims: true));
        Assert.Throws<ModelFormatException>(() => new FullyConnectedKernel().Prepare(keep));
        // Zero-depth weights.
        var empty = ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED,
            [Tensor.Create(TensorType.Float32, [1, 3]), Tensor.Create(TensorType.Float32, [2, 0]), null], output, Options());
        Assert.Throws<ModelFormatException>(() => new FullyConnectedKernel().Prepare(empty));
    }

    [Fact]
    public void FullyConnected_Prepare_RejectsUnsupported()
    {
        var output = Tensor.Create(TensorType.Float32, [1, 2]);
        var shuffled = ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED,
            [Tensor.Create(TensorType.Float32, [1, 3]), Tensor.Create(TensorType.Float32, [2, 3]), null], output, Options(weightsFormat: 1));
        Assert.Throws<UnsupportedOperatorException>(() => new FullyConnectedKernel().Prepare(shuffled));
        var hybrid = ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED,
            [Tensor.Create(TensorType.Float32, [1, 3]), ConvolutionTestSupport.Int8([2, 3], 0.1f, 0, 1, 2, 3, 4, 5, 6), null], output, Options());
        Assert.Throws<UnsupportedOperatorException>(() => new FullyConnectedKernel().Prepare(hybrid));
        var mixed = ConvolutionTestSupport.Context(BuiltinOperator.FULLY_CONNECTED,
            [ConvolutionTestSupport.UInt8([1, 3], 1f, 0, 1, 2, 3), ConvolutionTestSupport.UInt8([2, 3], 1f, 0, 1, 2, 3, 4, 5, 6), null],
            ConvolutionTestSupport.Int8([1, 2], 1f, 0), Options());
        Assert.Throws<UnsupportedOperatorException>(() => new FullyConnectedKernel().Prepare(mixed));
    }
}
