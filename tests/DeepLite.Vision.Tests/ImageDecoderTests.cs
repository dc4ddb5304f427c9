using DeepLite.Tests;
using System.Buffers.Binary;

namespace DeepLite.Vision.Tests;

public sealed class ImageDecoderTests
{
    public static TheoryData<string> BmpFiles()
    {
        var files = new TheoryData<string>();
        foreach (string path in Directory.EnumerateFiles(TestData.Images, "*.bmp", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetRelativePath(TestData.Images, path));
        }
        return files;
    }

    [Theory]
    [MemberData(nameof(BmpFiles))]
    public void Bmp_TestImage_MatchesGoldenGeneratorRule(string relativePath)
    {
        byte[] file = File.ReadAllBytes(Path.Combine(TestData.Images, relativePath));
        var (width, height, expected) = BmpReference.Decode(file);

        var image = ImageDecoder.Decode(file, relativePath);

        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        Assert.True(expected.AsSpan().SequenceEqual(image.Pixels), $"{relativePath}: decoded pixels differ from the BMP rule.");
    }

    public static TheoryData<int, int, int, bool, bool> SyntheticBmps() => new()
    {
        // width, height, bits per pixel, top-down, BI_BITFIELDS
        { 1, 1, 24, false, false },
        { 5, 3, 24, false, false },
        { 7, 4, 24, true, false },
        { 5, 3, 32, false, false },
        { 6, 2, 32, true, false },
        { 5, 3, 32, false, true },
        { 3, 5, 8, false, false },
        { 9, 2, 8, true, false },
    };

    [Theory]
    [MemberData(nameof(SyntheticBmps))]
    public void Bmp_Synthetic_MatchesGoldenGeneratorRule(int width, int height, int bitsPerPixel, bool topDown, bool bitfields)
    {
        byte[]? palette = null;
        byte[] pixels;
        if (bitsPerPixel == 8)
        {
            palette = TestImages.Pattern(256, 1, 3, seed: 7);
            pixels = TestImages.Pattern(width, height, 1, seed: 8);
        }
        else
        {
            pixels = TestImages.Pattern(width, height, bitsPerPixel / 8, seed: width + height);
        }
        byte[] file = TestImages.Bmp(width, height, bitsPerPixel, pixels, topDown, palette, bitfields);
        var (_, _, expected) = BmpReference.Decode(file);

        var image = ImageDecoder.Decode(file);

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(expected, image.Pixels);
    }

    /// <summary>The direct BMP reader takes exactly the 24/32-bit BI_RGB files and gives stb_image's pixels for them.</summary>
    [Theory]
    [MemberData(nameof(SyntheticBmps))]
    public void Bmp_UncompressedReader_EqualsStbImage(int width, int height, int bitsPerPixel, bool topDown, bool bitfields)
    {
        byte[]? palette = bitsPerPixel == 8 ? TestImages.Pattern(256, 1, 3, seed: 7) : null;
        byte[] pixels = TestImages.Pattern(width, height, bitsPerPixel / 8, seed: width + height);
        byte[] file = TestImages.Bmp(width, height, bitsPerPixel, pixels, topDown, palette, bitfields);

        byte[]? direct = UncompressedBmp.TryDecode(file, width, height);

        if (bitsPerPixel == 8 || bitfields)
        {
            Assert.Null(direct);
            return;
        }
        Assert.NotNull(direct);
        Assert.Equal(StbImageSharp.ImageResult.FromMemory(file, StbImageSharp.ColorComponents.RedGreenBlue).Data, direct);
    }

    [Theory]
    [MemberData(nameof(BmpFiles))]
    public void Bmp_UncompressedReader_EqualsStbImageOnTestImages(string relativePath)
    {
        byte[] file = File.ReadAllBytes(Path.Combine(TestData.Images, relativePath));
        var stb = StbImageSharp.ImageResult.FromMemory(file, StbImageSharp.ColorComponents.RedGreenBlue);

        byte[]? direct = UncompressedBmp.TryDecode(file, stb.Width, stb.Height);

        Assert.NotNull(direct);
        Assert.True(stb.Data.AsSpan().SequenceEqual(direct), $"{relativePath}: the direct reader differs from stb_image.");
    }

    /// <summary>Decoding a file equals decoding its bytes; 24/32-bit BI_RGB files take the direct file reader.</summary>
    [Theory]
    [MemberData(nameof(SyntheticBmps))]
    public void Bmp_FromFile_EqualsFromBytes(int width, int height, int bitsPerPixel, bool topDown, bool bitfields)
    {
        byte[]? palette = bitsPerPixel == 8 ? TestImages.Pattern(256, 1, 3, seed: 7) : null;
        // Tall enough that the direct reader needs several row blocks.
        int rows = height * 5000;
        byte[] file = TestImages.Bmp(width, rows, bitsPerPixel, TestImages.Pattern(width, rows, bitsPerPixel / 8, seed: width), topDown, palette, bitfields);
        string path = Path.Combine(Path.GetTempPath(), $"deeplite-bmp-{Guid.NewGuid():N}.bmp");
        File.WriteAllBytes(path, file);
        try
        {
            using (var handle = File.OpenHandle(path))
            {
                Assert.Equal(bitsPerPixel != 8 && !bitfields, UncompressedBmp.TryRead(handle, file.Length, ImageDecoder.DefaultMaxPixels) is not null);
            }
            Assert.Equal(ImageDecoder.Decode(file).Pixels, ImageDecoder.Decode(path).Pixels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bmp_EightBitWithShortPalette_UsesPaletteEntries()
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        byte[] indices = [0, 1, 2, 3, 3, 2];
        byte[] file = TestImages.Bmp(3, 2, 8, indices, topDown: false, paletteRgb: palette);

        var image = ImageDecoder.Decode(file);

        Assert.Equal(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 10, 20, 30, 0, 0, 255 }, image.Pixels);
    }

    [Theory]
    [InlineData("hot_dog.jpg", 512, 384)]
    [InlineData("parrot.jpg", 512, 929)]
    public void Jpeg_Decodes(string name, int width, int height)
    {
        string path = TestData.File("images", name);

        var image = ImageDecoder.Decode(path);

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(width * height * 3, image.Pixels.Length);
        Assert.Contains(image.Pixels, b => b > 64);
        Assert.Contains(image.Pixels, b => b < 192);
    }

    [Fact]
    public void Jpeg_FromStreamAndSpan_EqualsFromFile()
    {
        string path = TestData.File("images", "hot_dog.jpg");
        byte[] bytes = File.ReadAllBytes(path);

        var fromFile = ImageDecoder.Decode(path);
        using var stream = new MemoryStream(bytes);
        var fromStream = ImageDecoder.Decode(stream);
        var fromSpan = ImageDecoder.Decode(bytes.AsSpan());

        Assert.Equal(fromFile.Pixels, fromStream.Pixels);
        Assert.Equal(fromFile.Pixels, fromSpan.Pixels);
    }

    [Fact]
    public void Png_Rgb_DecodesExactly()
    {
        byte[] rgb = TestImages.Pattern(7, 5, 3, seed: 1);
        string directory = Directory.CreateTempSubdirectory("deeplite-vision-").FullName;
        try
        {
            string path = Path.Combine(directory, "pattern.png");
            File.WriteAllBytes(path, TestImages.Png(7, 5, 3, rgb));

            var image = ImageDecoder.Decode(path);

            Assert.Equal((7, 5), (image.Width, image.Height));
            Assert.Equal(rgb, image.Pixels);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Png_Alpha_CompositesOntoTheBackground()
    {
        // RGBA pixels: opaque red, transparent with hidden green, half-transparent blue, opaque gray-alpha white.
        byte[] rgba = [255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 128, 10, 20, 30, 255];
        string directory = Directory.CreateTempSubdirectory("deeplite-vision-").FullName;
        try
        {
            string path = Path.Combine(directory, "cutout.png");
            File.WriteAllBytes(path, TestImages.Png(2, 2, 4, rgba));
            string gray = Path.Combine(directory, "gray-alpha.png");
            File.WriteAllBytes(gray, TestImages.Png(2, 1, 2, [200, 0, 200, 255]));

            Assert.Equal([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30], ImageDecoder.Decode(path).Pixels);
            var white = ImageDecoder.Decode(path, RgbColor.White);
            // Half-transparent blue: (0 * 128 + 255 * 127 + 127) / 255 = 127 for red and green, (255 * 128 + 255 * 127 + 127) / 255 = 255 for blue.
            Assert.Equal([255, 0, 0, 255, 255, 255, 127, 127, 255, 10, 20, 30], white.Pixels);
            var dark = ImageDecoder.Decode(path, new RgbColor(0, 0, 0));
            Assert.Equal([255, 0, 0, 0, 0, 0, 0, 0, 128, 10, 20, 30], dark.Pixels);
            Assert.Equal([64, 64, 64, 200, 200, 200], ImageDecoder.Decode(gray, new RgbColor(64, 64, 64)).Pixels);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Png_LargerThanOneStoredBlock_DecodesExactly()
    {
        byte[] rgb = TestImages.Pattern(200, 150, 3, seed: 2); // 90,150 bytes of scanlines: two stored blocks

        var image = ImageDecoder.Decode(TestImages.Png(200, 150, 3, rgb));

        Assert.Equal(rgb, image.Pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Png_GrayAndAlpha_BecomeRgb(int channels)
    {
        byte[] source = TestImages.Pattern(4, 3, channels, seed: channels);

        var image = ImageDecoder.Decode(TestImages.Png(4, 3, channels, source));

        for (int pixel = 0; pixel < 12; pixel++)
        {
            var rgb = image.Pixels.AsSpan(pixel * 3, 3);
            if (channels <= 2)
            {
                byte gray = source[pixel * channels];
                Assert.Equal(new[] { gray, gray, gray }, rgb.ToArray());
            }
            else
            {
                Assert.Equal(source.AsSpan(pixel * 4, 3).ToArray(), rgb.ToArray());
            }
        }
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ImageDecoder.Decode(Path.Combine(Path.GetTempPath(), "deeplite-no-such-image.bmp")));
    }
}
