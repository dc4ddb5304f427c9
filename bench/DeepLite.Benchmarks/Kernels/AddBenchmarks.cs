using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Benchmarks.Kernels;

/// <summary>ADD of two same-shape tensors, as MobileNet v2's residual connections use it (no activation); uint8 operands
/// and output have different scales, so every value is rescaled.</summary>
public class AddBenchmarks : OperatorBenchmark
{
    public static IEnumerable<OperatorCase> Cases() =>
        from layer in Layers
        from type in BenchmarkTensors.DataTypes
        select Create(type, layer.Size, layer.Channels);

    private static readonly (int Size, int Channels)[] Layers = [(56, 24), (14, 96)];

    private static OperatorCase Create(KernelDataType type, int size, int channels)
    {
        int[] shape = [1, size, size, channels];
        long bytes = 3 * BenchmarkTensors.Elements(shape) * BenchmarkTensors.ElementSize(type);
        return new OperatorCase($"{size}x{size}x{channels} {type}", multiplyAccumulates: 0, bytes, () =>
        {
            var random = new Random(BenchmarkTensors.Seed);
            var a = BenchmarkTensors.Input(type, shape, random, new QuantizationParameters([0.15f], [122], 0));
            var b = BenchmarkTensors.Input(type, shape, random, new QuantizationParameters([0.1f], [130], 0));
            var output = BenchmarkTensors.Output(type, shape, new QuantizationParameters([0.2f], [125], 0));
            return new PreparedOperator(BuiltinOperator.ADD, [a, b], output, new FlatTableBuilder().Byte(0, 0));
        });
    }
}
