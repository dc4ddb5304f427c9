using DeepLite.Runtime;
using DeepLite.Tests;
using DeepLite.Toolchain.Conversion;
using Xunit.Abstractions;

namespace DeepLite.Toolchain.Tests.Conversion;

public sealed class UInt8ConversionAcceptanceTests(ITestOutputHelper output)
{
    private const string FloatModel = "mobilenet_v1_0.25_128_float";
    private const string QuantModel = "mobilenet_v1_0.25_128_quant";

    /// <summary>
    /// Acceptance of <c>deeplite convert --to uint8</c>, out of sample: MobileNet v1 0.25_128 float calibrated on 100 Tux Paint
    /// photo stamps (animals, food, household, plants, vehicles: 324 cut-outs on white, every 3.24th of the sorted paths),
    /// none of which is a golden photo. The uint8 model must be at most 30% of the float one, and its top-1 on the golden
    /// inputs must equal the float model's wherever the float top-1 leads the second class by more than 0.1 in
    /// probability (9 of the 10 cases), and on at least 9 of 10 in all. Measured: 9/10; the miss is cat/nearest (float
    /// margin 0.072), where the uint8 model ranks the float top-1 second.
    /// </summary>
    [Fact]
    public void Convert_FloatMobileNet_UInt8_TuxPaintCalibration_KeepsGoldenTop1()
    {
        using var stamps = TuxPaintFolder.Link("uint8",
            ("animals", "animals"), ("food", "food"), ("household", "household"), ("plants", "plants"), ("vehicles", "vehicles"));
        string calibration = stamps.Images, root = stamps.Root;
        string floatPath = TestData.Model(FloatModel + ".tflite"), uint8Path = Path.Combine(root, "uint8.tflite");
        var report = ModelConverter.Convert(floatPath, ConversionTarget.UInt8, uint8Path, calibration, 100);
        Assert.Equal(100, report.CalibrationImages);
        output.WriteLine($"size {report.InputBytes} -> {report.OutputBytes} bytes ({100.0 * report.OutputBytes / report.InputBytes:F1}%)");
        Assert.True(report.OutputBytes <= report.InputBytes * 0.30, $"{report.OutputBytes} bytes is more than 30% of {report.InputBytes}");

        using var floatModel = TfLiteModel.Load(floatPath);
        using var uint8Model = TfLiteModel.Load(uint8Path);
        string[] cases = Directory.GetFiles(TestData.Golden, $"{FloatModel}__*.input.bin")
            .Select(p => Path.GetFileName(p)[..^".input.bin".Length]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(10, cases.Length);
        int agreed = 0;
        var wideMarginMisses = new List<string>();
        foreach (string goldenCase in cases)
        {
            float[] probabilities = Run<float>(floatModel, File.ReadAllBytes(Path.Combine(TestData.Golden, goldenCase + ".input.bin")));
            string quantCase = goldenCase.Replace(FloatModel, QuantModel, StringComparison.Ordinal);
            byte[] scores = Run<byte>(uint8Model, File.ReadAllBytes(Path.Combine(TestData.Golden, quantCase + ".input.bin")));
            int floatTop = Array.IndexOf(probabilities, probabilities.Max()), uint8Top = Array.IndexOf(scores, scores.Max());
            var sorted = probabilities.Order().ToArray();
            float margin = sorted[^1] - sorted[^2];
            output.WriteLine($"{goldenCase}: float top-1 {floatTop} (margin {margin:F3}), uint8 top-1 {uint8Top} (score {scores.Max()}, float top-1's {scores[floatTop]})");
            if (floatTop == uint8Top) agreed++;
            else if (margin > 0.1f) wideMarginMisses.Add($"{goldenCase}: float {floatTop} (margin {margin:F3}), uint8 {uint8Top}");
        }
        output.WriteLine($"top-1 agreement {agreed}/{cases.Length}");
        Assert.True(wideMarginMisses.Count == 0, "uint8 top-1 differs where the float margin exceeds 0.1: " + string.Join("; ", wideMarginMisses));
        Assert.True(agreed >= 9, $"top-1 agreement {agreed}/{cases.Length} < 9/10");
    }

    private static T[] Run<T>(TfLiteModel model, byte[] input) where T : unmanaged
    {
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.Inputs[0].CopyFromBytes(input);
        interpreter.Invoke();
        return interpreter.Outputs[0].ToArray<T>();
    }
}
