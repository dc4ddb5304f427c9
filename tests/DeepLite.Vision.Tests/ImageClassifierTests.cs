using DeepLite.Tests;
using System.Text.Json;
using DeepLite.Runtime;

namespace DeepLite.Vision.Tests;

/// <summary>The whole pipeline (decode, resize, convert, interpreter, dequantize, rank, label) against TensorFlow Lite's outputs.</summary>
public sealed class ImageClassifierTests
{
    public static TheoryData<string> CaseIds() => GoldenImageCase.Ids();

    private sealed record GoldenOutput(float[] Values, float Step, int Top1, string? Top1Label);

    private static GoldenOutput ReadGoldenOutput(GoldenImageCase golden)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(golden.OutputJsonPath));
        var output = json.RootElement.GetProperty("outputs")[0];
        float[] values = [.. output.GetProperty("values").EnumerateArray().Select(v => v.GetSingle())];
        float step = output.GetProperty("quantization") is { ValueKind: JsonValueKind.Object } q
            ? q.GetProperty("scale")[0].GetSingle()
            : 0f;
        var top = output.GetProperty("topk")[0];
        string? label = top.TryGetProperty("label", out var l) ? l.GetString() : null;
        return new GoldenOutput(values, step, top.GetProperty("index").GetInt32(), label);
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Classify_MatchesTfLite(string caseId)
    {
        var golden = GoldenImageCase.Get(caseId);
        var expected = ReadGoldenOutput(golden);
        using var model = TfLiteModel.Load(golden.ModelPath);
        // Quantized MobileNets carry their label file; the others get the shared one when the counts fit.
        var labels = golden.LabelsPath is not null && ImageModelMetadata.Read(model).LabelFiles.Count == 0 && expected.Values.Length is 1000 or 1001
            ? Labels.Load(golden.LabelsPath)
            : null;
        using var classifier = new ImageClassifier(model, labels);
        var image = ImageDecoder.Decode(golden.ImagePath);

        float[] scores = classifier.Score(image, golden.Resize);
        var top = classifier.Classify(image, 5, golden.Resize);

        Assert.Empty(classifier.Warnings);
        Assert.Equal(expected.Values.Length, scores.Length);
        // Quantized outputs: within 2 quantization steps (XNNPACK vs reference requantization); float: small absolute error.
        float tolerance = expected.Step > 0 ? 2 * expected.Step + 1e-6f : 2e-4f;
        float worst = 0;
        for (int i = 0; i < scores.Length; i++) worst = Math.Max(worst, Math.Abs(scores[i] - expected.Values[i]));
        Assert.True(worst <= tolerance, $"{caseId}: largest score difference {worst} exceeds {tolerance}.");

        Assert.Equal(5, top.Count);
        Assert.True(top[0].Index == expected.Top1 || Math.Abs(expected.Values[top[0].Index] - expected.Values[expected.Top1]) <= tolerance,
            $"{caseId}: top-1 is {top[0].Index} ({top[0].Label}), TFLite's is {expected.Top1} ({expected.Top1Label}).");
        if (top[0].Index == expected.Top1 && expected.Top1Label is not null && classifier.LabelMap.HasLabels)
        {
            Assert.Equal(expected.Top1Label, top[0].Label);
        }
        for (int i = 1; i < top.Count; i++) Assert.True(top[i - 1].Score >= top[i].Score);
    }

    [Fact]
    public void QuantizedModel_UsesPackedLabelsAndMetadataNormalization()
    {
        using var model = TfLiteModel.Load(TestData.File("models", "mobilenet_v2_1.0_224_quant.tflite"));
        using var classifier = new ImageClassifier(model);

        Assert.Equal(new ImageInputShape(224, 224, 3), classifier.InputShape);
        Assert.Equal("[1,224,224,3]", classifier.InputShape.ToString());
        Assert.Equal(TensorType.UInt8, classifier.InputType);
        Assert.Equal(1001, classifier.ClassCount);
        Assert.True(classifier.LabelMap.HasLabels);
        Assert.Equal("chickadee", classifier.LabelMap[20]);

        var top = classifier.Classify(ImageDecoder.Decode(TestData.File("images", "bird.bmp")), topK: 3);

        Assert.Equal(20, top[0].Index);
        Assert.Equal("chickadee", top[0].Label);
    }

    [Fact]
    public void FloatModel_WithoutLabels_NamesClassesByIndex()
    {
        using var model = TfLiteModel.Load(TestData.File("models", "mobilenet_v1_0.25_128_float.tflite"));
        using var classifier = new ImageClassifier(model);

        var top = classifier.Classify(ImageDecoder.Decode(TestData.File("images", "bird.bmp")), topK: 1);

        Assert.False(classifier.LabelMap.HasLabels);
        Assert.Equal(top[0].Index.ToString(System.Globalization.CultureInfo.InvariantCulture), top[0].Label);
        Assert.Same(InputNormalization.Default, classifier.Normalization);
    }

    [Fact]
    public void LabelsThatDoNotFit_AreRejected()
    {
        using var model = TfLiteModel.Load(TestData.File("models", "mobilenet_v1_0.25_128_float.tflite"));

        var error = Assert.Throws<DeepLiteException>(() => new ImageClassifier(model, ["cat", "dog"]));

        Assert.Contains("1001", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_AcceptsImagesOfAnySize()
    {
        using var model = TfLiteModel.Load(TestData.File("models", "mobilenet_v1_0.25_128_quant.tflite"));
        using var classifier = new ImageClassifier(model);

        var tiny = classifier.Classify(new RgbImage(1, 1, [200, 30, 30]), topK: 2, ResizeMode.Nearest);
        var exact = classifier.Classify(new RgbImage(128, 128), topK: 2);

        Assert.Equal(2, tiny.Count);
        Assert.Equal(2, exact.Count);
    }
}
