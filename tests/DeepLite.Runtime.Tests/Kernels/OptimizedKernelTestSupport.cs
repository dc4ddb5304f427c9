using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Threading;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>Shared data for the optimized-kernel tests: the vector tiers to run and a kernel runner with worker threads.</summary>
internal static class OptimizedKernelTestSupport
{
    /// <summary>Every tier this process can run, scalar first (lower rungs under DOTNET_EnableAVX512=0 / DOTNET_EnableAVX2=0).</summary>
    public static VectorTier[] Tiers { get; } =
        new[] { VectorTier.Scalar, VectorTier.Vector128, VectorTier.Vector256, VectorTier.Vector512 }.Select(VectorTiers.AtMost).Distinct().ToArray();

    /// <summary>Lengths 0–256 plus a few past the widest block, for elementwise tile-edge tests.</summary>
    public static IEnumerable<int> Lengths => Enumerable.Range(0, 257).Concat([319, 320, 321, 1000]);

    /// <summary>Channel counts below, at and above each vector width of 8-bit (16, 32, 64) and float32 (4, 8, 16) lanes.</summary>
    public static int[] Channels { get; } = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129];

    /// <summary>Prepares <paramref name="kernel"/> on free-standing tensors, binds the output and runs it once with <paramref name="threads"/> threads.</summary>
    public static Tensor RunWithThreads(OperatorKernel kernel, BuiltinOperator op, Tensor?[] inputs, Tensor output, FlatTable options, int threads)
    {
        using var workers = new WorkerPool(threads);
        var context = KernelContext.ForTensors(new OperatorCode(op, null, 1), inputs, [output], options, workers: workers);
        kernel.Prepare(context);
        var resized = context.Output(0);
        if (!resized.HasData) resized.Bind(new byte[resized.ByteLength]);
        kernel.Eval(context);
        return resized;
    }
}
