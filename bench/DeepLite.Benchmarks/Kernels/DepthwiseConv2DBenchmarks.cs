using DeepLite.Runtime;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using DeepLite.Tests;

namespace DeepLite.Benchmarks.Kernels;

/// <summary>DEPTHWISE_CONV_2D 3x3, multiplier 1, at MobileNet layer shapes with stride 1 and 2; SAME padding,
/// fused ReLU6, batch 1.</summary>
public class DepthwiseConv2DBenchmarks : OperatorBenchmark
{
    public static IEnumerable<OperatorCase> Cases() =>
        from layer in Layers
        from type in BenchmarkTensors.DataTypes
        select Create(type, layer.Size, layer.Channels, layer.Stride);

    private static readonly (int Size, int Channels, int Stride)[] Layers = [(112, 32, 1), (56, 144, 1), (56, 144, 2), (14, 576, 1), (14, 576, 2)];

    private static OperatorCase Create(KernelDataType type, int size, int channels, int stride)
    {
        const int Kernel = 3;
        int outputSize = (size + stride - 1) / stride;
        int[] inputShape = [1, size, size, channels], filterShape = [1, Kernel, Kernel, channels], outputShape = [1, outputSize, outputSize, channels];
        long macs = BenchmarkTensors.Elements(outputShape) * Kernel * Kernel;
        long bytes = ((BenchmarkTensors.Elements(inputShape) + BenchmarkTensors.Elements(filterShape) + BenchmarkTensors.Elements(outputShape)) * BenchmarkTensors.ElementSize(type))
            + (4L * channels);
        return new OperatorCase($"3x3/{stride} {size}x{size}x{channels} {type}", macs, bytes, () =>
        {
            var random = new Random(BenchmarkTensors.Seed);
            var input = BenchmarkTensors.Input(type, inputShape, random);
            var filter = BenchmarkTensors.Weights(type, filterShape, random);
            var bias = BenchmarkTensors.Bias(type, input, filter, channels, random);
            var options = new FlatTableBuilder().Byte(0, (byte)Padding.Same).Int(1, stride).Int(2, stride).Int(3, 1).Byte(4, (byte)FusedActivation.Relu6);
            return new PreparedOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, filter, bias], BenchmarkTensors.Output(type, outputShape), options);
        });
    }
}
