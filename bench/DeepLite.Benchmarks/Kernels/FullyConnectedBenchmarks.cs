using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Benchmarks.Kernels;

/// <summary>FULLY_CONNECTED as MobileNet classifiers use it: one row of 1024 (v1) or 1280 (v2) features to 1001
/// classes, with bias and no activation.</summary>
public class FullyConnectedBenchmarks : OperatorBenchmark
{
    public static IEnumerable<OperatorCase> Cases() =>
        from depth in new[] { 1024, 1280 }
        from type in BenchmarkTensors.DataTypes
        select Create(type, depth, units: 1001);

    private static OperatorCase Create(KernelDataType type, int depth, int units)
    {
        long macs = (long)depth * units;
        long bytes = ((depth + macs + units) * BenchmarkTensors.ElementSize(type)) + (4L * units);
        return new OperatorCase($"1x{depth}->{units} {type}", macs, bytes, () =>
        {
            var random = new Random(BenchmarkTensors.Seed);
            var input = BenchmarkTensors.Input(type, [1, depth], random);
            var weights = BenchmarkTensors.Weights(type, [units, depth], random);
            var bias = BenchmarkTensors.Bias(type, input, weights, units, random);
            return new PreparedOperator(BuiltinOperator.FULLY_CONNECTED, [input, weights, bias], BenchmarkTensors.Output(type, [1, units]), new FlatTableBuilder().Byte(0, 0));
        });
    }
}
