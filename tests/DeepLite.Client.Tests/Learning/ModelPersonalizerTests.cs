using System.Text.Json;
using DeepLite.Client.Learning;
using DeepLite.Modeling;
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
    private readonly string _folder = Directory.CreateTempSubdirectory("deeplite-personalize-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Imprinting(string file) => TestData.File("images", "imprinting", file);

    private static string[] HotdogTrain => [Imprinting("hotdog_train_0.bmp"), Imprinting("hotdog_train_1.bmp")];

    /// <summary>Held-out hotdog photos: the imprinting test photo and the golden set's hot dog.</summary>
    private static string[] HotdogTest => [Imprinting("hotdog_test_0.bmp"), TestData.File("images", "hot_dog.jpg")];

    private static IReadOnlyList<string> ImageNetLabels => Labels.Load(TestData.Model("imagenet_labels.txt"));

    private static string Top1(byte[] model, string image)
    {
        using var tflite = TfLiteModel.FromBytes(model);
        using var classifier = new ImageClassifier(tflite);
        return classifier.Classify(ImageDecoder.Decode(image, RgbColor.White), topK: 1)[0].Label;
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

    private void AssertLearnsHotdogWithoutForgetting(string modelFile, IReadOnlyList<string>? labels)
    {
        byte[] original = File.ReadAllBytes(TestData.Model(modelFile));
        var result = ModelPersonalizer.AddClass(original, NewClass, HotdogTrain, labels, modelFile);

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
        }

        int correct = HotdogTest.Count(image => Top1(result.Model, image) == NewClass);
        log.WriteLine($"{modelFile}: hotdog test top-1 '{NewClass}' on {correct}/{HotdogTest.Length}");
        Assert.Equal(HotdogTest.Length, correct);
        Assert.All(new[] { "cat_test_0.bmp", "dog_test_0.bmp" }, image => Assert.NotEqual(NewClass, Top1(result.Model, Imprinting(image))));

        var goldens = Goldens(modelFile).Where(g => !g.Image.EndsWith("hot_dog.jpg", StringComparison.Ordinal)).ToList();
        Assert.True(goldens.Count >= 5, $"only {goldens.Count} golden images for {modelFile}");
        int changed = 0;
        foreach (var (image, top1) in goldens)
        {
            string ours = Top1(result.Model, image);
            log.WriteLine($"  {Path.GetFileName(image)}: golden '{ImageNetLabels[top1]}', personalised '{ours}'");
            if (ours != ImageNetLabels[top1]) changed++;
        }
        log.WriteLine($"{modelFile}: {changed} of {goldens.Count} golden top-1s changed");
        Assert.Equal(0, changed);
    }

    [Fact]
    public void AddClass_QU8_MobileNet_LearnsHotdogAndForgetsNothing() => AssertLearnsHotdogWithoutForgetting(QuantModel, labels: null);

    [Fact]
    public void AddClass_F32_MobileNet_LearnsHotdogAndForgetsNothing() => AssertLearnsHotdogWithoutForgetting(FloatModel, ImageNetLabels);

    [Theory]
    [InlineData(QuantModel)]
    [InlineData(FloatModel)]
    public void AddClass_PersonalisedModel_RunsInRealTfLiteLikeDeepLite(string modelFile)
    {
        byte[] original = File.ReadAllBytes(TestData.Model(modelFile));
        var result = ModelPersonalizer.AddClass(original, NewClass, HotdogTrain, modelFile == FloatModel ? ImageNetLabels : null, modelFile);
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
