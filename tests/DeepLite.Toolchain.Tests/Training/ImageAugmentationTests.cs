using DeepLite.Toolchain.Training;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Tests.Training;

public sealed class ImageAugmentationTests
{
    private static RgbImage Ramp() => new(4, 2, Enumerable.Range(0, 24).Select(i => (byte)(i * 10)).ToArray());

    [Fact]
    public void Views_DoWhatTheirIdsSay()
    {
        var image = Ramp();
        Assert.Same(image, ImageAugmentation.None.Apply(image));
        Assert.Equal([90, 100, 110, 60, 70, 80, 30, 40, 50, 0, 10, 20], ImageAugmentation.Flip.Apply(image).Pixels[..12]);
        var crop = ImageAugmentation.Crop(0.5, 1, 0).Apply(image);
        Assert.Equal((2, 1), (crop.Width, crop.Height));
        Assert.Equal([60, 70, 80, 90, 100, 110], crop.Pixels);
        Assert.Equal("crop:0.500,1.000,0.000", ImageAugmentation.Crop(0.5, 1, 0).Id);
        var bright = ImageAugmentation.Brightness(1.5);
        Assert.Equal("brightness:1.500", bright.Id);
        Assert.Equal([0, 15, 30, 45], bright.Apply(image).Pixels[..4]);
        Assert.Equal(255, bright.Apply(image).Pixels[^1]);
    }

    [Fact]
    public void ViewsFor_IsSeeded()
    {
        Assert.Equal(["none"], ImageAugmentation.ViewsFor(false, new Random(1)).Select(v => v.Id));
        Assert.Equal(["none", "flip"], ImageAugmentation.ViewsFor(false, new Random(1), flip: true).Select(v => v.Id));
        var a = ImageAugmentation.ViewsFor(true, new Random(1)).Select(v => v.Id).ToArray();
        Assert.Equal(a, ImageAugmentation.ViewsFor(true, new Random(1)).Select(v => v.Id));
        Assert.Equal(4, a.Length);
        Assert.NotEqual(a, ImageAugmentation.ViewsFor(true, new Random(2)).Select(v => v.Id));
    }
}
