using DeepLite.Tests;
using DeepLite.Toolchain.Training;
using Xunit.Abstractions;

namespace DeepLite.Toolchain.Tests.Training;

public sealed class TuxPaintAcceptanceTests(ITestOutputHelper output)
{
    private const string TuxPaintStamps = "/usr/share/tuxpaint/stamps";

    /// <summary>
    /// Acceptance: four Tux Paint stamp classes (photos cut out on transparency, plus a few drawings in sub-folders),
    /// a quarter of each held out; the quantized head must reach 90% top-1 and agree with the float head on 95%.
    /// </summary>
    [Fact]
    public void TuxPaintStamps_FourClasses_QuantizedHeadMeetsAcceptance()
    {
        Assert.True(Directory.Exists(TuxPaintStamps), $"{TuxPaintStamps} is missing: apt-get install tuxpaint-stamps-default");
        string root = Directory.CreateTempSubdirectory("deeplite-tuxpaint-").FullName;
        try
        {
            string dataFolder = Path.Combine(root, "data");
            Directory.CreateDirectory(dataFolder);
            foreach (var (name, folder) in new[] { ("birds", "animals/birds"), ("fruit", "food/fruit"), ("flowers", "plants/flowers"), ("vegetables", "food/vegetables") })
            {
                File.CreateSymbolicLink(Path.Combine(dataFolder, name), Path.Combine(TuxPaintStamps, folder));
            }
            var result = TransferLearning.Run(new TransferLearningOptions
            {
                BaseModel = TestData.Model("mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"),
                DataFolder = dataFolder,
                CacheFolder = Path.Combine(root, "cache"),
                HoldoutFraction = 0.25,
                Seed = 1,
                Head = new HeadTrainingOptions { Seed = 1 },
            });
            output.WriteLine($"images per class: {string.Join(", ", result.Head.Labels.Select((l, i) => $"{l} {result.ImagesPerClass[i]}"))}");
            output.WriteLine($"train {result.TrainImages}, validation {result.ValidationImages}, held out {result.HoldoutImages}");
            output.WriteLine($"extraction {result.ExtractionTime.TotalSeconds:F1} s ({result.ImagesPerSecond:F1} images/s), training {result.TrainingTime.TotalSeconds:F2} s, {result.Head.History.Count} epochs (best {result.Head.BestEpoch})");
            output.WriteLine($"held-out top-1 float {result.HoldoutTop1Float:P1}, quantized {result.HoldoutTop1Quantized:P1}, agreement {result.FloatQuantizedAgreement:P1}");
            Assert.True(result.HoldoutTop1Quantized >= 0.90, $"quantized head top-1 {result.HoldoutTop1Quantized:P1} < 90%");
            Assert.True(result.FloatQuantizedAgreement >= 0.95, $"float/quantized agreement {result.FloatQuantizedAgreement:P1} < 95%");
            Assert.All(result.ImagesPerClass, n => Assert.True(n >= 4));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
