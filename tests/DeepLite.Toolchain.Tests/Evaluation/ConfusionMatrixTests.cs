using DeepLite.Toolchain.Evaluation;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Tests.Evaluation;

public sealed class ConfusionMatrixTests
{
    private static ConfusionMatrix Sample()
    {
        var matrix = new ConfusionMatrix(["tiger cat", "golden retriever", "hotdog, hot dog, red hot"]);
        matrix.Add(0, 0);
        matrix.Add(0, -1);
        matrix.Add(1, 1);
        for (int i = 0; i < 12; i++) matrix.Add(2, 2);
        matrix.Add(2, 0);
        return matrix;
    }

    [Fact]
    public void ToText_IsAnAlignedTableWithAnOtherColumn()
    {
        string expected =
            "true \\ predicted              [0]  [1]  [2]  other\n" +
            "[0] tiger cat                   1    0    0      1\n" +
            "[1] golden retriever            0    1    0      0\n" +
            "[2] hotdog, hot dog, red hot    1    0   12      0\n";
        Assert.Equal(expected, Sample().ToText());
        Assert.Equal([1, 0, 12, 0], Sample().Row(2));
    }

    [Fact]
    public void SavePng_DecodesAtTheRequestedSizeAndIsNotBlank()
    {
        string path = Path.Combine(Path.GetTempPath(), "deeplite-confusion-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            ConfusionMatrixPlot.SavePng(Sample(), path, 700, 500);
            var image = ImageDecoder.Decode(path);
            Assert.Equal(700, image.Width);
            Assert.Equal(500, image.Height);
            var colours = new HashSet<int>();
            for (int i = 0; i < image.Pixels.Length; i += 3) colours.Add((image.Pixels[i] << 16) | (image.Pixels[i + 1] << 8) | image.Pixels[i + 2]);
            Assert.True(colours.Count > 50, $"only {colours.Count} colours");

            ConfusionMatrixPlot.SavePng(Sample(), path);
            var sized = ImageDecoder.Decode(path);
            Assert.Equal((640, 480), (sized.Width, sized.Height));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
