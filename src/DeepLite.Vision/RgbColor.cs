namespace DeepLite.Vision;

/// <summary>An 8-bit RGB colour, e.g. the background that transparent pixels are composited onto.</summary>
public readonly record struct RgbColor(byte Red, byte Green, byte Blue)
{
    /// <summary>(255, 255, 255).</summary>
    public static RgbColor White { get; } = new(255, 255, 255);

    /// <summary>(128, 128, 128): mid gray, which uint8 MobileNets see as input 0.</summary>
    public static RgbColor Gray { get; } = new(128, 128, 128);

    /// <summary><c>#rrggbb</c> in lower-case hex.</summary>
    public override string ToString() => $"#{Red:x2}{Green:x2}{Blue:x2}";

    /// <summary>Parses <c>#rrggbb</c> (hex digits of either case), as <see cref="ToString"/> writes it.</summary>
    public static bool TryParse(string? text, out RgbColor color)
    {
        color = default;
        if (text is not { Length: 7 } || text[0] != '#'
            || !uint.TryParse(text.AsSpan(1), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out uint rgb))
        {
            return false;
        }
        color = new RgbColor((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
        return true;
    }
}
