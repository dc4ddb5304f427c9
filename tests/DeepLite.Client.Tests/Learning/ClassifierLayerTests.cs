using DeepLite.Client.Learning;
using DeepLite.Modeling;
using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Client.Tests.Learning;

/// <summary>Requantization of a QU8 head (MobileNet v1 0.25 quant: 1x1 CONV_2D, uint8 per-tensor weights, int32 bias).</summary>
public sealed class ClassifierLayerTests
{
    private static ClassifierLayer Layer(out ModelGraph graph)
    {
        using var model = TfLiteModel.Load(TestData.Model("mobilenet_v1_0.25_128_quant.tflite"));
        graph = ModelGraph.From(model);
        return ClassifierLayer.Find(graph, "mobilenet");
    }

    [Fact]
    public void Write_QU8_RowThatFits_KeepsOldIntegersAndScales()
    {
        var layer = Layer(out _);
        byte[] oldWeights = (byte[])layer.Weights.Data!.Clone();
        var (oldScale, oldLogits) = (layer.Weights.Quantization!.Scale, layer.Logits.Quantization!.Scale);
        var head = layer.Read();
        var added = new ClassifierHead([.. head.Weights, .. head.Row(3)], [.. head.Bias, head.Bias[3]], head.Depth);
        layer.Write(added, new HashSet<int>(), logitPeak: 0);
        Assert.Equal((1002, oldScale, oldLogits), (layer.Classes, layer.Weights.Quantization!.Scale, layer.Logits.Quantization!.Scale));
        Assert.Equal(oldWeights, layer.Weights.Data![..oldWeights.Length]);
        Assert.Equal(oldWeights.AsSpan(3 * head.Depth, head.Depth).ToArray(), layer.Weights.Data!.AsSpan(1001 * head.Depth, head.Depth).ToArray());
        Assert.Equal([1002, 1, 1, head.Depth], layer.Weights.Shape);
        Assert.Equal([1002], layer.Bias.Shape);
        Assert.Equal(1002, layer.Softmax.Outputs[0].Shape[^1]);
        Assert.Equal(1002, layer.Reshape!.Outputs[0].Shape[^1]);
    }

    [Fact]
    public void Write_QU8_RowOutsideTheRange_RequantizesAllWeights_BiasScaleFollows_LogitsWiden()
    {
        var layer = Layer(out _);
        var head = layer.Read();
        float oldScale = layer.Weights.Quantization!.Scale;
        var oldLogits = layer.Logits.Quantization!;
        float oldLow = oldLogits.Scale * (0 - oldLogits.ZeroPoint), oldHigh = oldLogits.Scale * (255 - oldLogits.ZeroPoint);
        var row = head.Row(0).ToArray().Select(v => v * 0).ToArray();
        row[0] = head.Weights.Max() * 2;
        var added = new ClassifierHead([.. head.Weights, .. row], [.. head.Bias, 0], head.Depth);
        layer.Write(added, new HashSet<int>(), logitPeak: oldHigh + 10);

        float newScale = layer.Weights.Quantization!.Scale;
        Assert.True(newScale > oldScale);
        Assert.Equal(layer.Embedding.Quantization!.Scale * newScale, layer.Bias.Quantization!.Scale, 6);
        var reread = layer.Read();
        for (int i = 0; i < head.Weights.Length; i++) Assert.True(Math.Abs(reread.Weights[i] - head.Weights[i]) <= (newScale / 2) + 1e-6f);
        var logits = layer.Logits.Quantization!;
        Assert.Equal(oldLow, logits.Scale * (0 - logits.ZeroPoint), 1);
        Assert.True(logits.Scale * (255 - logits.ZeroPoint) >= oldHigh + 10 - logits.Scale);
        Assert.Equal(logits.Scale, layer.Reshape!.Outputs[0].Quantization!.Scale);
    }
}
