using System.Text.Json;
using DeepLite.Tests;

namespace DeepLite.Cli.Tests;

/// <summary><c>deeplite train</c> in-process on a small folder of links to the shared images.</summary>
[Collection("environment")]
public sealed class TrainCommandTests : IDisposable
{
    private const string PooledFeatures = "MobilenetV1/Logits/AvgPool_1a/AvgPool";
    private readonly string _root = Directory.CreateTempSubdirectory("deeplite-cli-train-").FullName;

    public TrainCommandTests()
    {
        Link("animals", "bird.bmp", "cat.bmp", "dragonfly.bmp", "parrot.jpg");
        Link("things", "grace_hopper.bmp", "hot_dog.jpg", "sunflower.bmp");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Data => Path.Combine(_root, "data");
    private string Out => Path.Combine(_root, "out", "pets");

    private void Link(string folder, params string[] images)
    {
        Directory.CreateDirectory(Path.Combine(Data, folder));
        foreach (string image in images) File.CreateSymbolicLink(Path.Combine(Data, folder, image), TestData.File("images", image));
    }

    private (int Exit, string Output, string Error) Train(params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args = ["train", "--base", TestData.Model("mobilenet_v1_0.25_128_quant.tflite"), "--data", Data, "--out", Out,
            "--cache", Path.Combine(_root, "cache"), "--holdout", "0.3", "--epochs", "20", .. extra];
        int exit = CommandLine.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Train_Json_WritesTheHeadAndReports()
    {
        var (exit, output, error) = Train("--cut-at", PooledFeatures, "--json");
        Assert.True(exit == 0, error);
        using var report = JsonDocument.Parse(output);
        Assert.Equal(2, report.RootElement.GetProperty("classes").GetArrayLength());
        Assert.True(report.RootElement.GetProperty("embeddingsComputed").GetInt32() > 0);
        using var head = JsonDocument.Parse(File.ReadAllText(Out + ".head.json"));
        Assert.Equal(["animals", "things"], head.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(256, head.RootElement.GetProperty("embedding").GetProperty("size").GetInt32());
        var quantized = head.RootElement.GetProperty("quantized");
        Assert.Equal(2, quantized.GetProperty("weights").GetArrayLength());
        Assert.Equal(256, quantized.GetProperty("weights")[0].GetArrayLength());
        Assert.True(quantized.GetProperty("outputScale").GetSingle() > 0);
    }

    [Fact]
    public void Train_NoAlphaCrop_RecordsNoCrop()
    {
        var (exit, _, error) = Train("--cut-at", PooledFeatures, "--json");
        Assert.True(exit == 0, error);
        Assert.Contains("alphaCrop", File.ReadAllText(Out + ".head.json"), StringComparison.Ordinal);

        (exit, _, error) = Train("--cut-at", PooledFeatures, "--json", "--no-alpha-crop");

        Assert.True(exit == 0, error);
        Assert.DoesNotContain("alphaCrop", File.ReadAllText(Out + ".head.json"), StringComparison.Ordinal);
    }

    [Fact]
    public void Train_BadInputs_ExitOneWithoutOutput()
    {
        var (exit, _, error) = Train("--cut-at", "no/such/tensor");
        Assert.Equal(1, exit);
        Assert.Contains("no tensor is named 'no/such/tensor'", error, StringComparison.Ordinal);

        Directory.CreateDirectory(Path.Combine(Data, "empty"));
        (exit, _, error) = Train();
        Assert.Equal(1, exit);
        Assert.Contains("has no images", error, StringComparison.Ordinal);
        Directory.Delete(Path.Combine(Data, "empty"));

        Link("lonely", "cat.bmp");
        (exit, _, error) = Train();
        Assert.Equal(1, exit);
        Assert.Contains("'lonely' has only 1 image", error, StringComparison.Ordinal);
        Directory.Delete(Path.Combine(Data, "lonely"), recursive: true);

        File.WriteAllBytes(Path.Combine(Data, "things", "broken.jpg"), [0xFF, 0xD8, 0xFF, 0, 1, 2]);
        (exit, _, error) = Train();
        Assert.Equal(1, exit);
        Assert.Contains("broken.jpg", error, StringComparison.Ordinal);

        Assert.False(Directory.Exists(Path.GetDirectoryName(Out)) && Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(Out)!).Any());
    }
}
