using DeepLite.Runtime;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using DeepLite.Tests;
using DeepLite.Vision;
using Xunit.Abstractions;

namespace DeepLite.Modeling.Tests;

/// <summary>Models composed with <see cref="ModelBuilder"/>, written with metadata, and run in real TFLite.</summary>
public sealed class BuilderAndOracleTests(ITestOutputHelper log)
{
    /// <summary>A small CNN using every builder layer: 16×16×3 → 4 classes.</summary>
    internal static ModelGraph SmallClassifier(int seed = 7)
    {
        var b = new ModelBuilder(seed: seed);
        var x = b.Input("image", [1, 16, 16, 3]);
        var c1 = b.Conv2D(x, 8, 3, 3, stride: 2, activation: FusedActivation.Relu6);
        var d1 = b.DepthwiseConv2D(c1, 3, 3, activation: FusedActivation.Relu);
        var left = b.MaxPool2D(d1, 2, 2);
        var right = b.AveragePool2D(b.Conv2D(c1, 8, 1, 1, padding: Padding.Valid), 2, 2);
        var merged = b.Concatenation([left, right], axis: 3);
        var summed = b.Add(merged, b.Mul(merged, merged));
        var pooled = b.Mean(summed, [1, 2], keepDims: true);
        var flat = b.Reshape(pooled, [1, -1]);
        var logits = b.FullyConnected(flat, 4);
        b.Output(b.Softmax(logits));
        return b.Graph;
    }

    internal static byte[] RandomFloatInput(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2) - 1);
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    [Fact]
    public void Builder_SmallClassifier_ShapesAndSoftmaxSumToOne()
    {
        var graph = SmallClassifier();
        using var model = TfLiteModel.FromBytes(graph.ToBytes());
        var output = ModelAssert.Run(model, RandomFloatInput(16 * 16 * 3, 1))[0];
        float[] scores = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(output).ToArray();
        Assert.Equal(4, scores.Length);
        Assert.Equal(1f, scores.Sum(), 5);
        Assert.Equal([1, 4], model.MainSubgraph.Tensors[model.MainSubgraph.Outputs[0]].Shape);
    }

    [Fact]
    public void Builder_SameSeed_SameBytes_OtherSeed_OtherWeights()
    {
        Assert.Equal(SmallClassifier(3).ToBytes(), SmallClassifier(3).ToBytes());
        Assert.NotEqual(SmallClassifier(3).ToBytes(), SmallClassifier(4).ToBytes());
    }

    [Fact]
    public void Oracle_BuiltFloatModel_MatchesRealTfLite()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("deeplite-built-").FullName, "built.tflite");
        SmallClassifier().Save(path);
        double worst = TfLiteOracle.AssertMatches(path, RandomFloatInput(16 * 16 * 3, 2));
        log.WriteLine($"built float model: max relative deviation from TFLite {worst:E2}");
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void Oracle_RewrittenMobileNet_MatchesRealTfLiteExactly()
    {
        using var original = TfLiteModel.Load(TestData.Model("mobilenet_v1_0.25_128_quant.tflite"));
        string path = Path.Combine(Directory.CreateTempSubdirectory("deeplite-rewritten-").FullName, "rewritten.tflite");
        ModelGraph.From(original).Save(path);
        byte[] input = ModelAssert.GoldenInputs("mobilenet_v1_0.25_128_quant__cat__bilinear")[0];
        double worst = TfLiteOracle.AssertMatches(path, input);
        log.WriteLine($"rewritten MobileNet: max deviation {worst} steps");
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    internal static ClassifierMetadata Labels(int count, float mean = 127.5f, float std = 127.5f) =>
        new(Enumerable.Range(0, count).Select(i => $"class {i}").ToArray(), [mean], [std]) { Name = "test classifier", Author = "DeepLite tests" };

    [Fact]
    public void Metadata_ImageClassifier_ReadsNormalizationAndLabelsFromWrittenModel()
    {
        var graph = SmallClassifier();
        Labels(4, mean: 100f, std: 50f).ApplyTo(graph);
        using var model = TfLiteModel.FromBytes(graph.ToBytes(), "with-metadata");

        var metadata = ImageModelMetadata.Read(model);
        Assert.Null(metadata.Warning);
        Assert.Equal("test classifier", metadata.ModelName);
        Assert.Equal(["labels.txt"], metadata.LabelFiles);

        using var classifier = new ImageClassifier(model);
        Assert.Equal([100.0], classifier.Normalization.Mean);
        Assert.Equal([50.0], classifier.Normalization.Std);
        var image = new RgbImage(16, 16, Enumerable.Range(0, 16 * 16 * 3).Select(i => (byte)(i * 7)).ToArray());
        var top = classifier.Classify(image, topK: 4);
        Assert.Equal(4, top.Count);
        Assert.All(top, c => Assert.Equal($"class {c.Index}", c.Label));

        var reread = ModelGraph.From(model);
        Assert.Equal("class 0\nclass 1\nclass 2\nclass 3\n", System.Text.Encoding.UTF8.GetString(reread.AssociatedFiles.Single().Value));
    }

    [Fact]
    public void Oracle_ModelWithMetadataAndLabels_MatchesRealTfLite()
    {
        var graph = SmallClassifier();
        Labels(4).ApplyTo(graph);
        string path = Path.Combine(Directory.CreateTempSubdirectory("deeplite-metadata-").FullName, "with-metadata.tflite");
        graph.Save(path);
        TfLiteOracle.AssertMatches(path, RandomFloatInput(16 * 16 * 3, 3));
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void Save_WriteFails_LeavesNoFileAndNoTemporary()
    {
        string folder = Directory.CreateTempSubdirectory("deeplite-save-").FullName;
        string path = Path.Combine(folder, "model.tflite");
        var graph = SmallClassifier();
        graph.Tensors.Remove(graph.Outputs[0]);
        Assert.Throws<ArgumentException>(() => graph.Save(path));
        Assert.Empty(Directory.GetFileSystemEntries(folder));

        SmallClassifier().Save(path);
        Assert.Equal([path], Directory.GetFileSystemEntries(folder));
        Directory.Delete(folder, true);
    }
}
