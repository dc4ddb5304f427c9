namespace DeepLite.Vision.Tests;

public sealed class AlphaCropTests
{
    /// <summary>A width × height RGBA image, transparent everywhere except the listed opaque pixels (each a distinct red value).</summary>
    private static byte[] Rgba(int width, int height, params (int X, int Y, byte Alpha)[] pixels)
    {
        var rgba = new byte[width * height * 4];
        for (int i = 0; i < pixels.Length; i++)
        {
            int at = ((pixels[i].Y * width) + pixels[i].X) * 4;
            rgba[at] = (byte)(100 + i);
            rgba[at + 3] = pixels[i].Alpha;
        }
        return rgba;
    }

    [Fact]
    public void Square_WideContent_GrowsByTheMarginAndCentresTheShortSide()
    {
        // Content spans x 2..9 (8 wide), y 4..7 (4 high) of 16x12; margin 0.25 of 8 = 2 pixels, so the side is 12.
        var rgba = Rgba(16, 12, (2, 4, 255), (9, 7, 255), (5, 5, 200));

        var square = new AlphaCrop(16, 0.25).Square(rgba, 16, 12);

        // Left 2 - (12 - 8) / 2 = 0; top 4 - (12 - 4) / 2 = 0.
        Assert.Equal((0, 0, 12), square);
    }

    [Fact]
    public void Square_PixelsAtOrBelowTheThreshold_AreNotContent()
    {
        var rgba = Rgba(10, 10, (1, 1, 16), (4, 4, 17), (6, 5, 255), (9, 9, 10));

        // Content x 4..6 (3 wide), y 4..5 (2 high), no margin: side 3, top 4 - (3 - 2) / 2 = 4.
        Assert.Equal((4, 4, 3), new AlphaCrop(16, 0).Square(rgba, 10, 10));
    }

    [Fact]
    public void Square_NoContentOrWholeImage_IsNull()
    {
        Assert.Null(AlphaCrop.Default.Square(Rgba(4, 3), 4, 3));
        Assert.Null(AlphaCrop.Default.Square(Rgba(4, 3, (0, 0, 255), (3, 2, 255)), 4, 3));
    }

    [Fact]
    public void Apply_SquarePastTheEdge_IsTransparentOutsideTheImage()
    {
        // One opaque pixel at (0, 1) of 3x3 with margin 1: side 1 + 2 = 3, left -1, top 0.
        byte[] rgba = Rgba(3, 3, (0, 1, 255));
        int width = 3, height = 3;

        byte[] cropped = new AlphaCrop(16, 1).Apply(rgba, ref width, ref height);

        Assert.Equal((3, 3), (width, height));
        var expected = new byte[3 * 3 * 4];
        // Source column x lands at x + 1; row y at y. Source columns 0 and 1 are inside; column -1 is outside.
        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 2; x++) rgba.AsSpan(((y * 3) + x) * 4, 4).CopyTo(expected.AsSpan(((y * 3) + x + 1) * 4));
        }
        Assert.Equal(expected, cropped);
        Assert.Equal([100, 0, 0, 255], cropped.AsSpan(((1 * 3) + 1) * 4, 4).ToArray());
    }

    [Fact]
    public void TextForm_RoundTrips_AndRejectsOthers()
    {
        foreach (var crop in new[] { AlphaCrop.Default, new AlphaCrop(0, 0), new AlphaCrop(255, 1), new AlphaCrop(7, 0.123456789) })
        {
            Assert.True(AlphaCrop.TryParse(crop.ToString(), out var parsed));
            Assert.Equal(crop, parsed);
        }
        Assert.Equal("alpha>16,margin=0.1", AlphaCrop.Default.ToString());
        foreach (string? bad in new[] { null, "", "alpha>16", "alpha>256,margin=0.1", "alpha>16,margin=1.5", "alpha>16,margin=-0.1", "alpha>-1,margin=0.1", "beta>16,margin=0.1" })
        {
            Assert.False(AlphaCrop.TryParse(bad, out _), bad);
        }
    }

    [Fact]
    public void Decode_WithCrop_CropsAlphaImagesOnly()
    {
        string directory = Directory.CreateTempSubdirectory("deeplite-vision-").FullName;
        try
        {
            // 6x4 RGBA, content a 2x2 block at x 3..4, y 1..2; no margin gives exactly that block.
            var rgba = Rgba(6, 4, (3, 1, 255), (4, 1, 255), (3, 2, 255), (4, 2, 128));
            string cutout = Path.Combine(directory, "cutout.png");
            File.WriteAllBytes(cutout, TestImages.Png(6, 4, 4, rgba));
            string opaque = Path.Combine(directory, "opaque.png");
            byte[] rgb = TestImages.Pattern(6, 4, 3, seed: 3);
            File.WriteAllBytes(opaque, TestImages.Png(6, 4, 3, rgb));

            var cropped = ImageDecoder.Decode(cutout, RgbColor.White, new AlphaCrop(16, 0));

            Assert.Equal((2, 2), (cropped.Width, cropped.Height));
            // The half-transparent pixel (red 103, alpha 128): (103 * 128 + 255 * 127 + 127) / 255 = 179; green and blue 0 give 127.
            Assert.Equal([100, 0, 0, 101, 0, 0, 102, 0, 0, 179, 127, 127], cropped.Pixels);
            Assert.Equal(ImageDecoder.Decode(cutout, RgbColor.White).Pixels, ImageDecoder.Decode(cutout, RgbColor.White, null).Pixels);
            var whole = ImageDecoder.Decode(opaque, RgbColor.White, AlphaCrop.Default);
            Assert.Equal((6, 4), (whole.Width, whole.Height));
            Assert.Equal(rgb, whole.Pixels);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
