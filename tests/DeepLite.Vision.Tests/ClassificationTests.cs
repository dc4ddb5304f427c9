using DeepLite.Tests;
using DeepLite.Runtime;

namespace DeepLite.Vision.Tests;

public sealed class TopKTests
{
    [Fact]
    public void SortsByScoreDescending()
    {
        var top = TopK.Compute([0.1f, 0.7f, 0.05f, 0.15f], 3);

        Assert.Equal([(1, 0.7f), (3, 0.15f), (0, 0.1f)], top);
    }

    [Fact]
    public void Ties_GoToTheLowerIndex()
    {
        var top = TopK.Compute([0.2f, 0.5f, 0.2f, 0.5f, 0.2f], 4);

        Assert.Equal([1, 3, 0, 2], top.Select(t => t.Index));
    }

    [Fact]
    public void KLargerThanCount_ReturnsAll()
    {
        Assert.Equal(2, TopK.Compute([1f, 2f], 10).Length);
        Assert.Empty(TopK.Compute([1f, 2f], 0));
        Assert.Empty(TopK.Compute([], 5));
    }

    [Fact]
    public void NaN_RanksLast()
    {
        var top = TopK.Compute([float.NaN, -1f, float.NegativeInfinity], 3);

        Assert.Equal([1, 2, 0], top.Select(t => t.Index));
    }

    [Fact]
    public void NegativeK_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Compute([1f], -1));
    }
}

public sealed class OutputScoresTests
{
    [Fact]
    public void UInt8_IsDequantized()
    {
        var tensor = Tensor.Create(TensorType.UInt8, [1, 3], new QuantizationParameters([0.00390625f], [0], 0));
        tensor.CopyFrom<byte>([0, 128, 255]);

        Assert.Equal(new[] { 0f, 0.5f, 0.99609375f }, OutputScores.Read(tensor));
    }

    [Fact]
    public void Int8_IsDequantizedWithZeroPoint()
    {
        var tensor = Tensor.Create(TensorType.Int8, [1, 3], new QuantizationParameters([0.5f], [-128], 0));
        tensor.CopyFrom<sbyte>([-128, 0, 127]);

        Assert.Equal(new[] { 0f, 64f, 127.5f }, OutputScores.Read(tensor));
    }

    [Fact]
    public void Float_IsAsStored()
    {
        var tensor = Tensor.Create(TensorType.Float32, [1, 2]);
        tensor.CopyFrom<float>([0.25f, -3f]);

        Assert.Equal(new[] { 0.25f, -3f }, OutputScores.Read(tensor));
    }

    [Fact]
    public void OtherTypes_AreRejected()
    {
        var tensor = Tensor.Create(TensorType.Int32, [1, 2]);

        Assert.Throws<DeepLiteException>(() => OutputScores.Read(tensor));
    }
}

public sealed class LabelsTests
{
    [Fact]
    public void Parse_TrimsCarriageReturnsAndTheFinalNewline()
    {
        var labels = Labels.Parse("\uFEFFbackground\r\ntench\r\n\r\ngoldfish\r\n");

        Assert.Equal(["background", "tench", "", "goldfish"], labels);
    }

    [Fact]
    public void Load_ImageNetLabels_Has1001EntriesStartingWithBackground()
    {
        var labels = Labels.Load(TestData.File("models", "imagenet_labels.txt"));

        Assert.Equal(1001, labels.Count);
        Assert.Equal("background", labels[0]);
        Assert.Equal("chickadee", labels[20]);
        Assert.DoesNotContain(labels, l => l.Contains('\r', StringComparison.Ordinal));
    }

    [Fact]
    public void LabelMap_SameCount_MapsIndexToLine()
    {
        var labels = Labels.Load(TestData.File("models", "imagenet_labels.txt"));

        var map = LabelMap.Create(labels, 1001);

        Assert.Equal(0, map.Offset);
        Assert.Equal("background", map[0]);
        Assert.Equal("chickadee", map[20]);
    }

    [Fact]
    public void LabelMap_1000Classes_SkipsBackground()
    {
        var labels = Labels.Load(TestData.File("models", "imagenet_labels.txt"));

        var map = LabelMap.Create(labels, 1000);

        Assert.Equal(1, map.Offset);
        Assert.Equal("tench, Tinca tinca", map[0]);
        Assert.Equal("chickadee", map[19]);
        Assert.Equal(labels[1000], map[999]);
        Assert.Throws<ArgumentOutOfRangeException>(() => map[1000]);
    }

    [Fact]
    public void LabelMap_MismatchedCount_ThrowsNamingBothCounts()
    {
        var error = Assert.Throws<DeepLiteException>(() => LabelMap.Create(["a", "b", "c"], 5));
        Assert.Contains("5", error.Message, StringComparison.Ordinal);
        Assert.Contains("3", error.Message, StringComparison.Ordinal);

        Assert.Throws<DeepLiteException>(() => LabelMap.Create(["cat", "dog", "bird"], 2));
    }

    [Fact]
    public void LabelMap_Unlabelled_UsesIndices()
    {
        var map = LabelMap.Unlabelled(3);

        Assert.False(map.HasLabels);
        Assert.Equal("2", map[2]);
    }
}
