using System.Runtime.InteropServices;
using DeepLite.Modeling.Conversion;
using DeepLite.Runtime;
using DeepLite.Runtime.Kernels;
using DeepLite.Tests;
using DeepLite.Vision;
using Xunit.Abstractions;

namespace DeepLite.Modeling.Tests;

/// <summary>float32 ⇄ uint8/int8/float16 conversion of the shared MobileNets, checked on the golden inputs and in real TFLite.</summary>
public sealed class ConversionTests(ITestOutputHelper log)
{
    private const string QuantModel = "mobilenet_v1_0.25_128_quant";
    private const string FloatModel = "mobilenet_v1_0.25_128_float";

    /// <summary>Golden case names (without suffix) of <paramref name="model"/>.</summary>
    private static string[] GoldenCases(string model) => Directory.GetFiles(TestData.Golden, $"{model}__*.input.bin")
        .Select(p => Path.GetFileName(p)[..^".input.bin".Length]).Order(StringComparer.Ordinal).ToArray();

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    /// <summary>Calibration images: the shared photos and the imprinting photos, at most <paramref name="count"/>, preprocessed
    /// for <paramref name="model"/> with bilinear resizing and (pixel − 127.5) / 127.5.</summary>
    internal static List<float[]> CalibrationInputs(TfLiteModel model, int count)
    {
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var input = interpreter.Inputs[0];
        var files = Directory.GetFiles(TestData.Images, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".bmp", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).Take(count);
        var result = new List<float[]>();
        foreach (string file in files)
        {
            ImagePreprocessor.Prepare(ImageDecoder.Decode(file), input, ResizeMode.Bilinear, InputNormalization.Default);
            result.Add(input.ToArray<float>());
        }
        return result;
    }

    private static string TempModel(string name) => Path.Combine(Directory.CreateTempSubdirectory("deeplite-convert-").FullName, name);

    [Fact]
    public void ToFloat32_QuantMobileNet_KeepsTop1WhereTheMarginExceedsTwoSteps()
    {
        using var quant = TfLiteModel.Load(TestData.Model(QuantModel + ".tflite"));
        var result = Dequantizer.ToFloat32(quant);
        Assert.Equal((128f, 128f), result.InputNormalizations[0]);
        string path = TempModel("float.tflite");
        result.Graph.Save(path);
        using var converted = TfLiteModel.Load(path);
        Assert.All(converted.MainSubgraph.Tensors, t => Assert.True(t.Type is TensorType.Float32 or TensorType.Int32, $"{t.Name} is {t.Type}"));
        var q = quant.MainSubgraph.Tensors[quant.MainSubgraph.Inputs[0]].Quantization!;

        int compared = 0, agreed = 0;
        foreach (string goldenCase in GoldenCases(QuantModel))
        {
            byte[] pixels = ModelAssert.GoldenInputs(goldenCase)[0];
            byte[] scores = ModelAssert.Run(quant, pixels)[0];
            var sorted = scores.Select((s, i) => (s, i)).OrderByDescending(p => p.s).ToArray();
            float[] realInput = pixels.Select(p => q.Scale * (p - q.ZeroPoint)).ToArray();
            int floatTop = ArgMax(Floats(ModelAssert.Run(converted, MemoryMarshal.AsBytes(realInput.AsSpan()).ToArray())[0]));
            if (floatTop == sorted[0].i) agreed++;
            if (sorted[0].s - sorted[1].s <= 2) continue;
            compared++;
            Assert.True(sorted[0].i == floatTop, $"{goldenCase}: quant top-1 {sorted[0].i} (margin {sorted[0].s - sorted[1].s}), float top-1 {floatTop}");
        }
        log.WriteLine($"float32 from {QuantModel}: {agreed}/{GoldenCases(QuantModel).Length} top-1 agree, {compared} cases with margin > 2 all agree; size {new FileInfo(TestData.Model(QuantModel + ".tflite")).Length} -> {new FileInfo(path).Length} bytes");
        Assert.True(compared >= 5, $"only {compared} golden cases had a margin above 2 steps");

        double worst = TfLiteOracle.AssertMatches(path, MemoryMarshal.AsBytes(pixelsToReal(ModelAssert.GoldenInputs(GoldenCases(QuantModel)[0])[0], q).AsSpan()).ToArray(), 1e-4);
        log.WriteLine($"oracle max relative deviation {worst:E2}");
        Directory.Delete(Path.GetDirectoryName(path)!, true);

        static float[] pixelsToReal(byte[] pixels, QuantizationParameters q) => pixels.Select(p => q.Scale * (p - q.ZeroPoint)).ToArray();
    }

    /// <summary>The converter's uint8 settings without <see cref="QuantizationOptions.OptimizeRounding"/> (equalisation, bias
    /// correction, MSE weight ranges) run exactly as in real TFLite. Calibrated here on the shared photos, which include the
    /// golden ones (in-sample), uint8 agrees with the float top-1 on 9 of 10 golden cases (cat/nearest: a tie of the uint8
    /// scores of 282 and 283, broken to the lower index).</summary>
    [Fact]
    public void Quantize_FloatMobileNet_UInt8_WithoutOptimizedRounding_RunsInRealTfLiteExactly()
        => QuantizeMobileNet(QuantizationScheme.UInt8, requireTop1: false, maxSizeRatio: 0.30, sweeps: 3, minAgreed: 9, biasCorrection: true, weightRange: RangeEstimation.MeanSquaredError);

    /// <summary><c>deeplite convert --to uint8</c>'s settings, including <see cref="QuantizationOptions.OptimizeRounding"/>:
    /// only weight levels change, so real TFLite still computes it exactly. Calibrated here on the 14 shared photos
    /// (in-sample), uint8 agrees with the float top-1 on all 10 golden cases. The out-of-sample acceptance (Tux Paint
    /// calibration, 9 of 10) is <c>UInt8ConversionAcceptanceTests</c>.</summary>
    [Fact]
    public void Quantize_FloatMobileNet_UInt8_ConverterSettings_RunsInRealTfLiteExactly()
        => QuantizeMobileNet(QuantizationScheme.UInt8, requireTop1: false, maxSizeRatio: 0.30, sweeps: 3, minAgreed: 10, biasCorrection: true,
            weightRange: RangeEstimation.MeanSquaredError, optimizeRounding: true);

    /// <summary>Optimized rounding lowers the error of the quantized output against the float one on the calibration
    /// inputs, through CONV_2D (SAME, stride 1), DEPTHWISE_CONV_2D (SAME, stride 2) and CONV_2D (VALID) layers, and
    /// the model still runs exactly in real TFLite. Measured: 2.103 → 2.065 (the activations' own rounding dominates).</summary>
    [Fact]
    public void Quantize_BuiltConvolutions_UInt8_OptimizedRoundingLowersOutputErrorAndRunsInRealTfLiteExactly()
    {
        var b = new ModelBuilder(seed: 11);
        var x = b.Input("image", [1, 12, 12, 4]);
        var c1 = b.Conv2D(x, 8, 3, 3);
        var d1 = b.DepthwiseConv2D(c1, 3, 3, stride: 2);
        b.Output(b.Conv2D(d1, 6, 3, 3, padding: Padding.Valid));
        using var floatModel = TfLiteModel.FromBytes(b.Graph.ToBytes());
        var calibration = Enumerable.Range(0, 30).Select(s => Floats(BuilderAndOracleTests.RandomFloatInput(12 * 12 * 4, s))).ToList();
        double SquaredError(bool optimizeRounding, out string path)
        {
            var graph = PostTrainingQuantizer.Quantize(floatModel, calibration, new QuantizationOptions { Scheme = QuantizationScheme.UInt8, OptimizeRounding = optimizeRounding });
            path = TempModel($"built-rounding-{optimizeRounding}.tflite");
            graph.Save(path);
            using var quantized = TfLiteModel.Load(path);
            var input = graph.Inputs[0].Quantization!;
            var output = graph.Outputs[0].Quantization!;
            double sum = 0;
            foreach (float[] sample in calibration)
            {
                float[] expected = Floats(ModelAssert.Run(floatModel, MemoryMarshal.AsBytes(sample.AsSpan()).ToArray())[0]);
                byte[] pixels = sample.Select(v => (byte)Math.Clamp((int)Math.Round((v / input.Scale) + input.ZeroPoint), 0, 255)).ToArray();
                byte[] actual = ModelAssert.Run(quantized, pixels)[0];
                for (int i = 0; i < expected.Length; i++) sum += Math.Pow(expected[i] - (output.Scale * (actual[i] - output.ZeroPoint)), 2);
            }
            return sum;
        }
        double nearest = SquaredError(false, out string nearestPath), optimized = SquaredError(true, out string optimizedPath);
        log.WriteLine($"output squared error over the calibration inputs: nearest {nearest:G4}, optimized {optimized:G4}");
        Assert.True(optimized < nearest, $"optimized rounding {optimized:G4} is not below nearest rounding {nearest:G4}");
        var probe = new byte[12 * 12 * 4];
        new Random(3).NextBytes(probe);
        TfLiteOracle.AssertMatches(optimizedPath, probe);
        Directory.Delete(Path.GetDirectoryName(nearestPath)!, true);
        Directory.Delete(Path.GetDirectoryName(optimizedPath)!, true);
    }

    [Fact]
    public void Quantize_FloatMobileNet_UInt8_IsAtMost30PercentAndRunsInRealTfLite() => QuantizeMobileNet(QuantizationScheme.UInt8, requireTop1: false, maxSizeRatio: 0.30);

    [Fact]
    public void Quantize_FloatMobileNet_Int8_KeepsTop1OnAllButTwoGoldenCases() => QuantizeMobileNet(QuantizationScheme.Int8, requireTop1: true, maxSizeRatio: 0.35);

    /// <summary>Cross-layer equalisation lifts uint8 agreement from 3/10 to 5/10 golden cases; the floor keeps that.</summary>
    [Fact]
    public void Quantize_FloatMobileNet_UInt8_WithCrossLayerEqualization_AgreesOnAtLeastFiveAndRunsInRealTfLite()
        => QuantizeMobileNet(QuantizationScheme.UInt8, requireTop1: false, maxSizeRatio: 0.30, sweeps: 3, minAgreed: 5);

    [Fact]
    public void CrossLayerEqualization_FloatMobileNet_KeepsFloatTop1()
    {
        using var floatModel = TfLiteModel.Load(TestData.Model(FloatModel + ".tflite"));
        var graph = ModelGraph.From(floatModel);
        int pairs = CrossLayerEqualizer.Equalize(graph, 3, CalibrationInputs(floatModel, 100));
        using var equalized = TfLiteModel.FromBytes(graph.ToBytes(), "equalized");
        double worst = 0;
        var changed = new List<string>();
        foreach (string goldenCase in GoldenCases(FloatModel))
        {
            byte[] input = ModelAssert.GoldenInputs(goldenCase)[0];
            float[] expected = Floats(ModelAssert.Run(floatModel, input)[0]), actual = Floats(ModelAssert.Run(equalized, input)[0]);
            var sorted = expected.Order().ToArray();
            double difference = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
            worst = Math.Max(worst, difference);
            log.WriteLine($"{goldenCase}: float top-1 {ArgMax(expected)} (p {sorted[^1]:F3}, margin {sorted[^1] - sorted[^2]:F3}), equalised top-1 {ArgMax(actual)}, max |Δp| {difference:E2}");
            if (ArgMax(expected) != ArgMax(actual)) changed.Add(goldenCase);
        }
        Assert.Empty(changed);
        log.WriteLine($"{pairs} pairs equalised; max |Δp| over the golden cases {worst:E2}");
        Assert.True(pairs >= 13, $"{pairs} pairs");
    }

    private void QuantizeMobileNet(QuantizationScheme scheme, bool requireTop1, double maxSizeRatio, int sweeps = 0, int minAgreed = 0, bool biasCorrection = false,
        RangeEstimation weightRange = RangeEstimation.MinMax, bool optimizeRounding = false)
    {
        using var floatModel = TfLiteModel.Load(TestData.Model(FloatModel + ".tflite"));
        var calibration = CalibrationInputs(floatModel, 100);
        var graph = PostTrainingQuantizer.Quantize(floatModel, calibration,
            new QuantizationOptions { Scheme = scheme, InputNormalization = (127.5f, 127.5f), CrossLayerEqualizationSweeps = sweeps, BiasCorrection = biasCorrection, WeightRange = weightRange,
                OptimizeRounding = optimizeRounding });
        string path = TempModel("quant.tflite");
        graph.Save(path);
        using var quantized = TfLiteModel.Load(path);
        long floatSize = new FileInfo(TestData.Model(FloatModel + ".tflite")).Length, size = new FileInfo(path).Length;

        int cases = 0, agreed = 0;
        var disagreements = new List<string>();
        foreach (string goldenCase in GoldenCases(FloatModel))
        {
            int floatTop = ArgMax(Floats(ModelAssert.Run(floatModel, ModelAssert.GoldenInputs(goldenCase)[0])[0]));
            byte[] pixels = ModelAssert.GoldenInputs(goldenCase.Replace(FloatModel, QuantModel, StringComparison.Ordinal))[0];
            if (scheme == QuantizationScheme.Int8) pixels = pixels.Select(p => unchecked((byte)(sbyte)(p - 128))).ToArray();
            byte[] scores = ModelAssert.Run(quantized, pixels)[0];
            int quantTop = scheme == QuantizationScheme.Int8
                ? Array.IndexOf(scores, scores.Select(b => (sbyte)b).Max() is var m ? unchecked((byte)m) : (byte)0)
                : Array.IndexOf(scores, scores.Max());
            cases++;
            log.WriteLine($"{goldenCase}: float {floatTop}, {scheme}{(biasCorrection ? " bias-corrected" : "")} {quantTop} (score {scores.Max()}, second {scores.Order().ElementAt(scores.Length - 2)}{(scores.Count(b => b == scores.Max()) > 1 ? $", tied: {string.Join(" ", Enumerable.Range(0, scores.Length).Where(i => scores[i] == scores.Max()))}" : "")})");
            if (quantTop == floatTop) agreed++;
            else disagreements.Add($"{goldenCase}: float {floatTop}, {scheme} {quantTop}");
        }
        log.WriteLine($"{scheme}, {sweeps} equalisation sweeps, bias correction {biasCorrection}, weight range {weightRange}, optimized rounding {optimizeRounding}: {calibration.Count} calibration images, top-1 agreement {agreed}/{cases}, size {floatSize} -> {size} bytes ({100.0 * size / floatSize:F1}%)");
        Assert.True(size <= floatSize * maxSizeRatio, $"{size} bytes is more than {maxSizeRatio:P0} of {floatSize}");
        Assert.True(agreed >= minAgreed, $"{agreed}/{cases} agree, fewer than {minAgreed}: " + string.Join("; ", disagreements));
        if (requireTop1) Assert.True(agreed >= cases - 2, string.Join("; ", disagreements));

        byte[] input = ModelAssert.GoldenInputs(GoldenCases(QuantModel)[0])[0];
        if (scheme == QuantizationScheme.Int8) input = input.Select(p => unchecked((byte)(sbyte)(p - 128))).ToArray();
        double worst = TfLiteOracle.AssertMatches(path, input, quantizedTolerance: scheme == QuantizationScheme.UInt8 ? 0 : 1);
        log.WriteLine($"oracle max deviation {worst} steps");
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void Quantize_BuiltModel_Uint8_RunsInRealTfLiteExactly()
    {
        using var floatModel = TfLiteModel.FromBytes(BuilderAndOracleTests.SmallClassifier().ToBytes());
        var calibration = Enumerable.Range(0, 20).Select(s => Floats(BuilderAndOracleTests.RandomFloatInput(16 * 16 * 3, s))).ToList();
        var graph = PostTrainingQuantizer.Quantize(floatModel, calibration, new QuantizationOptions { Scheme = QuantizationScheme.UInt8 });
        string path = TempModel("built-uint8.tflite");
        graph.Save(path);
        var input = new byte[16 * 16 * 3];
        new Random(5).NextBytes(input);
        double worst = TfLiteOracle.AssertMatches(path, input);
        log.WriteLine($"built uint8 model: max deviation {worst} steps");
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void Float16_FloatMobileNet_HalvesSizeAndStaysClose()
    {
        using var floatModel = TfLiteModel.Load(TestData.Model(FloatModel + ".tflite"));
        string path = TempModel("float16.tflite");
        Float16Converter.Convert(floatModel).Save(path);
        using var half = TfLiteModel.Load(path);
        long floatSize = new FileInfo(TestData.Model(FloatModel + ".tflite")).Length, size = new FileInfo(path).Length;
        Assert.InRange(size, floatSize * 0.45, floatSize * 0.55);
        byte[] input = ModelAssert.GoldenInputs(GoldenCases(FloatModel)[0])[0];
        float[] expected = Floats(ModelAssert.Run(floatModel, input)[0]), actual = Floats(ModelAssert.Run(half, input)[0]);
        Assert.Equal(ArgMax(expected), ArgMax(actual));
        Assert.True(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) < 0.02);
        double worst = TfLiteOracle.AssertMatches(path, input, 1e-4);
        log.WriteLine($"float16: size {floatSize} -> {size}; oracle max relative deviation {worst:E2}");
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void Quantize_UnsupportedOperator_NamesIt()
    {
        using var model = TfLiteModel.Load(TestData.File("ops", "resize-bilinear.float32.tflite"));
        var e = Assert.Throws<NotSupportedException>(() => PostTrainingQuantizer.Quantize(model, [new float[1]]));
        Assert.Contains("RESIZE_BILINEAR", e.Message, StringComparison.Ordinal);
    }
}
