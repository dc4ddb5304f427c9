using System.Diagnostics;
using System.Text.Json;
using DeepLite.Client.Learning;
using DeepLite.Modeling;
using DeepLite.Modeling.Conversion;
using DeepLite.Modeling.Tests;
using DeepLite.Runtime;
using DeepLite.Tests;
using DeepLite.Vision;
using Xunit.Abstractions;

namespace DeepLite.Client.Tests.Learning;

/// <summary>
/// Personalisation of real MobileNets with real photos: a class learned from the hotdog train photos must win on the
/// hotdog test photos, every golden (real TFLite) top-1 of a non-hotdog image must survive, and real TFLite must load
/// the new model and compute what DeepLite computes.
/// </summary>
public sealed class ModelPersonalizerTests(ITestOutputHelper log) : IDisposable
{
    private const string QuantModel = "mobilenet_v1_0.25_128_quant.tflite";
    private const string FloatModel = "mobilenet_v1_0.25_128_float.tflite";
    private const string NewClass = "my_hotdog";
    private const int FineTuneEpochs = 10;
    private readonly string _folder = Directory.CreateTempSubdirectory("deeplite-personalize-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Imprinting(string file) => TestData.File("images", "imprinting", file);

    private static string[] HotdogTrain => [Imprinting("hotdog_train_0.bmp"), Imprinting("hotdog_train_1.bmp")];

    /// <summary>Held-out hotdog photos: the imprinting test photo and the golden set's hot dog.</summary>
    private static string[] HotdogTest => [Imprinting("hotdog_test_0.bmp"), TestData.File("images", "hot_dog.jpg")];

    private static IReadOnlyList<string> ImageNetLabels => Labels.Load(TestData.Model("imagenet_labels.txt"));

    private static string Top1(byte[] model, string image) => Classify(model, image).Label;

    private static Classification Classify(byte[] model, string image)
    {
        using var tflite = TfLiteModel.FromBytes(model);
        using var classifier = new ImageClassifier(tflite);
        return classifier.Classify(ImageDecoder.Decode(image, RgbColor.White), topK: 1)[0];
    }

    /// <summary>(image path, real TFLite's top-1 class index) of every bilinear golden image case of <paramref name="model"/>.</summary>
    private static List<(string Image, int Top1)> Goldens(string model)
    {
        string index = Path.Combine(TestData.Golden, "index.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(index));
        var cases = new List<(string, int)>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (c.GetProperty("kind").GetString() != "image" || !c.GetProperty("id").GetString()!.StartsWith(Path.GetFileNameWithoutExtension(model) + "__", StringComparison.Ordinal)
                || !c.GetProperty("id").GetString()!.EndsWith("__bilinear", StringComparison.Ordinal)) continue;
            string image = Path.GetFullPath(Path.Combine(TestData.Golden, c.GetProperty("image").GetString()!));
            cases.Add((image, c.GetProperty("outputs")[0].GetProperty("top1").GetInt32()));
        }
        return cases;
    }

    /// <summary>A per-channel int8 (QC8 head) MobileNet v1 0.25/128, quantized from the float one by
    /// <see cref="PostTrainingQuantizer"/>, calibrated on the shared photos except the held-out hotdogs.</summary>
    private static readonly Lazy<byte[]> Int8Model = new(() =>
    {
        using var floatModel = TfLiteModel.Load(TestData.Model(FloatModel));
        using var interpreter = new Interpreter(floatModel);
        interpreter.AllocateTensors();
        var calibration = new List<float[]>();
        foreach (string file in Directory.GetFiles(TestData.Images, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                     .Where(f => !HotdogTest.Contains(f) && (f.EndsWith(".bmp", StringComparison.Ordinal) || f.EndsWith(".jpg", StringComparison.Ordinal))))
        {
            ImagePreprocessor.Prepare(ImageDecoder.Decode(file, RgbColor.White), interpreter.Inputs[0], ResizeMode.Bilinear, InputNormalization.Default);
            calibration.Add(interpreter.Inputs[0].ToArray<float>());
        }
        return PostTrainingQuantizer.Quantize(floatModel, calibration,
            new QuantizationOptions { Scheme = QuantizationScheme.Int8, InputNormalization = (127.5f, 127.5f) }).ToBytes();
    });

    private static byte[] ModelBytes(string modelFile) => modelFile == Int8ModelName ? Int8Model.Value : File.ReadAllBytes(TestData.Model(modelFile));

    /// <summary>Test-case name of <see cref="Int8Model"/>.</summary>
    private const string Int8ModelName = "mobilenet_v1_0.25_128_int8_ptq";

    private static IReadOnlyList<string>? LabelsFor(string modelFile) => modelFile == QuantModel ? null : ImageNetLabels;

    private void AssertLearnsHotdogWithoutForgetting(string modelFile, int epochs = 0)
    {
        byte[] original = ModelBytes(modelFile);
        var stopwatch = Stopwatch.StartNew();
        var result = ModelPersonalizer.AddClass(original, NewClass, HotdogTrain, LabelsFor(modelFile), modelFile,
            new PersonalizationOptions { FineTuneEpochs = epochs });
        log.WriteLine($"{modelFile}, {epochs} epochs: personalised in {stopwatch.ElapsedMilliseconds} ms");

        Assert.Equal(1002, result.Labels.Count);
        Assert.Equal(1001, result.ClassIndex);
        Assert.Equal(NewClass, result.Labels[^1]);
        Assert.Equal((2, 2), (result.ImageCount, result.ExampleCount));

        using (var before = TfLiteModel.FromBytes(original))
        using (var after = TfLiteModel.FromBytes(result.Model))
        {
            var (old, updated) = (ClassifierLayer.Find(ModelGraph.From(before), "before"), ClassifierLayer.Find(ModelGraph.From(after), "after"));
            log.WriteLine($"{modelFile}: weight scale {old.Weights.Quantization?.Scale} -> {updated.Weights.Quantization?.Scale}, "
                + $"logit scale {old.Logits.Quantization?.Scale} -> {updated.Logits.Quantization?.Scale}");
            if (modelFile == Int8ModelName)
            {
                Assert.Equal((TensorType.Int8, 1001, 1002), (old.Weights.Type, old.Weights.Quantization!.Scales.Length, updated.Weights.Quantization!.Scales.Length));
                Assert.Equal(old.Weights.Quantization.Scales, updated.Weights.Quantization.Scales[..1001]);
                Assert.Equal(old.Weights.Data, updated.Weights.Data![..old.Weights.Data!.Length]);
            }
        }

        int correct = HotdogTest.Count(image => Top1(result.Model, image) == NewClass);
        log.WriteLine($"{modelFile}: hotdog test top-1 '{NewClass}' on {correct}/{HotdogTest.Length}");
        Assert.Equal(HotdogTest.Length, correct);
        Assert.All(new[] { "cat_test_0.bmp", "dog_test_0.bmp" }, image => Assert.NotEqual(NewClass, Top1(result.Model, Imprinting(image))));

        var goldens = Goldens(modelFile == Int8ModelName ? FloatModel : modelFile).Where(g => !g.Image.EndsWith("hot_dog.jpg", StringComparison.Ordinal)).ToList();
        Assert.True(goldens.Count >= 5, $"only {goldens.Count} golden images for {modelFile}");
        int changed = 0;
        foreach (var (image, top1) in goldens)
        {
            string expected = ImageNetLabels[modelFile == Int8ModelName ? Classify(original, image).Index : top1];
            string ours = Top1(result.Model, image);
            log.WriteLine($"  {Path.GetFileName(image)}: {(modelFile == Int8ModelName ? "int8 before" : "golden")} '{expected}', personalised '{ours}'");
            if (ours != expected) changed++;
        }
        log.WriteLine($"{modelFile}: {changed} of {goldens.Count} golden top-1s changed");
        Assert.Equal(0, changed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(FineTuneEpochs)]
    public void AddClass_QU8_MobileNet_LearnsHotdogAndForgetsNothing(int epochs) => AssertLearnsHotdogWithoutForgetting(QuantModel, epochs);

    [Theory]
    [InlineData(0)]
    [InlineData(FineTuneEpochs)]
    public void AddClass_F32_MobileNet_LearnsHotdogAndForgetsNothing(int epochs) => AssertLearnsHotdogWithoutForgetting(FloatModel, epochs);

    [Theory]
    [InlineData(0)]
    [InlineData(FineTuneEpochs)]
    public void AddClass_QC8_MobileNet_LearnsHotdogAndForgetsNothing(int epochs) => AssertLearnsHotdogWithoutForgetting(Int8ModelName, epochs);

    [Theory]
    [InlineData(QuantModel, 0)]
    [InlineData(FloatModel, 0)]
    [InlineData(Int8ModelName, 0)]
    [InlineData(QuantModel, FineTuneEpochs)]
    [InlineData(Int8ModelName, FineTuneEpochs)]
    public void AddClass_PersonalisedModel_RunsInRealTfLiteLikeDeepLite(string modelFile, int epochs)
    {
        byte[] original = ModelBytes(modelFile);
        var result = ModelPersonalizer.AddClass(original, NewClass, HotdogTrain, LabelsFor(modelFile), modelFile,
            new PersonalizationOptions { FineTuneEpochs = epochs });
        string path = Path.Combine(_folder, "personalised.tflite");
        File.WriteAllBytes(path, result.Model);

        using var model = TfLiteModel.Load(path);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        Assert.Equal(1002, interpreter.Outputs[0].ElementCount);
        ImagePreprocessor.Prepare(ImageDecoder.Decode(HotdogTest[0], RgbColor.White), interpreter.Inputs[0]);
        byte[] input = interpreter.Inputs[0].AsReadOnlyBytes().ToArray();
        double worst = TfLiteOracle.AssertMatches(path, input, floatRelativeTolerance: 1e-3);
        log.WriteLine($"{modelFile}: largest deviation from real TFLite {worst}");
    }

    /// <summary>The logit margin of <see cref="NewClass"/> over the best other class on the cached example <paramref name="index"/>,
    /// computed with the model's head dequantized.</summary>
    private static float CachedMargin(byte[] model, int index)
    {
        using var tflite = TfLiteModel.FromBytes(model);
        var graph = ModelGraph.From(tflite);
        var logits = ClassifierLayer.Find(graph, "model").Read().Logits(ExampleEmbeddings.Read(graph)[index].Embedding);
        return logits[^1] - logits[..^1].Max();
    }

    /// <summary>A class learned after a similar one (two hotdog photos, one per class): fine-tuning must push the new row
    /// away from the cached example of the earlier class, and change no other row.</summary>
    [Fact]
    public void AddClass_FineTuning_RehearsesCachedExamplesOfOtherClasses_AndKeepsOldRows()
    {
        byte[] original = File.ReadAllBytes(TestData.Model(QuantModel));
        var snack = ModelPersonalizer.AddClass(original, "my_snack", [HotdogTrain[0]]);
        var imprinted = ModelPersonalizer.AddClass(snack.Model, NewClass, [HotdogTrain[1]]);
        var stopwatch = Stopwatch.StartNew();
        var tuned = ModelPersonalizer.AddClass(snack.Model, NewClass, [HotdogTrain[1]], options: new PersonalizationOptions { FineTuneEpochs = 30 });
        log.WriteLine($"30 epochs over 2 cached examples: personalised in {stopwatch.ElapsedMilliseconds} ms");

        using (var model = TfLiteModel.FromBytes(tuned.Model))
        {
            Assert.Equal(["my_snack", NewClass], ExampleEmbeddings.Read(ModelGraph.From(model)).Select(e => e.Label));
        }
        float[] imprintedMargins = [CachedMargin(imprinted.Model, 0), CachedMargin(imprinted.Model, 1)];
        float[] tunedMargins = [CachedMargin(tuned.Model, 0), CachedMargin(tuned.Model, 1)];
        log.WriteLine($"'{NewClass}' minus best other logit on the cached my_snack / {NewClass} examples: imprinted "
            + $"{imprintedMargins[0]:F2} / {imprintedMargins[1]:F2}, fine-tuned {tunedMargins[0]:F2} / {tunedMargins[1]:F2}");
        Assert.True(imprintedMargins[0] > 0, "imprinting alone no longer lets the new class take the earlier class's example");
        Assert.True(tunedMargins[0] < imprintedMargins[0] - 0.5f, $"the my_snack margin moved only from {imprintedMargins[0]} to {tunedMargins[0]}");
        Assert.True(tunedMargins[1] > 0, $"the {NewClass} example lost its class: margin {tunedMargins[1]}");
        Assert.Equal("my_snack", Top1(tuned.Model, HotdogTrain[0]));
        Assert.Equal(NewClass, Top1(tuned.Model, HotdogTrain[1]));

        using var before = TfLiteModel.FromBytes(imprinted.Model);
        using var after = TfLiteModel.FromBytes(tuned.Model);
        var (imprintedLayer, tunedLayer) = (ClassifierLayer.Find(ModelGraph.From(before), "imprinted"), ClassifierLayer.Find(ModelGraph.From(after), "tuned"));
        int oldBytes = 1002 * imprintedLayer.Depth;
        Assert.Equal(imprintedLayer.Weights.Quantization!.Scales, tunedLayer.Weights.Quantization!.Scales);
        Assert.Equal(imprintedLayer.Weights.Data![..oldBytes], tunedLayer.Weights.Data![..oldBytes]);
        Assert.NotEqual(imprintedLayer.Weights.Data![oldBytes..], tunedLayer.Weights.Data![oldBytes..]);
    }

    [Fact]
    public void AddExamples_WithFineTuning_TrainsOnCachedAndNewExamples()
    {
        byte[] original = File.ReadAllBytes(TestData.Model(QuantModel));
        var added = ModelPersonalizer.AddClass(original, NewClass, [HotdogTrain[0]]);
        var refined = ModelPersonalizer.AddExamples(added.Model, NewClass, [HotdogTrain[1]], options: new PersonalizationOptions { FineTuneEpochs = 10 });
        Assert.Equal((1001, 2), (refined.ClassIndex, refined.ExampleCount));
        using var model = TfLiteModel.FromBytes(refined.Model);
        Assert.Equal([NewClass, NewClass], ExampleEmbeddings.Read(ModelGraph.From(model)).Select(e => e.Label));
        Assert.All(HotdogTest, image => Assert.Equal(NewClass, Top1(refined.Model, image)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelPersonalizer.AddClass(original, NewClass, HotdogTrain,
            options: new PersonalizationOptions { FineTuneEpochs = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelPersonalizer.AddClass(original, NewClass, HotdogTrain,
            options: new PersonalizationOptions { FineTuneEpochs = 1, LearningRate = float.NaN }));
    }

    [Fact]
    public void AddExamples_RefinesAClass_KeepsTheClassCountAndRecordsExamples()
    {
        byte[] original = File.ReadAllBytes(TestData.Model(QuantModel));
        var added = ModelPersonalizer.AddClass(original, NewClass, [HotdogTrain[0]]);
        var refined = ModelPersonalizer.AddExamples(added.Model, NewClass, [HotdogTrain[1]]);
        Assert.Equal((1001, 1002, 1, 2), (refined.ClassIndex, refined.Labels.Count, refined.ImageCount, refined.ExampleCount));
        Assert.Equal(NewClass, Top1(refined.Model, HotdogTest[0]));

        var imageNet = ModelPersonalizer.AddExamples(original, "hotdog, hot dog, red hot", HotdogTrain);
        Assert.Equal((1001, ModelPersonalizer.DefaultExampleCount + 2), (imageNet.Labels.Count, imageNet.ExampleCount));
        Assert.NotEqual("hotdog, hot dog, red hot", Top1(imageNet.Model, TestData.File("images", "bird.bmp")));
    }

    [Fact]
    public void Personalize_BadInputs_FailWithClearErrors()
    {
        byte[] model = File.ReadAllBytes(TestData.Model(QuantModel));
        Assert.Contains("empty", Assert.Throws<PersonalizationException>(() => ModelPersonalizer.AddClass(model, " ", HotdogTrain)).Message);
        Assert.Contains("No images", Assert.Throws<PersonalizationException>(() => ModelPersonalizer.AddClass(model, NewClass, [])).Message);
        Assert.Contains("already has a class", Assert.Throws<PersonalizationException>(
            () => ModelPersonalizer.AddClass(model, "hotdog, hot dog, red hot", HotdogTrain)).Message);
        Assert.Contains("has no class", Assert.Throws<PersonalizationException>(() => ModelPersonalizer.AddExamples(model, NewClass, HotdogTrain)).Message);

        string broken = Path.Combine(_folder, "broken.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var bad = Assert.ThrowsAny<DeepLiteException>(() => ModelPersonalizer.AddClass(model, NewClass, [HotdogTrain[0], broken]));
        Assert.Contains("broken.png", bad.Message);
        string missing = Path.Combine(_folder, "missing.jpg");
        Assert.Contains("missing.jpg", Assert.Throws<PersonalizationException>(() => ModelPersonalizer.AddClass(model, NewClass, [missing])).Message);

        byte[] extractor = File.ReadAllBytes(TestData.Model("mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"));
        Assert.Contains("cannot find a classifier head", Assert.Throws<PersonalizationException>(
            () => ModelPersonalizer.AddClass(extractor, NewClass, HotdogTrain, source: "extractor")).Message);
    }
}
