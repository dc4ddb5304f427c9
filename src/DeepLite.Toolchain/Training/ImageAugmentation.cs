using System.Globalization;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Training;

/// <summary>
/// One deterministic view of a training image. <see cref="Id"/> spells out every parameter, so the same id always
/// gives the same pixels and can key a cached embedding:
/// <list type="bullet">
/// <item><c>none</c>: the image unchanged.</item>
/// <item><c>flip</c>: mirrored left to right.</item>
/// <item><c>crop:F,X,Y</c>: the sub-image of <c>round(F·W) × round(F·H)</c> pixels whose left edge is at
/// <c>round(X·(W - w))</c> and top edge at <c>round(Y·(H - h))</c> (F in (0, 1], X and Y in [0, 1]).</item>
/// <item><c>brightness:B</c>: every channel value <c>v</c> becomes <c>clamp(round(v·B), 0, 255)</c>.</item>
/// </list>
/// </summary>
public sealed record ImageAugmentation
{
    private ImageAugmentation(string id, Func<RgbImage, RgbImage> apply)
    {
        Id = id;
        _apply = apply;
    }

    private readonly Func<RgbImage, RgbImage> _apply;

    public string Id { get; }

    /// <summary>The unchanged image.</summary>
    public static ImageAugmentation None { get; } = new("none", image => image);

    public static ImageAugmentation Flip { get; } = new("flip", FlipHorizontally);

    /// <summary>Crop to <paramref name="fraction"/> of each side, placed at relative offsets <paramref name="x"/>, <paramref name="y"/>.</summary>
    public static ImageAugmentation Crop(double fraction, double x, double y)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(fraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(x, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(y, 1);
        string id = string.Create(CultureInfo.InvariantCulture, $"crop:{fraction:F3},{x:F3},{y:F3}");
        // Parameters are used as printed, so the id alone reproduces the view.
        double f = Math.Round(fraction, 3), px = Math.Round(x, 3), py = Math.Round(y, 3);
        return new ImageAugmentation(id, image => CropImage(image, f, px, py));
    }

    /// <summary>Scale every channel value by <paramref name="factor"/>.</summary>
    public static ImageAugmentation Brightness(double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        string id = string.Create(CultureInfo.InvariantCulture, $"brightness:{factor:F3}");
        double b = Math.Round(factor, 3);
        return new ImageAugmentation(id, image => Scale(image, b));
    }

    /// <summary>
    /// The views trained on for one image: <see cref="None"/>; with <paramref name="flip"/> also <see cref="Flip"/>; with
    /// <paramref name="augment"/> a flip, a random crop (80–95% of each side, random position) and a random brightness
    /// (0.75–1.25), drawn from <paramref name="random"/> (which is not used otherwise).
    /// </summary>
    public static IReadOnlyList<ImageAugmentation> ViewsFor(bool augment, Random random, bool flip = false)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!augment) return flip ? [None, Flip] : [None];
        return
        [
            None,
            Flip,
            Crop(0.80 + (0.15 * random.NextDouble()), random.NextDouble(), random.NextDouble()),
            Brightness(0.75 + (0.5 * random.NextDouble())),
        ];
    }

    /// <summary>A new image (or <paramref name="image"/> itself for <see cref="None"/>).</summary>
    public RgbImage Apply(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return _apply(image);
    }

    public override string ToString() => Id;

    private static RgbImage FlipHorizontally(RgbImage image)
    {
        var result = new RgbImage(image.Width, image.Height);
        int stride = image.Width * RgbImage.Channels;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                int from = (y * stride) + (x * RgbImage.Channels);
                int to = (y * stride) + ((image.Width - 1 - x) * RgbImage.Channels);
                image.Pixels.AsSpan(from, RgbImage.Channels).CopyTo(result.Pixels.AsSpan(to, RgbImage.Channels));
            }
        }
        return result;
    }

    private static RgbImage CropImage(RgbImage image, double fraction, double x, double y)
    {
        int width = Math.Clamp((int)Math.Round(image.Width * fraction, MidpointRounding.AwayFromZero), 1, image.Width);
        int height = Math.Clamp((int)Math.Round(image.Height * fraction, MidpointRounding.AwayFromZero), 1, image.Height);
        int left = (int)Math.Round((image.Width - width) * x, MidpointRounding.AwayFromZero);
        int top = (int)Math.Round((image.Height - height) * y, MidpointRounding.AwayFromZero);
        var result = new RgbImage(width, height);
        int rowBytes = width * RgbImage.Channels;
        for (int row = 0; row < height; row++)
        {
            image.Pixels.AsSpan((((top + row) * image.Width) + left) * RgbImage.Channels, rowBytes).CopyTo(result.Pixels.AsSpan(row * rowBytes, rowBytes));
        }
        return result;
    }

    private static RgbImage Scale(RgbImage image, double factor)
    {
        var result = new RgbImage(image.Width, image.Height);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            result.Pixels[i] = (byte)Math.Clamp(Math.Round(image.Pixels[i] * factor, MidpointRounding.AwayFromZero), 0, 255);
        }
        return result;
    }
}
