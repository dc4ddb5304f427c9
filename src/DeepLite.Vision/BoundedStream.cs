namespace DeepLite.Vision;

/// <summary>Reading untrusted streams without letting them grow without bound.</summary>
internal static class BoundedStream
{
    /// <summary>The bytes of <paramref name="stream"/> up to its end, or null when there are more than <paramref name="maxBytes"/>.</summary>
    public static byte[]? ReadToEnd(Stream stream, int maxBytes)
    {
        using var contents = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (contents.Length + read > maxBytes) return null;
            contents.Write(chunk, 0, read);
        }
        return contents.ToArray();
    }
}
