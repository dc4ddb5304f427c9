using DeepLite.Runtime;
using DeepLite.Tests;
using DeepLite.Toolchain.Data;
using DeepLite.Toolchain.Evaluation;
using static DeepLite.Toolchain.Tests.Evaluation.EvaluationData;

namespace DeepLite.Toolchain.Tests.Evaluation;

public sealed class ClassifierEvaluationTests : IDisposable
{
    private readonly EvaluationData _data = new();

    public void Dispose() => _data.Dispose();

    private static string ModelFile(string model) => TestData.Model(model + ".tflite");

    /// <summary>A folder with one class per photo's ImageNet label; expected figures follow from TFLite's top-5 of each photo.</summary>
    private void CheckAgainstTfLite(string model, IReadOnlyList<string> photos, EvaluationOptions options)
    {
        foreach (string photo in photos) _data.Link(ClassOf(photo), photo);
        var report = ClassifierEvaluation.Run(ModelFile(model), ImageFolderDataset.Load(_data.Root), options);

        string[] classes = [.. photos.Select(ClassOf).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(classes, report.Confusion.Classes);
        Assert.False(report.Mapping.ByIndex);
        Assert.Equal(photos.Count, report.Count);
        int top1 = 0, top5 = 0;
        var expectedConfusion = new int[classes.Length, classes.Length + 1];
        foreach (string photo in photos)
        {
            int[] tflite = Top5(model, photo);
            int truth = Array.IndexOf(classes, ClassOf(photo));
            var result = Assert.Single(report.Images, r => Path.GetFileName(r.Path) == photo);
            Assert.Equal(truth, result.TrueClass);
            Assert.Equal(tflite, result.Top.Select(t => t.Index));
            string predictedLabel = ImageNetLabels[tflite[0]];
            Assert.Equal(predictedLabel, result.Top[0].Label);
            bool hit = predictedLabel == ClassOf(photo);
            bool hit5 = tflite.Any(i => ImageNetLabels[i] == ClassOf(photo));
            Assert.Equal(hit, result.Top1Correct);
            Assert.Equal(hit5, result.TopKCorrect);
            top1 += hit ? 1 : 0;
            top5 += hit5 ? 1 : 0;
            int predicted = Array.IndexOf(classes, predictedLabel);
            expectedConfusion[truth, predicted < 0 ? classes.Length : predicted]++;
        }
        Assert.Equal((double)top1 / photos.Count, report.Top1Accuracy);
        Assert.Equal((double)top5 / photos.Count, report.TopKAccuracy);
        for (int t = 0; t < classes.Length; t++)
        {
            Assert.Equal(Enumerable.Range(0, classes.Length + 1).Select(p => expectedConfusion[t, p]), report.Confusion.Row(t));
            int count = photos.Count(p => ClassOf(p) == classes[t]);
            int predictedAs = Enumerable.Range(0, classes.Length).Sum(r => expectedConfusion[r, t]);
            var metrics = report.PerClass[t];
            Assert.Equal(count, metrics.Count);
            Assert.Equal((double)expectedConfusion[t, t] / count, metrics.Recall);
            Assert.Equal(predictedAs == 0 ? double.NaN : (double)expectedConfusion[t, t] / predictedAs, metrics.Precision);
        }
    }

    [Fact]
    public void Run_V2Quant_ImprintingPhotos_FiguresFollowTfLiteTop5()
    {
        // Real TFLite: tiger cat 1 of 2 (the other is an "Egyptian cat", tiger cat second), golden retriever 1 of 2
        // (the other a "Tibetan terrier", no retriever in its top 5), hotdog 3 of 3: top-1 5/7, top-5 6/7.
        CheckAgainstTfLite(V2Quant, ImprintingPhotos, new EvaluationOptions());
    }

    [Theory]
    [InlineData(V1Quant)]
    [InlineData(V2Quant)]
    public void Run_GoldenPhotos_LabelsFromTheModel_FiguresFollowTfLiteTop5(string model) =>
        CheckAgainstTfLite(model, GoldenPhotos, new EvaluationOptions());

    [Fact]
    public void Run_FloatModel_LabelsFromFile_FiguresFollowTfLiteTop5() =>
        CheckAgainstTfLite(V1Float, [.. GoldenPhotos, .. ImprintingPhotos], new EvaluationOptions { Labels = ImageNetLabels });

    [Fact]
    public void Run_FloatModelWithoutLabels_SaysLabelsAreNeeded()
    {
        _data.Link("daisy", "sunflower.bmp");
        var e = Assert.Throws<EvaluationException>(() => ClassifierEvaluation.Run(ModelFile(V1Float), ImageFolderDataset.Load(_data.Root)));
        Assert.Contains("no labels and 1001 outputs, but the data has 1 classes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownClass_ListsCloseLabels()
    {
        _data.Link("hotdog", "hotdog_test_0.bmp");
        var e = Assert.Throws<EvaluationException>(() => ClassifierEvaluation.Run(ModelFile(V2Quant), ImageFolderDataset.Load(_data.Root)));
        Assert.StartsWith("Class 'hotdog' matches no label of the model; closest labels: \"hotdog, hot dog, red hot\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnreadableImage_NamesTheFileOrIsSkippedAndListed()
    {
        _data.Link("daisy", "sunflower.bmp");
        string broken = Path.Combine(_data.Root, "daisy", "broken.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var data = ImageFolderDataset.Load(_data.Root);

        var e = Assert.Throws<UnreadableImageException>(() => ClassifierEvaluation.Run(ModelFile(V2Quant), data));
        Assert.Equal(broken, e.Path);
        Assert.Contains(broken, e.Message, StringComparison.Ordinal);

        var report = ClassifierEvaluation.Run(ModelFile(V2Quant), data, new EvaluationOptions { SkipUnreadable = true });
        Assert.Equal(broken, Assert.Single(report.Skipped).Path);
        Assert.Equal(1, report.Count);
        Assert.Equal(1.0, report.Top1Accuracy);
    }

    [Fact]
    public void Run_ModelThatIsNotAClassifier_SaysSo()
    {
        _data.Link("daisy", "sunflower.bmp");
        var e = Assert.Throws<EvaluationException>(() => ClassifierEvaluation.Run(Path.Combine(TestData.Ops, "conv.uint8.tflite"), ImageFolderDataset.Load(_data.Root)));
        Assert.Contains("not an image classifier", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ReportsProgressPerImage()
    {
        _data.Link("daisy", "sunflower.bmp");
        _data.Link("chickadee", "bird.bmp");
        var calls = new List<(int, int)>();
        ClassifierEvaluation.Run(ModelFile(V1Quant), ImageFolderDataset.Load(_data.Root), new EvaluationOptions { Progress = (done, total) => calls.Add((done, total)) });
        Assert.Equal([(1, 2), (2, 2)], calls);
    }
}
