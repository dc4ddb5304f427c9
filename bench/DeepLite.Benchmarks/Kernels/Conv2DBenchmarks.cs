using DeepLite.Runtime;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using DeepLite.Tests;

namespace DeepLite.Benchmarks.Kernels;

/// <summary>CONV_2D at MobileNet layer shapes: the 1x1 expansions of MobileNet v2 and the 3x3 stride-2 first layer;
/// SAME padding, fused ReLU6, batch 1.</summary>
public class Conv2DBenchmarks : OperatorBenchmark
{
    public static IEnumerable<OperatorCase> Cases() =>
        from layer in Layers
        from type in BenchmarkTensors.DataTypes
        select Create(type, layer.Kernel, layer.Size, layer.InputChannels, layer.OutputChannels, layer.Stride);

    private static readonly (int Kernel, int Size, int InputChannels, int OutputChannels, int Stride)[] Layers =
        [(1, 56, 24, 144, 1), (1, 14, 96, 576, 1), (1, 7, 160, 960, 1), (3, 224, 3, 32, 2)];

    private static OperatorCase Create(KernelDataType type, int kernel, int size, int inputChannels, int outputChannels, int stride)
    {
        int outputSize = (size + stride - 1) / stride;
        int[] inputShape = [1, size, size, inputChannels], filterShape = [outputChannels, kernel, kernel, inputChannels], outputShape = [1, outputSize, outputSize, outputChannels];
        long macs = BenchmarkTensors.Elements(outputShape) * kernel * kernel * inputChannels;
        long bytes = ((BenchmarkTensors.Elements(inputShape) + BenchmarkTensors.Elements(filterShape) + BenchmarkTensors.Elements(outputShape)) * BenchmarkTensors.ElementSize(type))
            + (4L * outputChannels);
        return new OperatorCase($"{kernel}x{kernel}/{stride} {size}x{size}x{inputChannels}->{outputChannels} {type}", macs, bytes, () =>
        {
            var random = new Random(BenchmarkTensors.Seed);
            var input = BenchmarkTensors.Input(type, inputShape, random, inputChannels == 3 ? BenchmarkTensors.Image : null);
            var filter = BenchmarkTensors.Weights(type, filterShape, random);
            var bias = BenchmarkTensors.Bias(type, input, filter, outputChannels, random);
            var options = new FlatTableBuilder().Byte(0, (byte)Padding.Same).Int(1, stride).Int(2, stride).Byte(3, (byte)FusedActivation.Relu6);
            return new PreparedOperator(BuiltinOperator.CONV_2D, [input, filter, bias], BenchmarkTensors.Output(type, outputShape), options);
        });
    }
}
