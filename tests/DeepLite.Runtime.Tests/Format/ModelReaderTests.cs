using System.Runtime.InteropServices;
using System.Text.Json;
using DeepLite.Tests;

namespace DeepLite.Runtime.Tests.Format;

public sealed class ModelReaderTests
{
    public static TheoryData<string> AllModels()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(TestData.Models, "*.tflite").Concat(Directory.GetFiles(TestData.Ops, "*.tflite")).Order())
        {
            data.Add(Path.GetFileName(f));
        }
        return data;
    }

    private static string PathOf(string file) => File.Exists(Path.Combine(TestData.Models, file)) ? Path.Combine(TestData.Models, file) : Path.Combine(TestData.Ops, file);

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Load_EveryModel_MatchesOperatorCountsTensorFlowLiteReports(string file)
    {
        using var model = TfLiteModel.Load(PathOf(file));
        Assert.Equal(3u, model.Version);
        var golden = Directory.GetFiles(TestData.Golden, Path.GetFileNameWithoutExtension(file) + "__*.json").FirstOrDefault();
        if (golden is null) return; // the invalid model: TFLite could not run it, so no golden
        using var doc = JsonDocument.Parse(File.ReadAllBytes(golden));
        var expected = doc.RootElement.GetProperty("model").GetProperty("op_counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        var actual = model.MainSubgraph.Operators.GroupBy(o => o.Code.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }

    [Fact]
    public void FromBytes_ConstantTensors_AreViewsIntoTheCallersBytes()
    {
        byte[] bytes = File.ReadAllBytes(TestData.Model("mobilenet_v1_0.25_128_quant.tflite"));
        using var model = TfLiteModel.FromBytes(bytes);
        var weights = model.MainSubgraph.Tensors.First(t => t.IsConstant && t.Data.Length > 1000);
        Assert.True(MemoryMarshal.TryGetArray(weights.Data, out var segment));
        Assert.Same(bytes, segment.Array);
    }

    [Fact]
    public void Load_MobileNetV2_ReadsPerTensorQuantization()
    {
        using var model = TfLiteModel.Load(TestData.Model("mobilenet_v2_1.0_224_quant.tflite"));
        var input = model.MainSubgraph.Tensors[model.MainSubgraph.Inputs[0]];
        Assert.Equal(TensorType.UInt8, input.Type);
        Assert.Equal([1, 224, 224, 3], input.Shape);
        Assert.Equal(0.0078125f, input.Quantization!.Scale);
        Assert.Equal(128, input.Quantization.ZeroPoint);
    }

    [Fact]
    public void Load_TruncatedModel_NamesTheProblem()
    {
        byte[] bytes = File.ReadAllBytes(TestData.Model("mobilenet_v1_0.25_128_quant.tflite"));
        var e = Assert.Throws<ModelFormatException>(() => TfLiteModel.FromBytes(bytes.AsMemory(0, bytes.Length / 2)));
        Assert.Contains("outside the file", e.Message);
    }

    [Fact]
    public void Load_NotAModel_SaysSo()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "this is a text file, not a TensorFlow Lite model");
            var e = Assert.Throws<ModelFormatException>(() => TfLiteModel.Load(path));
            Assert.Contains("TFL3", e.Message);
            File.WriteAllBytes(path, []);
            Assert.Contains("empty", Assert.Throws<ModelFormatException>(() => TfLiteModel.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => TfLiteModel.Load("/no/such/model.tflite"));
    }

    [Fact]
    public void InvalidModel_UnregisteredCustomOperator_FailsWithItsName()
    {
        using var model = TfLiteModel.Load(TestData.Model("invalid_model_invoking_error.tflite"));
        using var interpreter = new Interpreter(model);
        var e = Assert.Throws<UnsupportedOperatorException>(interpreter.AllocateTensors);
        Assert.Contains("fake-op-double", e.Message);
        Assert.Contains("Operator 0", e.Message);
    }

    [Fact]
    public void Dispose_WhileInterpreterAlive_KeepsMappingUntilInterpreterIsDisposed()
    {
        var model = TfLiteModel.Load(TestData.Model("mobilenet_v1_0.25_128_quant.tflite"));
        var interpreter = new Interpreter(model);
        model.Dispose();
        interpreter.AllocateTensors();
        interpreter.Invoke();
        interpreter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new Interpreter(model));
    }
}
