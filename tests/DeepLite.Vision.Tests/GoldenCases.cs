using DeepLite.Tests;
using System.Text.Json;
using DeepLite.Runtime;

namespace DeepLite.Vision.Tests;

/// <summary>An image case of golden/index.json: which image, model input and preprocessing TFLite was fed.</summary>
internal sealed record GoldenImageCase(
    string Id,
    string ModelPath,
    string ImagePath,
    string? LabelsPath,
    ResizeMode Resize,
    TensorType InputType,
    int[] InputShape,
    double Mean,
    double Std,
    string InputBytesPath,
    string OutputJsonPath)
{
    private static readonly Lazy<IReadOnlyList<GoldenImageCase>> Cases = new(Load);

    public static IReadOnlyList<GoldenImageCase> All => Cases.Value;

    public static GoldenImageCase Get(string id) => All.Single(c => c.Id == id);

    /// <summary>Case ids for xunit theories.</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var c in All) data.Add(c.Id);
        return data;
    }

    public override string ToString() => Id;

    private static List<GoldenImageCase> Load()
    {
        string golden = TestData.Golden;
        using var index = JsonDocument.Parse(File.ReadAllBytes(TestData.File("golden", "index.json")));
        var cases = new List<GoldenImageCase>();
        foreach (var item in index.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (item.GetProperty("kind").GetString() != "image") continue;
            string id = item.GetProperty("id").GetString()!;
            var preprocessing = item.GetProperty("preprocessing");
            int imageInput = preprocessing.GetProperty("image_input").GetInt32();
            var input = item.GetProperty("inputs")[imageInput];
            string outputJson = Path.Combine(golden, item.GetProperty("output").GetString()!);

            // Mean and std of float inputs are recorded per input in the case's own JSON.
            double mean = 127.5, std = 127.5;
            using (var result = JsonDocument.Parse(File.ReadAllBytes(outputJson)))
            {
                var inputPreprocessing = result.RootElement.GetProperty("inputs")[imageInput].GetProperty("preprocessing");
                if (inputPreprocessing.TryGetProperty("mean", out var m)) mean = m.GetDouble();
                if (inputPreprocessing.TryGetProperty("std", out var s)) std = s.GetDouble();
            }

            cases.Add(new GoldenImageCase(
                id,
                Path.GetFullPath(Path.Combine(golden, item.GetProperty("model").GetString()!)),
                Path.GetFullPath(Path.Combine(golden, item.GetProperty("image").GetString()!)),
                item.TryGetProperty("labels", out var labels) && labels.GetString() is { } labelFile ? Path.GetFullPath(Path.Combine(golden, labelFile)) : null,
                preprocessing.GetProperty("resize").GetString() switch
                {
                    "bilinear" => ResizeMode.Bilinear,
                    "nearest" => ResizeMode.Nearest,
                    var other => throw new InvalidDataException($"{id}: unknown resize method {other}"),
                },
                input.GetProperty("dtype").GetString() switch
                {
                    "float32" => TensorType.Float32,
                    "uint8" => TensorType.UInt8,
                    "int8" => TensorType.Int8,
                    var other => throw new InvalidDataException($"{id}: unexpected image input dtype {other}"),
                },
                input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                mean,
                std,
                Path.Combine(golden, input.GetProperty("file").GetString()!),
                outputJson));
        }
        if (cases.Count == 0) throw new InvalidDataException("golden/index.json lists no image cases.");
        return cases;
    }
}
