using DeepLite.Runtime;

namespace DeepLite.Vision;

/// <summary>The bytes are not an image DeepLite can decode: an unknown format, a truncated or corrupt
/// file, or an image over the pixel limit. The message names the source and the problem.</summary>
public sealed class ImageFormatException : DeepLiteException
{
    public ImageFormatException(string message) : base(message) { }
    public ImageFormatException(string message, Exception inner) : base(message, inner) { }
}
