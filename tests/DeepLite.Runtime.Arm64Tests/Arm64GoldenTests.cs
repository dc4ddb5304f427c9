using DeepLite.Runtime.Tests.Golden;

namespace DeepLite.Runtime.Tests.Arm64;

/// <summary>
/// A few golden cases, run through <see cref="GoldenTests"/>: small enough to finish under emulation, and between
/// them every quantized CONV_2D shape of MobileNet v1 and v2 (3×3 stride-2 stem, 1×1 pointwise layers, the 1×1
/// classifier over a single pixel) on the Arm64 rungs, plus the float model for the float GEMM.
/// </summary>
public sealed class Arm64GoldenTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("mobilenet_v1_0.25_128_float__cat__bilinear")]
    [InlineData("mobilenet_v1_0.25_128_quant__cat__bilinear")]
    [InlineData("mobilenet_v1_0.25_128_quant__grace_hopper__nearest")]
    [InlineData("mobilenet_v2_1.0_224_quant__dragonfly__bilinear")]
    [InlineData("conv.uint8__seed1")]
    [InlineData("conv-relu.uint8__seed1")]
    public void Output_MatchesTensorFlowLite(string caseId) => new GoldenTests(output).Output_MatchesTensorFlowLite(caseId);
}
