using System.Text.Json;
using DeepLite.Tests;

namespace DeepLite.Cli.Tests;

/// <summary>The <c>deeplite</c> commands run in-process on the shared models and images.</summary>
[Collection("environment")]
public sealed class CommandLineTests
{
    private static (int Exit, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    public static TheoryData<string> ImageNetModels() =>
    [
        "mobilenet_v1_0.25_128_quant.tflite",
        "mobilenet_v1_0.25_128_float.tflite",
        "mobilenet_v1_0.5_160_quant.tflite",
        "mobilenet_v1_0.75_192_quant.tflite",
        "mobilenet_v2_1.0_224_quant.tflite",
    ];

    [Theory]
    [MemberData(nameof(ImageNetModels))]
    public void Classify_Cat_PutsACatClassFirst(string model)
    {
        var (exit, output, error) = Run("classify", "--model", TestData.Model(model), "--labels", TestData.Model("imagenet_labels.txt"),
            Path.Combine(TestData.Images, "cat.bmp"), "--json", "--top", "3");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(TestData.Model(model), root.GetProperty("model").GetString());
        Assert.Equal(4, root.GetProperty("input").GetArrayLength());
        var top = root.GetProperty("top");
        Assert.Equal(3, top.GetArrayLength());
        int index = top[0].GetProperty("index").GetInt32();
        Assert.InRange(index, 282, 287);
        Assert.Contains("cat", top[0].GetProperty("label").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.True(root.GetProperty("latencyMs").GetDouble() > 0);
    }

    [Fact]
    public void Run_Json_PrintsEveryOutputWithStoredValues()
    {
        var golden = GoldenOf("conv.uint8__seed1");
        var (exit, output, error) = Run("run", "--model", Path.Combine(TestData.Ops, "conv.uint8.tflite"),
            "--input", Path.Combine(TestData.Golden, "conv.uint8__seed1.input.0.bin"), "--json");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(output);
        var first = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal("uint8", first.GetProperty("type").GetString());
        Assert.True(first.GetProperty("scale").GetDouble() > 0);
        int[] ours = first.GetProperty("values").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int[] theirs = golden.GetProperty("outputs")[0].GetProperty("raw").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(theirs.Length, ours.Length);
        Assert.All(ours.Zip(theirs), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 2));
    }

    [Fact]
    public void Run_WrongInputSize_ExplainsWhatIsNeeded()
    {
        string bad = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(bad, new byte[7]);
            var (exit, _, error) = Run("run", "--model", Path.Combine(TestData.Ops, "conv.uint8.tflite"), "--input", bad);
            Assert.Equal(1, exit);
            Assert.Contains("needs 48 bytes", error);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public void Inspect_MobileNetV2_ReportsOperatorsMacsAndArena()
    {
        var (exit, output, error) = Run("inspect", TestData.Model("mobilenet_v2_1.0_224_quant.tflite"), "--json");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(66, root.GetProperty("operators").GetInt32());
        Assert.True(root.GetProperty("operatorCounts").GetProperty("CONV_2D").GetInt32() > 30);
        long macs = root.GetProperty("macs").GetInt64();
        Assert.InRange(macs, 290_000_000, 310_000_000);
        Assert.True(root.GetProperty("arenaBytes").GetInt64() < root.GetProperty("naiveBytes").GetInt64());
        var (textExit, text, _) = Run("inspect", TestData.Model("mobilenet_v2_1.0_224_quant.tflite"));
        Assert.Equal(0, textExit);
        Assert.Contains("DEPTHWISE_CONV_2D", text);
        Assert.Contains("Arena", text);
    }

    [Fact]
    public void Inspect_InvalidModel_ShowsWhatIsUnsupported()
    {
        var (exit, output, _) = Run("inspect", TestData.Model("invalid_model_invoking_error.tflite"));
        Assert.Equal(0, exit);
        Assert.Contains("fake-op-double", output);
    }

    [Fact]
    public void Classify_CorruptModel_FailsWithOneClearLine()
    {
        string bad = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(bad, File.ReadAllBytes(TestData.Model("mobilenet_v1_0.25_128_quant.tflite")).AsSpan(0, 1000).ToArray());
            var (exit, _, error) = Run("classify", "--model", bad, Path.Combine(TestData.Images, "cat.bmp"));
            Assert.Equal(1, exit);
            Assert.StartsWith("error: ", error);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public void Classify_CatalogNames_DownloadModelLabelsAndImageOnFirstUse()
    {
        using var server = new LoopbackFileServer(TestData.Models, TestData.Images);
        string cache = Directory.CreateTempSubdirectory("deeplite-cache-").FullName;
        Environment.SetEnvironmentVariable("DEEPLITE_CATALOG_URL", server.BaseUrl);
        Environment.SetEnvironmentVariable("DEEPLITE_CACHE", cache);
        try
        {
            var (exit, output, error) = Run("classify", "--model", "mobilenet_v1_0.25_128_quant", "cat.bmp", "--json");
            Assert.True(exit == 0, error);
            using var doc = JsonDocument.Parse(output);
            Assert.InRange(doc.RootElement.GetProperty("top")[0].GetProperty("index").GetInt32(), 282, 287);
            Assert.True(File.Exists(Path.Combine(cache, "mobilenet_v1_0.25_128_quant.tflite")));
            Assert.True(File.Exists(Path.Combine(cache, "imagenet_labels.txt")));
            Assert.True(File.Exists(Path.Combine(cache, "cat.bmp")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DEEPLITE_CATALOG_URL", null);
            Environment.SetEnvironmentVariable("DEEPLITE_CACHE", null);
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void UnknownName_ListsTheCatalog()
    {
        var (exit, _, error) = Run("inspect", "no-such-model");
        Assert.Equal(1, exit);
        Assert.Contains("mobilenet_v2_1.0_224_quant", error);
    }

    private static JsonElement GoldenOf(string caseId)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestData.Golden, caseId + ".json")));
        return doc.RootElement.Clone();
    }
}

[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection;
