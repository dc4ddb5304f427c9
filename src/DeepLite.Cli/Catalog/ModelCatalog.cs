namespace DeepLite.Cli.Catalog;

/// <summary>A file the CLI knows how to fetch: its public address, size check and sha256.</summary>
internal sealed record CatalogEntry(string Name, string FileName, string Sha256, string? Labels = null, string? Description = null);

/// <summary>
/// Well-known public TensorFlow Lite models and sample files (from the public google-coral/test_data
/// repository), so that the CLI works on a fresh machine. A name given where a file path is
/// expected is looked up here, downloaded once into the cache and verified by sha256.
/// </summary>
internal static class ModelCatalog
{
    /// <summary>Where catalog files are fetched from; <c>DEEPLITE_CATALOG_URL</c> overrides it (tests, mirrors).</summary>
    public const string DefaultBaseUrl = "https://github.com/google-coral/test_data/raw/master/";

    public static readonly IReadOnlyList<CatalogEntry> Entries =
    [
        new("mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.25_128_quant.tflite", "cb273c23ee76374b05b9583177e28aa19744858a7679c56a250e83d0333da785", "imagenet_labels", "MobileNet v1, width 0.25, 128x128, uint8"),
        new("mobilenet_v1_0.25_128_float", "mobilenet_v1_0.25_128_float.tflite", "0a0a478e343a22870db7df88f222728d9b08135cd7bee9bb6edd1b5c4d96f2e0", "imagenet_labels", "MobileNet v1, width 0.25, 128x128, float32"),
        new("mobilenet_v1_0.5_160_quant", "mobilenet_v1_0.5_160_quant.tflite", "3cc6d2ca460abd2e0f699a6d0d2550c6b61c6e3b0e27a3616e384ea74cb86f43", "imagenet_labels", "MobileNet v1, width 0.5, 160x160, uint8"),
        new("mobilenet_v1_0.75_192_quant", "mobilenet_v1_0.75_192_quant.tflite", "41daeb22fdcf947e0e5ec32373aa9df7c31f3ef45dbd0ef7b5940fbce3c20f6a", "imagenet_labels", "MobileNet v1, width 0.75, 192x192, uint8"),
        new("mobilenet_v2_1.0_224_quant", "mobilenet_v2_1.0_224_quant.tflite", "7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776", "imagenet_labels", "MobileNet v2, width 1.0, 224x224, uint8"),
        new("mobilenet_v1_1.0_224_quant_embedding_extractor", "mobilenet_v1_1.0_224_quant_embedding_extractor.tflite", "f409ef4f73fcbb9667841965623c5c8524aac33d41b9bf5f3667161fb4a76319", null, "MobileNet v1 1.0_224 without its classifier: 1024-value embeddings"),
        new("imagenet_labels", "imagenet_labels.txt", "b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1", null, "ImageNet labels, 1001 lines, line 0 = background"),
        new("grace_hopper.bmp", "grace_hopper.bmp", "c43444bf3b1b1e3080551ca194bd231da4b67f20fc91454502915a6b806b614f", null, "sample photo (public domain)"),
        new("cat.bmp", "cat.bmp", "34f235786382686111728287fd26d4c24dd8c25de8233469d6eeb301888ce0a9", null, "sample photo (CC BY 2.0)"),
    ];

    public static CatalogEntry? Find(string name) =>
        Entries.FirstOrDefault(e => e.Name == name || e.FileName == name);

    /// <summary>Resolves a path or catalog name to a local file, downloading catalog files into the cache on first use.
    /// A build without downloads (<c>-p:DeepLiteEdgeDownloads=false</c>) accepts existing files only.</summary>
    public static string Resolve(string pathOrName, TextWriter log)
    {
        if (File.Exists(pathOrName)) return pathOrName;
        var entry = Find(pathOrName)
            ?? throw new FileNotFoundException($"'{pathOrName}' is neither a file nor a catalog name. Catalog: {string.Join(", ", Entries.Select(e => e.Name))}.");
#if DEEPLITE_NO_DOWNLOADS
        throw new FileNotFoundException($"'{pathOrName}' is not a file, and this build of deeplite cannot download catalog models; fetch {entry.FileName} from {DefaultBaseUrl} and pass its path.");
#else
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        return new Downloader(http, log).Fetch(entry, BaseUrl, CacheFolder);
#endif
    }

    public static string BaseUrl
    {
        get
        {
            string? custom = Environment.GetEnvironmentVariable("DEEPLITE_CATALOG_URL");
            if (string.IsNullOrEmpty(custom)) return DefaultBaseUrl;
            return custom.EndsWith('/') ? custom : custom + "/";
        }
    }

    /// <summary>The local cache folder: <c>DEEPLITE_CACHE</c>, else the user's cache folder + deeplite.</summary>
    public static string CacheFolder
    {
        get
        {
            string? custom = Environment.GetEnvironmentVariable("DEEPLITE_CACHE");
            if (!string.IsNullOrEmpty(custom)) return custom;
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".cache") : xdg, "deeplite");
        }
    }
}
