namespace DeepLite.Vision;

/// <summary>An 8-bit RGB colour, e.g. the background that transparent pixels are composited onto.</summary>
public readonly record struct RgbColor(byte Red, byte Green, byte Blue)
{
    /// <summary>(255, 255, 255).</summary>
    public static RgbColor White { get; } = new(255, 255, 255);

    /// <summary>(128, 128, 128): mid gray, which uint8 MobileNets see as input 0.</summary>
    public static RgbColor Gray { get; } = new(128, 128, 128);

    public override string ToString() => $"#{Red:x2}{Green:x2}{Blue:x2}";
}
