using DeepLite.Tests;

namespace DeepLite.Runtime.Tests.Interpreting;

public sealed class PreservedTensorTests
{
    private const string Model = "mobilenet_v1_0.25_128_quant.tflite";

    /// <summary>
    /// MobileNet v1's pooled features (the input of its final 1x1 convolution) are recomputed into the logits with
    /// XNNPACK's requantization; that only matches the graph's own logits if the features were not overwritten by a
    /// later tensor sharing their arena memory.
    /// </summary>
    [Fact]
    public void PreservedTensor_KeepsItsValueAfterInvoke()
    {
        using var model = TfLiteModel.Load(TestData.Model(Model));
        var finalConv = model.MainSubgraph.Operators.Single(o => o.Code.Builtin == BuiltinOperator.CONV_2D && model.MainSubgraph.Tensors[o.Outputs[0]].Shape[^1] == 1001);
        int features = finalConv.Inputs[0], logits = finalConv.Outputs[0];
        using var interpreter = new Interpreter(model, new InterpreterOptions { PreservedTensors = [features, logits] });
        interpreter.AllocateTensors();
        var pixels = new byte[interpreter.Inputs[0].ElementCount];
        new Random(3).NextBytes(pixels);
        interpreter.Inputs[0].CopyFrom<byte>(pixels);
        interpreter.Invoke();

        var input = interpreter.Tensors[features];
        var weights = interpreter.Tensors[finalConv.Inputs[1]];
        var bias = interpreter.Tensors[finalConv.Inputs[2]].AsReadOnlySpan<int>();
        var output = interpreter.Tensors[logits];
        int depth = input.Dim(-1);
        float scale = input.Quantization!.Scale * weights.Quantization!.Scale / output.Quantization!.Scale;
        var q = input.AsReadOnlySpan<byte>();
        var w = weights.AsReadOnlySpan<byte>();
        var actual = output.AsReadOnlySpan<byte>();
        int worst = 0;
        for (int c = 0; c < bias.Length; c++)
        {
            int acc = bias[c];
            for (int i = 0; i < depth; i++) acc += (q[i] - input.Quantization.ZeroPoint) * (w[(c * depth) + i] - weights.Quantization.ZeroPoint);
            int expected = Math.Clamp((int)MathF.Round(acc * scale, MidpointRounding.ToEven) + output.Quantization.ZeroPoint, 0, 255);
            worst = Math.Max(worst, Math.Abs(expected - actual[c]));
        }
        Assert.True(worst <= 1, $"recomputed logits differ by up to {worst} steps: the preserved features were overwritten");
    }

    [Fact]
    public void PreservedTensor_OutOfRange_FailsClearly()
    {
        using var model = TfLiteModel.Load(TestData.Model(Model));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Interpreter(model, new InterpreterOptions { PreservedTensors = [100_000] }));
        Assert.Contains("100000", e.Message, StringComparison.Ordinal);
    }
}
