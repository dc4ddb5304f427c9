using DeepLite.Toolchain.Data;
using DeepLite.Toolchain.Training;

namespace DeepLite.Toolchain.Tests.Training;

public sealed class TransferLearningTests
{
    [Fact]
    public void Run_SecondTime_ReusesEveryCachedEmbedding()
    {
        using var data = new SmallDataset();
        var options = new TransferLearningOptions
        {
            BaseModel = SmallDataset.ModelPath, CutAt = SmallDataset.PooledFeatures, DataFolder = data.Data, CacheFolder = data.Cache,
            Augment = true, HoldoutFraction = 0.3, Head = new HeadTrainingOptions { Epochs = 20 },
        };
        var first = TransferLearning.Run(options);
        var second = TransferLearning.Run(options);
        Assert.True(first.EmbeddingsComputed > 0);
        Assert.Equal(0, first.EmbeddingsFromCache);
        Assert.Equal(0, second.EmbeddingsComputed);
        Assert.Equal(first.EmbeddingsComputed, second.EmbeddingsFromCache);
        Assert.Equal(first.EmbeddingsComputed, Directory.GetFiles(data.Cache, "*.emb").Length);
        Assert.Empty(Directory.GetFiles(data.Cache, "*.tmp"));
        Assert.Equal(first.Head.Weights.Cast<float>(), second.Head.Weights.Cast<float>());
        Assert.Equal(256, first.Head.Embedding.Size);
        Assert.NotNull(first.Head.Embedding.Quantization);
    }

    [Fact]
    public void Run_UnreadableImage_NamesTheFile()
    {
        using var data = new SmallDataset();
        string broken = Path.Combine(data.Data, "things", "broken.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var options = new TransferLearningOptions { BaseModel = SmallDataset.ModelPath, DataFolder = data.Data, CacheFolder = data.Cache, HoldoutFraction = 0.3 };
        var e = Assert.Throws<TrainingException>(() => TransferLearning.Run(options));
        Assert.Contains(broken, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ClassWithOneImage_SaysSo()
    {
        using var data = new SmallDataset();
        data.Link("lonely", "cat.bmp");
        var options = new TransferLearningOptions { BaseModel = SmallDataset.ModelPath, DataFolder = data.Data, CacheFolder = data.Cache };
        var e = Assert.Throws<DatasetException>(() => TransferLearning.Run(options));
        Assert.Contains("'lonely' has only 1 image", e.Message, StringComparison.Ordinal);
    }
}
