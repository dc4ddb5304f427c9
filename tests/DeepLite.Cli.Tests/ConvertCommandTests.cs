using DeepLite.Tests;

namespace DeepLite.Cli.Tests;

/// <summary><c>deeplite convert</c> in-process: sizes reported, metadata kept, bad input → one message, exit 1, no file.</summary>
[Collection("environment")]
public sealed class ConvertCommandTests
{
    private static (int Exit, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Convert_QuantToFloat32_ReportsSizesAndClassifiesWithoutLabelsOption()
    {
        string folder = Directory.CreateTempSubdirectory("deeplite-cli-convert-").FullName;
        string output = Path.Combine(folder, "float.tflite");
        var (exit, text, error) = Run("convert", "--model", TestData.Model("mobilenet_v1_0.25_128_quant.tflite"), "--to", "float32", "--out", output);
        Assert.True(exit == 0, error);
        Assert.Contains("525598 bytes", text, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
        var (classifyExit, _, classifyError) = Run("classify", "--model", output, Path.Combine(TestData.Images, "cat.bmp"));
        Assert.True(classifyExit == 0, classifyError);
        Directory.Delete(folder, true);
    }

    [Theory]
    [InlineData("missing-model")]
    [InlineData("empty-calibration")]
    [InlineData("unsupported-op")]
    public void Convert_BadInput_ExitsWithOneAndLeavesNoFile(string problem)
    {
        string folder = Directory.CreateTempSubdirectory("deeplite-cli-convert-").FullName;
        string empty = Directory.CreateDirectory(Path.Combine(folder, "empty")).FullName;
        string output = Path.Combine(folder, "out.tflite");
        string[] args = problem switch
        {
            "missing-model" => ["convert", "--model", Path.Combine(folder, "nope.tflite"), "--to", "float16", "--out", output],
            "empty-calibration" => ["convert", "--model", TestData.Model("mobilenet_v1_0.25_128_float.tflite"), "--to", "uint8", "--calibration", empty, "--out", output],
            _ => ["convert", "--model", TestData.File("ops", "resize-bilinear.float32.tflite"), "--to", "int8", "--calibration", TestData.Images, "--out", output],
        };
        var (exit, _, error) = Run(args);
        Assert.Equal(1, exit);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
        if (problem == "unsupported-op") Assert.Contains("RESIZE_BILINEAR", error, StringComparison.Ordinal);
        if (problem == "empty-calibration") Assert.Contains("no images", error, StringComparison.Ordinal);
        Assert.Equal([empty], Directory.GetFileSystemEntries(folder));
        Directory.Delete(folder, true);
    }
}
