using System.Runtime.Intrinsics.Arm;
using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Arm64;

/// <summary>Prints what the processor offers and which quantized CONV_2D rung runs, then runs the tests (xUnit v3's console runner).</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine($"AdvSimd.Arm64.IsSupported={AdvSimd.Arm64.IsSupported} Dp.IsSupported={Dp.IsSupported}");
        Console.WriteLine($"quantized CONV_2D rung: {Conv2DOptimized.RungName(ConvolutionDataType.QU8, Conv2DPath.Best)}");
        return Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).GetAwaiter().GetResult();
    }
}
