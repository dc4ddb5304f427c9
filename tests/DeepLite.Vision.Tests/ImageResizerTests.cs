namespace DeepLite.Vision.Tests;

public sealed class ImageResizerTests
{
    private static RgbImage Gradient(int width, int height)
    {
        var image = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 3;
                image.Pixels[i] = (byte)(x * 10);
                image.Pixels[i + 1] = (byte)(y * 10);
                image.Pixels[i + 2] = (byte)((x + y) * 5);
            }
        }
        return image;
    }

    [Theory]
    [InlineData(ResizeMode.Nearest)]
    [InlineData(ResizeMode.Bilinear)]
    public void SameSize_IsAnUnchangedCopy(ResizeMode mode)
    {
        var source = new RgbImage(5, 4, TestImages.Pattern(5, 4, 3, seed: 9));

        var result = ImageResizer.Resize(source, 5, 4, mode);

        Assert.Equal(source.Pixels, result.Pixels);
        Assert.NotSame(source.Pixels, result.Pixels);
    }

    [Fact]
    public void Nearest_Downscale_PicksTheCentrePixel()
    {
        // W = 4 -> w = 2: sx = floor((x + 0.5) * 4 / 2) = 1, 3.
        var source = Gradient(4, 4);

        var result = ImageResizer.Resize(source, 2, 2, ResizeMode.Nearest);

        Assert.Equal(new byte[] { 10, 10, 10, 30, 10, 20, 10, 30, 20, 30, 30, 30 }, result.Pixels);
    }

    [Fact]
    public void Nearest_Upscale_RepeatsPixels()
    {
        var source = Gradient(2, 1);

        var result = ImageResizer.Resize(source, 4, 1, ResizeMode.Nearest);

        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 10, 0, 5, 10, 0, 5 }, result.Pixels);
    }

    [Fact]
    public void Bilinear_Upscale_InterpolatesWithHalfPixelCentres()
    {
        // W = 2 -> w = 4: fx = max((x + 0.5) / 2 - 0.5, 0) = 0, 0.25, 0.75, 1.25 -> x0 = 0, 0, 0, 1 (x1 clamped to 1).
        var source = new RgbImage(2, 1, [0, 100, 255, 200, 50, 0]);

        var result = ImageResizer.Resize(source, 4, 1, ResizeMode.Bilinear);

        // Red 0 -> 200: 0, 50, 150, 200. Green 100 -> 50: 100, 87.5 -> 88, 62.5 -> 63, 50. Blue 255 -> 0: 255, 191.25 -> 191, 63.75 -> 64, 0.
        Assert.Equal(new byte[] { 0, 100, 255, 50, 88, 191, 150, 63, 64, 200, 50, 0 }, result.Pixels);
    }

    [Fact]
    public void Bilinear_HalfwayValues_RoundAwayFromZero()
    {
        // W = 2 -> w = 4 at x = 1: lx = 0.25; 1 + (3 - 1) * 0.25 = 1.5 -> 2.
        var source = new RgbImage(2, 1, [1, 1, 1, 3, 3, 3]);

        var result = ImageResizer.Resize(source, 4, 1, ResizeMode.Bilinear);

        Assert.Equal(2, result.Pixels[3]);
    }

    [Fact]
    public void Bilinear_Downscale_MatchesFormulaOnEveryPixel()
    {
        var source = new RgbImage(13, 7, TestImages.Pattern(13, 7, 3, seed: 4));

        var result = ImageResizer.Resize(source, 5, 3, ResizeMode.Bilinear);

        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 5; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(ReferenceBilinear(source, 5, 3, x, y, c), result.Pixels[(((y * 5) + x) * 3) + c]);
                }
            }
        }
    }

    /// <summary>The README formula, written out once more for a single output value.</summary>
    private static byte ReferenceBilinear(RgbImage image, int width, int height, int x, int y, int channel)
    {
        double fx = Math.Max((((x + 0.5) * image.Width) / width) - 0.5, 0);
        double fy = Math.Max((((y + 0.5) * image.Height) / height) - 0.5, 0);
        int x0 = (int)Math.Min(Math.Floor(fx), image.Width - 1), x1 = Math.Min(x0 + 1, image.Width - 1);
        int y0 = (int)Math.Min(Math.Floor(fy), image.Height - 1), y1 = Math.Min(y0 + 1, image.Height - 1);
        double lx = fx - x0, ly = fy - y0;
        double P(int px, int py) => image.Pixels[(((py * image.Width) + px) * 3) + channel];
        double top = P(x0, y0) + ((P(x1, y0) - P(x0, y0)) * lx);
        double bottom = P(x0, y1) + ((P(x1, y1) - P(x0, y1)) * lx);
        double v = top + ((bottom - top) * ly);
        return (byte)Math.Min(255, Math.Max(0, Math.Round(v, MidpointRounding.AwayFromZero)));
    }

    [Fact]
    public void InvalidSize_Throws()
    {
        var source = Gradient(2, 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResizer.Resize(source, 0, 2, ResizeMode.Nearest));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResizer.Resize(source, 2, -1, ResizeMode.Bilinear));
    }
}
