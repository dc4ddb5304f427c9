using DeepLite.Runtime;

namespace DeepLite.Onnx.Tests;

public sealed class UnsupportedOperatorTests
{
    [Fact]
    public void Export_UnsupportedOperator_ThrowsNamingTheOperator()
    {
        using var model = TfLiteModel.Load(DeepLite.Tests.TestData.File("ops", "sigmoid.float32.tflite"));

        var error = Assert.Throws<UnsupportedOperatorException>(() => OnnxExporter.Export(model));

        Assert.Contains("LOGISTIC", error.Message, StringComparison.Ordinal);
        Assert.Contains("operator 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_QuantizedFlavourOfFloatModel_ThrowsSuggestingFloat32()
    {
        using var model = TfLiteModel.Load(DeepLite.Tests.TestData.Model("mobilenet_v1_0.25_128_float.tflite"));

        var error = Assert.Throws<UnsupportedOperatorException>(() => OnnxExporter.Export(model, new OnnxExportOptions { Flavor = OnnxExportFlavor.QuantizedUInt8 }));

        Assert.Contains("Float32", error.Message, StringComparison.Ordinal);
    }
}
