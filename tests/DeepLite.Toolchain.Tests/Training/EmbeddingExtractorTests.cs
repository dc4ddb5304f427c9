using DeepLite.Tests;
using DeepLite.Toolchain.Training;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Tests.Training;

public sealed class EmbeddingExtractorTests
{
    [Fact]
    public void CutAt_PooledFeatures_DequantizesTheIntermediateTensor()
    {
        using var extractor = new EmbeddingExtractor(SmallDataset.ModelPath, SmallDataset.PooledFeatures);
        Assert.Equal(256, extractor.Embedding.Size);
        var q = extractor.Embedding.Quantization!.Value;
        var embedding = extractor.Extract(ImageDecoder.Decode(TestData.File("images", "cat.bmp")));
        Assert.Equal(256, embedding.Length);
        // ReLU6 features: every value is scale * (q - 0) for an integer q in [0, 255], and the image activates some.
        Assert.All(embedding, v => Assert.Equal(Math.Round(v / q.Scale), v / q.Scale, 3));
        Assert.Contains(embedding, v => v > 0);
        using var byIndex = new EmbeddingExtractor(SmallDataset.ModelPath, extractor.Embedding.TensorIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(embedding, byIndex.Extract(ImageDecoder.Decode(TestData.File("images", "cat.bmp"))));
    }

    [Theory]
    [InlineData("no/such/tensor", "no tensor is named")]
    [InlineData("99999", "is not a tensor index")]
    [InlineData("1", "is a constant")]
    [InlineData("MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6", "must have shape [1, ..., 1, C]")]
    public void CutAt_Unusable_FailsClearly(string cutAt, string expected)
    {
        string name = cutAt.Contains("Relu6", StringComparison.Ordinal)
            ? TfLiteModelTensorName(cutAt)
            : cutAt;
        var e = Assert.Throws<TrainingException>(() => new EmbeddingExtractor(SmallDataset.ModelPath, name));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpsModel_IsNotABaseModel()
    {
        var e = Assert.Throws<TrainingException>(() => new EmbeddingExtractor(Path.Combine(TestData.Ops, "abs.float32.tflite")));
        Assert.Contains("not an image model", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The full name of the first tensor whose name starts with <paramref name="prefix"/>.</summary>
    private static string TfLiteModelTensorName(string prefix)
    {
        using var model = Runtime.TfLiteModel.Load(SmallDataset.ModelPath);
        return model.MainSubgraph.Tensors.First(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).Name;
    }
}
