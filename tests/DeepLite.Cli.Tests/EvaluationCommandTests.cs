using System.Text.Json;
using DeepLite.Tests;
using DeepLite.Vision;

namespace DeepLite.Cli.Tests;

/// <summary><c>deeplite eval</c> and <c>deeplite compare</c> run in-process on folders of links to the shared photos.</summary>
public sealed class EvaluationCommandTests : IDisposable
{
    private const string V1Float = "mobilenet_v1_0.25_128_float";
    private const string V1Quant = "mobilenet_v1_0.25_128_quant";
    private const string V2Quant = "mobilenet_v2_1.0_224_quant";
    private static readonly string[] GoldenPhotos = ["bird", "cat", "dragonfly", "grace_hopper", "sunflower"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "deeplite-eval-cli-" + Guid.NewGuid().ToString("N"));

    public EvaluationCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Exit, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    private static string ModelFile(string model) => TestData.Model(model + ".tflite");

    private string Link(string folder, string sharedImage)
    {
        string directory = Path.Combine(_root, folder);
        Directory.CreateDirectory(directory);
        string link = Path.Combine(directory, Path.GetFileName(sharedImage));
        File.CreateSymbolicLink(link, sharedImage);
        return link;
    }

    /// <summary>The imprinting test photos in classes named after their ImageNet label. Real TFLite (tflite-oracle,
    /// bilinear) gives v2 quant: cat_test_0 "tiger cat", dog_test_0 "Tibetan terrier" (no golden retriever in its top 5),
    /// hotdog_test_0 "hotdog, hot dog, red hot": top-1 and top-5 are both 2 of 3.</summary>
    private void ImprintingTestFolder()
    {
        Link("tiger cat", TestData.File("images", "imprinting", "cat_test_0.bmp"));
        Link("golden retriever", TestData.File("images", "imprinting", "dog_test_0.bmp"));
        Link("hotdog, hot dog, red hot", TestData.File("images", "imprinting", "hotdog_test_0.bmp"));
    }

    [Fact]
    public void Eval_Json_V2QuantOnImprintingTestPhotos_AndConfusionPng()
    {
        ImprintingTestFolder();
        string png = Path.Combine(_root, "confusion.png");
        var (exit, output, error) = Run("eval", "--model", ModelFile(V2Quant), "--data", _root, "--json", "--confusion-png", png);
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("count").GetInt32());
        Assert.Equal(0.666667, root.GetProperty("top1").GetDouble());
        Assert.Equal(0.666667, root.GetProperty("top5").GetDouble());
        Assert.Equal("labels", root.GetProperty("mapping").GetString());
        var perClass = root.GetProperty("perClass");
        Assert.Equal(0.0, perClass.GetProperty("golden retriever").GetProperty("recall").GetDouble());
        Assert.Equal(JsonValueKind.Null, perClass.GetProperty("golden retriever").GetProperty("precision").ValueKind);
        Assert.Equal(1.0, perClass.GetProperty("tiger cat").GetProperty("precision").GetDouble());
        Assert.Equal(1, perClass.GetProperty("tiger cat").GetProperty("count").GetInt32());
        var confusion = root.GetProperty("confusion");
        Assert.Equal(["golden retriever", "hotdog, hot dog, red hot", "tiger cat"], confusion.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        int[][] matrix = [.. confusion.GetProperty("matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray())];
        Assert.Equal([[0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]], matrix);
        var dog = root.GetProperty("images").EnumerateArray().Single(i => i.GetProperty("class").GetString() == "golden retriever");
        Assert.Equal(201, dog.GetProperty("index").GetInt32());

        var image = ImageDecoder.Decode(png);
        Assert.Equal((640, 480), (image.Width, image.Height));
        Assert.True(image.Pixels.Distinct().Count() > 20);
    }

    [Fact]
    public void Eval_Text_ShowsAccuracyPerClassTableAndMatrix()
    {
        ImprintingTestFolder();
        var (exit, output, error) = Run("eval", "--model", ModelFile(V2Quant), "--data", _root, "--top-k", "3");
        Assert.True(exit == 0, error);
        Assert.Contains("Top-1      66.7% (2 of 3)", output, StringComparison.Ordinal);
        Assert.Contains("Top-3      66.7% (2 of 3)", output, StringComparison.Ordinal);
        Assert.Contains("golden retriever              1     0.0%          -", output, StringComparison.Ordinal);
        Assert.Contains("[0] golden retriever            0    0    0      1", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_BadInputs_ExitOneWithAClearMessage()
    {
        Link("daisy", TestData.File("images", "sunflower.bmp"));
        Directory.CreateDirectory(Path.Combine(_root, "tulip"));
        var (exit, _, error) = Run("eval", "--model", ModelFile(V2Quant), "--data", _root);
        Assert.Equal(1, exit);
        Assert.Contains("tulip' has no images", error, StringComparison.Ordinal);
        Directory.Delete(Path.Combine(_root, "tulip"));

        string broken = Path.Combine(_root, "daisy", "broken.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0]);
        (exit, _, error) = Run("eval", "--model", ModelFile(V2Quant), "--data", _root);
        Assert.Equal(1, exit);
        Assert.Contains(broken, error, StringComparison.Ordinal);
        Assert.Contains("--skip-unreadable", error, StringComparison.Ordinal);
        (exit, string output, error) = Run("eval", "--model", ModelFile(V2Quant), "--data", _root, "--skip-unreadable");
        Assert.True(exit == 0, error);
        Assert.Contains("Skipped    1 unreadable image(s):", output, StringComparison.Ordinal);
        Assert.Contains("Top-1      100.0% (1 of 1)", output, StringComparison.Ordinal);
        File.Delete(broken);

        (exit, _, error) = Run("eval", "--model", Path.Combine(TestData.Ops, "conv.uint8.tflite"), "--data", _root);
        Assert.Equal(1, exit);
        Assert.Contains("not an image classifier", error, StringComparison.Ordinal);

        Link("tabby cats", TestData.File("images", "cat.bmp"));
        (exit, _, error) = Run("eval", "--model", ModelFile(V2Quant), "--data", _root);
        Assert.Equal(1, exit);
        Assert.Contains("Class 'tabby cats' matches no label of the model; closest labels: \"tabby, tabby cat\"", error, StringComparison.Ordinal);

        (exit, _, error) = Run("eval", "--model", ModelFile(V2Quant), "--data", _root, "--top-k", "0");
        Assert.Equal(2, exit);
        Assert.Contains("--top-k must be at least 1", error, StringComparison.Ordinal);
    }

    /// <summary>Top-1 of real TFLite for <paramref name="model"/> on a golden photo (bilinear), from the shared golden index.</summary>
    private static int GoldenTop1(string model, string photo)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestData.Golden, "index.json")));
        var entry = index.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == $"{model}__{photo}__bilinear");
        return entry.GetProperty("outputs")[0].GetProperty("top1").GetInt32();
    }

    [Fact]
    public void Compare_FloatVsQuant_AgreementIsThatOfTheGoldenTop1s()
    {
        foreach (string photo in GoldenPhotos) Link("", TestData.File("images", photo + ".bmp"));
        var (exit, output, error) = Run("compare", "--model", ModelFile(V1Float), "--model", ModelFile(V1Quant),
            "--labels", TestData.Model("imagenet_labels.txt"), "--data", _root, "--json", "--warmup", "1");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.False(root.GetProperty("labelled").GetBoolean());
        Assert.Equal(5, root.GetProperty("count").GetInt32());
        var labels = Labels.Load(TestData.Model("imagenet_labels.txt"));
        int same = GoldenPhotos.Count(p => GoldenTop1(V1Float, p) == GoldenTop1(V1Quant, p));
        Assert.Equal(4, same); // grace_hopper: "bow tie" against "academic gown"
        Assert.Equal((double)same / GoldenPhotos.Length, root.GetProperty("agreement")[0][1].GetDouble());
        foreach (var image in root.GetProperty("images").EnumerateArray())
        {
            string photo = Path.GetFileNameWithoutExtension(image.GetProperty("path").GetString()!);
            Assert.Equal([labels[GoldenTop1(V1Float, photo)], labels[GoldenTop1(V1Quant, photo)]], image.GetProperty("top1").EnumerateArray().Select(l => l.GetString()));
        }
        var models = root.GetProperty("models");
        Assert.Equal(new FileInfo(ModelFile(V1Quant)).Length, models[1].GetProperty("bytes").GetInt64());
        Assert.True(models[0].GetProperty("medianLatencyMs").GetDouble() > 0);
        Assert.False(models[0].TryGetProperty("top1", out _));
    }

    [Fact]
    public void Compare_Labelled_Text_ShowsAccuracyAndAgreement()
    {
        ImprintingTestFolder();
        var (exit, output, error) = Run("compare", "--model", ModelFile(V1Quant), "--model", ModelFile(V2Quant), "--data", _root);
        Assert.True(exit == 0, error);
        Assert.Contains("3 images, labelled by sub-folder", output, StringComparison.Ordinal);
        Assert.Contains("top-1", output, StringComparison.Ordinal);
        // TFLite top-1s: v1 0.25 quant "lion", "Irish wolfhound", hotdog; v2 "tiger cat", "Tibetan terrier", hotdog.
        string[] rows = [.. output.Split('\n').Where(l => l.StartsWith("[1] ", StringComparison.Ordinal)).Select(l => l.TrimEnd())];
        Assert.Equal(2, rows.Length);
        Assert.EndsWith("66.7%    66.7%", rows[0], StringComparison.Ordinal);
        Assert.EndsWith("33.3%   100.0%", rows[1], StringComparison.Ordinal);
        Assert.Contains("33.3%    66.7%", output.Split('\n').First(l => l.StartsWith("[0] ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_OneModel_IsAUsageError()
    {
        var (exit, _, error) = Run("compare", "--model", ModelFile(V1Quant), "--data", _root);
        Assert.Equal(2, exit);
        Assert.Contains("at least two --model", error, StringComparison.Ordinal);
    }
}
