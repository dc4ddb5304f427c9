using DeepLite.Runtime;
using DeepLite.Runtime.Kernels;
using DeepLite.Tests;

namespace DeepLite.Benchmarks.Kernels;

/// <summary>AVERAGE_POOL_2D as MobileNets end: a 7x7 VALID window over 7x7x1024 (v1) or 7x7x1280 (v2), to 1x1.</summary>
public class AveragePool2DBenchmarks : OperatorBenchmark
{
    public static IEnumerable<OperatorCase> Cases() =>
        from channels in new[] { 1024, 1280 }
        from type in BenchmarkTensors.DataTypes
        select Create(type, channels);

    private static OperatorCase Create(KernelDataType type, int channels)
    {
        const int Size = 7;
        long bytes = ((Size * Size * channels) + channels) * (long)BenchmarkTensors.ElementSize(type);
        return new OperatorCase($"7x7 {Size}x{Size}x{channels} {type}", multiplyAccumulates: 0, bytes, () =>
        {
            var input = BenchmarkTensors.Input(type, [1, Size, Size, channels], new Random(BenchmarkTensors.Seed));
            var options = new FlatTableBuilder().Byte(0, (byte)Padding.Valid).Int(1, 1).Int(2, 1).Int(3, Size).Int(4, Size).Byte(5, 0);
            return new PreparedOperator(BuiltinOperator.AVERAGE_POOL_2D, [input], BenchmarkTensors.Output(type, [1, 1, 1, channels]), options);
        });
    }
}
