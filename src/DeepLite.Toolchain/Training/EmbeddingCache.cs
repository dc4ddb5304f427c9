using DeepLite.Modeling;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DeepLite.Toolchain.Training;

/// <summary>
/// What an embedding depends on: the base model's bytes, the embedding tensor, the image file's bytes, the
/// preprocessing (e.g. the background transparent pixels are composited onto) and the augmentation view.
/// </summary>
public readonly record struct EmbeddingKey(string ModelSha256, string Tensor, string ImageSha256, string Preprocessing, string AugmentationId)
{
    /// <summary>Lower-case hex sha256 of the fields joined with newlines: the cache file's name.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', ModelSha256, Tensor, ImageSha256, Preprocessing, AugmentationId))));
}

/// <summary>
/// Embeddings stored one per file in a folder, named by <see cref="EmbeddingKey.Hash"/>: <c>&lt;hash&gt;.emb</c> holds the
/// magic "DLEMB1", the float count as int32 and the floats, all little-endian. Files are written to a unique temporary
/// name and renamed into place, so a reader never sees a partial file and concurrent writers of one key are harmless.
/// A file that is unreadable or of the wrong length is treated as missing.
/// </summary>
public sealed class EmbeddingCache
{
    private static readonly byte[] Magic = "DLEMB1"u8.ToArray();

    /// <summary>Uses (and creates when first writing) <paramref name="folder"/>.</summary>
    public EmbeddingCache(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
    }

    public string Folder { get; }

    /// <summary><c>$DEEPLITE_CACHE/embeddings</c>, else <c>~/.cache/deeplite/embeddings</c>.</summary>
    public static string DefaultFolder
    {
        get
        {
            string? root = Environment.GetEnvironmentVariable("DEEPLITE_CACHE");
            if (string.IsNullOrEmpty(root))
            {
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "deeplite");
            }
            return Path.Combine(root, "embeddings");
        }
    }

    /// <summary>The stored embedding of <paramref name="key"/> if it has exactly <paramref name="size"/> values.</summary>
    public bool TryGet(EmbeddingKey key, int size, out float[] embedding)
    {
        embedding = [];
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        int header = Magic.Length + sizeof(int);
        if (bytes.Length != header + (size * sizeof(float)) || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length)) != size)
        {
            return false;
        }
        embedding = new float[size];
        for (int i = 0; i < size; i++) embedding[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(header + (i * sizeof(float))));
        return true;
    }

    /// <summary>Stores <paramref name="embedding"/> under <paramref name="key"/> atomically (temporary file, then rename).</summary>
    public void Put(EmbeddingKey key, ReadOnlySpan<float> embedding)
    {
        Directory.CreateDirectory(Folder);
        var bytes = new byte[Magic.Length + sizeof(int) + (embedding.Length * sizeof(float))];
        Magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Magic.Length), embedding.Length);
        for (int i = 0; i < embedding.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(Magic.Length + sizeof(int) + (i * sizeof(float))), embedding[i]);
        }
        AtomicFile.Write(PathOf(key), bytes);
    }

    private string PathOf(EmbeddingKey key) => Path.Combine(Folder, key.Hash + ".emb");
}
