using System.Text.Json;

namespace DeepLite.Tests;

/// <summary>One case of <c>golden/index.json</c>: a model, the exact input bytes fed to real
/// TensorFlow Lite, and TFLite's outputs.</summary>
internal sealed class GoldenCase
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string ModelPath { get; init; }
    public string? ImagePath { get; init; }
    public string? Resize { get; init; }
    public required IReadOnlyList<GoldenInput> Inputs { get; init; }
    public required IReadOnlyList<GoldenOutput> Outputs { get; init; }

    public override string ToString() => Id;

    private static readonly Lazy<IReadOnlyList<GoldenCase>> Cases = new(Load);

    public static IReadOnlyList<GoldenCase> All => Cases.Value;

    public static GoldenCase Get(string id) => All.First(c => c.Id == id);

    private static List<GoldenCase> Load()
    {
        string folder = TestData.Golden;
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "index.json")));
        var result = new List<GoldenCase>();
        foreach (var c in index.RootElement.GetProperty("cases").EnumerateArray())
        {
            using var outputDoc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, c.GetProperty("output").GetString()!)));
            var inputs = c.GetProperty("inputs").EnumerateArray().Select(i => new GoldenInput(
                i.GetProperty("name").GetString()!,
                i.GetProperty("dtype").GetString()!,
                i.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                Path.Combine(folder, i.GetProperty("file").GetString()!))).ToList();
            var outputs = outputDoc.RootElement.GetProperty("outputs").EnumerateArray().Select(GoldenOutput.Parse).ToList();
            var pre = c.GetProperty("preprocessing");
            result.Add(new GoldenCase
            {
                Id = c.GetProperty("id").GetString()!,
                Kind = c.GetProperty("kind").GetString()!,
                ModelPath = Path.GetFullPath(Path.Combine(folder, c.GetProperty("model").GetString()!)),
                ImagePath = c.TryGetProperty("image", out var image) ? Path.GetFullPath(Path.Combine(folder, image.GetString()!)) : null,
                Resize = pre.TryGetProperty("resize", out var resize) ? resize.GetString() : null,
                Inputs = inputs,
                Outputs = outputs,
            });
        }
        return result;
    }
}

internal sealed record GoldenInput(string Name, string DType, int[] Shape, string File);

/// <summary>TFLite's values for one output: stored integers for quantized tensors, floats otherwise;
/// for large outputs only every <see cref="Stride"/>-th value.</summary>
internal sealed record GoldenOutput(string Name, string DType, int[] Shape, double[] Values, int Stride, bool Quantized, float Scale, int ZeroPoint)
{
    public static GoldenOutput Parse(JsonElement o)
    {
        bool quantized = o.TryGetProperty("raw", out var raw);
        float scale = 0;
        int zeroPoint = 0;
        if (o.TryGetProperty("quantization", out var q) && q.ValueKind == JsonValueKind.Object)
        {
            scale = q.GetProperty("scale")[0].GetSingle();
            zeroPoint = q.GetProperty("zero_point")[0].GetInt32();
        }
        double[] values;
        int stride = 1;
        if (quantized)
        {
            values = raw.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        }
        else if (o.TryGetProperty("values", out var full))
        {
            values = full.EnumerateArray().Select(ReadFloat).ToArray();
        }
        else
        {
            var sample = o.GetProperty("sample");
            stride = sample.GetProperty("stride").GetInt32();
            values = sample.GetProperty("values").EnumerateArray().Select(ReadFloat).ToArray();
        }
        string dtype = o.GetProperty("dtype").GetString()!;
        return new GoldenOutput(o.GetProperty("name").GetString()!, dtype,
            o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(), values, stride,
            quantized || dtype is "int32" or "int64" or "uint8" or "int8", scale, zeroPoint);
    }

    /// <summary>float32 values are printed as the shortest text that parses back to the same float32.</summary>
    private static double ReadFloat(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => float.Parse(e.GetRawText(), System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.String => e.GetString() switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, var s => double.Parse(s!, System.Globalization.CultureInfo.InvariantCulture) },
        _ => double.NaN,
    };
}
