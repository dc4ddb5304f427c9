using System.Globalization;

namespace DeepLite.Vision;

/// <summary>
/// Crops an image that has an alpha channel to its visible content, before it is composited onto a background:
/// <list type="number">
/// <item>the content box is the bounding box of the pixels whose alpha is above <see cref="Threshold"/>;</item>
/// <item>it grows by <c>round(Margin · max(w, h))</c> pixels on every side, and its shorter side grows further
/// (split evenly, the extra pixel going right or down) until it is square, side <c>S = max(w, h) + 2 · round(Margin · max(w, h))</c>;</item>
/// <item>the result is that S × S square: parts of it outside the image are fully transparent, so they take the
/// background colour like any other transparent pixel.</item>
/// </list>
/// An image is left as it is when its file has no alpha channel, when no pixel is above the threshold, or when the
/// content box is the whole image. A square crop keeps the object's aspect ratio when it is resized to a square input.
/// </summary>
/// <param name="Threshold">Pixels with alpha at or below this count as empty.</param>
/// <param name="Margin">Border around the content, as a fraction of its longer side; in [0, 1].</param>
public readonly record struct AlphaCrop(byte Threshold, double Margin)
{
    /// <summary>Alpha above 16 (of 255) is content; a 10% margin.</summary>
    public static AlphaCrop Default { get; } = new(16, 0.1);

    /// <summary>The crop square in image coordinates (it may extend past the image), or null when nothing is cropped.</summary>
    /// <param name="rgba">RGBA bytes, row-major, top row first, <c>width · height · 4</c> of them.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <exception cref="ArgumentException">The buffer size does not match, or <see cref="Margin"/> is outside [0, 1].</exception>
    public (int Left, int Top, int Side)? Square(ReadOnlySpan<byte> rgba, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (rgba.Length != (long)width * height * 4) throw new ArgumentException($"A {width}x{height} RGBA image needs {(long)width * height * 4} bytes; {rgba.Length} were given.", nameof(rgba));
        if (!(Margin >= 0 && Margin <= 1)) throw new ArgumentException($"The alpha crop margin {Margin} is not in [0, 1].");
        int left = width, top = height, right = -1, bottom = -1;
        for (int y = 0; y < height; y++)
        {
            var row = rgba.Slice(y * width * 4, width * 4);
            for (int x = 0; x < width; x++)
            {
                if (row[(x * 4) + 3] <= Threshold) continue;
                left = Math.Min(left, x);
                right = Math.Max(right, x);
                top = Math.Min(top, y);
                bottom = Math.Max(bottom, y);
            }
        }
        if (right < 0 || (left == 0 && top == 0 && right == width - 1 && bottom == height - 1)) return null;
        int boxWidth = right - left + 1, boxHeight = bottom - top + 1, longer = Math.Max(boxWidth, boxHeight);
        int side = longer + (2 * (int)Math.Round(Margin * longer, MidpointRounding.AwayFromZero));
        return (left - ((side - boxWidth) / 2), top - ((side - boxHeight) / 2), side);
    }

    /// <summary>
    /// The RGBA square <see cref="Square"/> describes (transparent outside the image), or <paramref name="rgba"/> itself
    /// when nothing is cropped; <paramref name="width"/> and <paramref name="height"/> become the result's size.
    /// </summary>
    public byte[] Apply(byte[] rgba, ref int width, ref int height)
    {
        ArgumentNullException.ThrowIfNull(rgba);
        if (Square(rgba, width, height) is not var (left, top, side)) return rgba;
        var result = new byte[(long)side * side * 4];
        int fromX = Math.Max(left, 0), toX = Math.Min(left + side, width);
        for (int y = Math.Max(top, 0); y < Math.Min(top + side, height); y++)
        {
            rgba.AsSpan(((y * width) + fromX) * 4, (toX - fromX) * 4).CopyTo(result.AsSpan(((((y - top) * side) + (fromX - left)) * 4)));
        }
        width = side;
        height = side;
        return result;
    }

    /// <summary><c>alpha&gt;T,margin=M</c>, e.g. <c>alpha&gt;16,margin=0.05</c> (invariant culture, M in shortest round-trip form).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"alpha>{Threshold},margin={Margin:R}");

    /// <summary>Parses the text <see cref="ToString"/> writes; false for anything else or a margin outside [0, 1].</summary>
    public static bool TryParse(string? text, out AlphaCrop crop)
    {
        crop = default;
        const string alpha = "alpha>", margin = ",margin=";
        if (text is null || !text.StartsWith(alpha, StringComparison.Ordinal)) return false;
        int comma = text.IndexOf(margin, StringComparison.Ordinal);
        if (comma < 0
            || !byte.TryParse(text.AsSpan(alpha.Length, comma - alpha.Length), NumberStyles.None, CultureInfo.InvariantCulture, out byte threshold)
            || !double.TryParse(text.AsSpan(comma + margin.Length), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double fraction)
            || fraction > 1)
        {
            return false;
        }
        crop = new AlphaCrop(threshold, fraction);
        return true;
    }
}
