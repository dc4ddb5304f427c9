using DeepLite.Runtime.Kernels;
using Xunit.Abstractions;

namespace DeepLite.Runtime.Tests.Interpreting;

/// <summary>
/// PAD folded into the convolution after it (<see cref="InterpreterOptions.FuseOperators"/>): the fused graph must
/// give the very bits of the unfused one, with the optimized and with the reference kernels, and the padded tensor
/// must get no memory. Cases the fusion must leave alone run unfused.
/// </summary>
public sealed class PadFusionTests(ITestOutputHelper output)
{
    public static readonly PadConvolutionCase[] FusedCases =
    [
        new("F32 conv, pad 1 all round", TensorType.Float32, false, [1, 9, 10, 5], [0, 0, 1, 1, 1, 1, 0, 0], 3, 7),
        new("F32 conv, stride 2, pad bottom and left only", TensorType.Float32, false, [1, 8, 9, 3], [0, 0, 0, 1, 1, 0, 0, 0], 3, 20, Stride: 2),
        new("F32 conv 1x1 with pad, batch 2", TensorType.Float32, false, [2, 4, 5, 6], [0, 0, 2, 0, 0, 3, 0, 0], 1, 9),
        new("F32 conv SAME on top of pad, relu6", TensorType.Float32, false, [1, 7, 6, 4], [0, 0, 1, 2, 2, 1, 0, 0], 3, 5, Stride: 2, ConvolutionPadding: Padding.Same, Activation: 3),
        new("F32 conv, dilation 2, pad wider than filter", TensorType.Float32, false, [1, 6, 7, 2], [0, 0, 5, 2, 4, 6, 0, 0], 2, 3, Dilation: 2),
        new("F32 depthwise, pad 1", TensorType.Float32, true, [1, 8, 8, 17], [0, 0, 1, 1, 1, 1, 0, 0], 3, 1),
        new("QU8 depthwise, pad 1", TensorType.UInt8, true, [1, 10, 9, 16], [0, 0, 1, 1, 1, 1, 0, 0], 3, 1),
        new("QU8 depthwise, stride 2, pad bottom and left only", TensorType.UInt8, true, [1, 9, 12, 8], [0, 0, 0, 1, 1, 0, 0, 0], 3, 1, Stride: 2, Activation: 1),
        new("QU8 depthwise, multiplier 2, SAME", TensorType.UInt8, true, [1, 6, 5, 3], [0, 0, 2, 1, 1, 2, 0, 0], 3, 2, ConvolutionPadding: Padding.Same),
        new("QU8 conv, pad 2", TensorType.UInt8, false, [1, 7, 8, 5], [0, 0, 2, 2, 2, 2, 0, 0], 5, 6),
        new("QC8 conv, pad 1", TensorType.Int8, false, [1, 9, 8, 8], [0, 0, 1, 1, 1, 1, 0, 0], 3, 12),
        new("QC8 conv, stride 2, pad bottom and left only", TensorType.Int8, false, [1, 11, 10, 3], [0, 0, 0, 1, 1, 0, 0, 0], 3, 16, Stride: 2, Activation: 1),
        new("QC8 depthwise, pad 3 2 0 1", TensorType.Int8, true, [1, 6, 7, 24], [0, 0, 3, 2, 0, 1, 0, 0], 3, 1),
        new("F32 conv, PADV2 of 0.0", TensorType.Float32, false, [1, 6, 7, 4], [0, 0, 1, 1, 1, 1, 0, 0], 3, 5, PadV2Value: 0f),
        new("QU8 depthwise, PADV2 of the zero point", TensorType.UInt8, true, [1, 7, 6, 8], [0, 0, 0, 1, 1, 0, 0, 0], 3, 1, Stride: 2, PadV2Value: 131),
        new("QC8 conv, PADV2 of the zero point", TensorType.Int8, false, [1, 6, 6, 4], [0, 0, 1, 1, 1, 1, 0, 0], 3, 8, PadV2Value: -3),
    ];

    public static readonly PadConvolutionCase[] UnfusedCases =
    [
        new("padded tensor also added", TensorType.Float32, false, [1, 5, 6, 3], [0, 0, 1, 1, 1, 1, 0, 0], 3, 4, Use: PaddedTensorUse.AlsoAdded),
        new("padded tensor is a graph output", TensorType.UInt8, true, [1, 5, 6, 8], [0, 0, 1, 1, 1, 1, 0, 0], 3, 1, Use: PaddedTensorUse.GraphOutput),
        new("padded tensor is a signature output", TensorType.Float32, false, [1, 5, 6, 3], [0, 0, 1, 1, 1, 1, 0, 0], 3, 4, Use: PaddedTensorUse.SignatureOutput),
        new("channel padding", TensorType.Float32, false, [1, 5, 6, 3], [0, 0, 1, 1, 1, 1, 0, 1], 3, 4),
        new("batch padding", TensorType.Int8, false, [1, 5, 6, 3], [1, 0, 1, 1, 1, 1, 0, 0], 3, 4),
        new("QU8 PADV2 of another value", TensorType.UInt8, true, [1, 7, 6, 8], [0, 0, 0, 1, 1, 0, 0, 0], 3, 1, Stride: 2, PadV2Value: 132),
        new("F32 PADV2 of -0.0", TensorType.Float32, false, [1, 6, 7, 4], [0, 0, 1, 1, 1, 1, 0, 0], 3, 5, PadV2Value: -0f),
        new("F32 PADV2 of 0.5", TensorType.Float32, true, [1, 6, 7, 4], [0, 0, 1, 1, 1, 1, 0, 0], 3, 1, PadV2Value: 0.5f),
    ];

    public static TheoryData<string> FusedCaseNames() => [.. FusedCases.Select(c => c.Name)];

    public static TheoryData<string> UnfusedCaseNames() => [.. UnfusedCases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(FusedCaseNames))]
    public void PadThenConvolution_Fused_MatchesUnfusedBitForBit(string name)
    {
        var c = FusedCases.Single(x => x.Name == name);
        using var model = TfLiteModel.FromBytes(PadConvolutionModels.Build(c));
        byte[] input = PadConvolutionModels.Input(c);
        foreach (bool reference in new[] { false, true })
        {
            var unfused = Run(model, input, fuse: false, reference);
            var fused = Run(model, input, fuse: true, reference);
            Assert.Equal(0, unfused.FusedCount);
            Assert.Equal(1, fused.FusedCount);
            Assert.Equal(unfused.Outputs[0], fused.Outputs[0]);
            Assert.DoesNotContain(2, fused.PlannedTensors);
            Assert.Contains(2, unfused.PlannedTensors);
            Assert.True(fused.ArenaBytes < unfused.ArenaBytes, $"arena {fused.ArenaBytes} fused, {unfused.ArenaBytes} unfused");
            if (!reference) output.WriteLine($"{name}: arena {unfused.ArenaBytes} bytes unfused, {fused.ArenaBytes} fused");
        }
    }

    [Theory]
    [MemberData(nameof(UnfusedCaseNames))]
    public void PadThenConvolution_NotQualifying_IsNotFused(string name)
    {
        var c = UnfusedCases.Single(x => x.Name == name);
        using var model = TfLiteModel.FromBytes(PadConvolutionModels.Build(c));
        byte[] input = PadConvolutionModels.Input(c);
        var unfused = Run(model, input, fuse: false, reference: false);
        var fused = Run(model, input, fuse: true, reference: false);
        Assert.Equal(0, fused.FusedCount);
        Assert.Contains(2, fused.PlannedTensors);
        Assert.Equal(unfused.Outputs.Length, fused.Outputs.Length);
        for (int i = 0; i < unfused.Outputs.Length; i++) Assert.Equal(unfused.Outputs[i], fused.Outputs[i]);
    }

    [Fact]
    public void PadThenConvolution_QuantizationChange_IsNotFused()
    {
        var c = new PadConvolutionCase("padded tensor requantized", TensorType.UInt8, true, [1, 5, 6, 8], [0, 0, 1, 1, 1, 1, 0, 0], 3, 1, PaddedScaleFactor: 2);
        using var model = TfLiteModel.FromBytes(PadConvolutionModels.Build(c));
        using var interpreter = new Interpreter(model);
        Assert.Equal(0, interpreter.FusedOperatorCount);
        // PAD itself cannot requantize, so the model is rejected exactly as without fusion.
        Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
    }

    [Fact]
    public void PadThenConvolution_Fused_ProfilesPadAsZeroAndFollowsResizedInput()
    {
        var c = FusedCases[0];
        using var model = TfLiteModel.FromBytes(PadConvolutionModels.Build(c));
        using var fused = new Interpreter(model);
        using var unfused = new Interpreter(model, new InterpreterOptions { FuseOperators = false });
        var random = new Random(5);
        foreach (var interpreter in new[] { fused, unfused }) interpreter.ResizeInput(0, [2, 6, 13, 5]);
        float[] input = [.. Enumerable.Range(0, 2 * 6 * 13 * 5).Select(_ => (float)random.NextDouble() - 0.5f)];
        foreach (var interpreter in new[] { fused, unfused })
        {
            interpreter.AllocateTensors();
            interpreter.Inputs[0].CopyFrom<float>(input);
            interpreter.Invoke();
        }
        Assert.Equal([2, 6, 13, 7], fused.Outputs[0].Shape.ToArray());
        Assert.Equal(unfused.Outputs[0].AsReadOnlyBytes().ToArray(), fused.Outputs[0].AsReadOnlyBytes().ToArray());
        var times = fused.ProfileOperators(2);
        Assert.Equal(0, times[0]);
        Assert.True(times[1] > 0);
    }

    private sealed record RunResult(byte[][] Outputs, int FusedCount, long ArenaBytes, int[] PlannedTensors);

    /// <summary>Runs the model once; <paramref name="reference"/> replaces both convolutions by their reference kernels.</summary>
    private static RunResult Run(TfLiteModel model, byte[] input, bool fuse, bool reference)
    {
        var resolver = OpResolver.CreateDefault();
        if (reference)
        {
            resolver.AddBuiltin(BuiltinOperator.CONV_2D, () => new Conv2DKernel(Conv2DPath.Reference));
            resolver.AddBuiltin(BuiltinOperator.DEPTHWISE_CONV_2D, () => new DepthwiseConv2DKernel(useReference: true));
        }
        using var interpreter = new Interpreter(model, new InterpreterOptions { FuseOperators = fuse, Resolver = resolver });
        interpreter.AllocateTensors();
        interpreter.Inputs[0].CopyFromBytes(input);
        interpreter.Invoke();
        var plan = interpreter.MemoryPlan!;
        return new RunResult([.. interpreter.Outputs.Select(o => o.AsReadOnlyBytes().ToArray())], interpreter.FusedOperatorCount,
            plan.ArenaBytes, [.. plan.Offsets.Keys]);
    }
}
