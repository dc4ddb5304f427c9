using DeepLite.Cli.Catalog;
using DeepLite.Tests;

namespace DeepLite.Cli.Tests;

/// <summary>The catalog download code against a real loopback HTTP server serving the shared test files.</summary>
public sealed class DownloaderTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("deeplite-cache-").FullName;
    private readonly StringWriter _log = new();

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static CatalogEntry Entry(string name) => ModelCatalog.Find(name)!;

    private Downloader NewDownloader(HttpClient http) => new(http, _log) { FirstRetryDelay = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public void Fetch_DownloadsVerifiesAndCaches()
    {
        using var server = new LoopbackFileServer(TestData.Models);
        using var http = new HttpClient();
        var entry = Entry("mobilenet_v1_0.25_128_quant");
        string path = NewDownloader(http).Fetch(entry, server.BaseUrl, _cache);
        Assert.Equal(entry.Sha256, Downloader.Sha256Of(path));
        Assert.False(File.Exists(path + ".partial"));
        int requests = server.Requests;
        NewDownloader(http).Fetch(entry, server.BaseUrl, _cache);
        Assert.Equal(requests, server.Requests);
    }

    [Fact]
    public void Fetch_ConnectionDropped_ResumesWithRangeRequest()
    {
        using var server = new LoopbackFileServer(TestData.Models) { CutShortResponses = 1 };
        using var http = new HttpClient();
        var entry = Entry("mobilenet_v1_0.25_128_float");
        string path = NewDownloader(http).Fetch(entry, server.BaseUrl, _cache);
        Assert.Equal(entry.Sha256, Downloader.Sha256Of(path));
        Assert.Single(server.RangeHeaders);
        Assert.Contains("Resuming", _log.ToString());
    }

    [Fact]
    public void Fetch_CorruptDownload_IsDiscardedAndReported()
    {
        using var server = new LoopbackFileServer(TestData.Models) { Corrupt = true };
        using var http = new HttpClient();
        var entry = Entry("mobilenet_v1_0.25_128_quant");
        var e = Assert.Throws<InvalidDataException>(() => NewDownloader(http).Fetch(entry, server.BaseUrl, _cache));
        Assert.Contains("sha256", e.Message);
        Assert.Empty(Directory.GetFiles(_cache));
    }

    [Fact]
    public void Fetch_CorruptCachedFile_IsReplaced()
    {
        using var server = new LoopbackFileServer(TestData.Models);
        using var http = new HttpClient();
        var entry = Entry("imagenet_labels");
        File.WriteAllText(Path.Combine(_cache, entry.FileName), "not the labels");
        string path = NewDownloader(http).Fetch(entry, server.BaseUrl, _cache);
        Assert.Equal(entry.Sha256, Downloader.Sha256Of(path));
    }

    [Fact]
    public void Fetch_MissingOnServer_FailsWithoutRetrying()
    {
        using var server = new LoopbackFileServer(Path.GetTempPath());
        using var http = new HttpClient();
        var e = Assert.Throws<InvalidOperationException>(() => NewDownloader(http).Fetch(new CatalogEntry("x", "no-such-file.tflite", new string('0', 64)), server.BaseUrl, _cache));
        Assert.Contains("404", e.Message);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public void Catalog_HashesMatchTheSharedCopies()
    {
        foreach (var entry in ModelCatalog.Entries)
        {
            string local = new[] { TestData.Models, TestData.Images }.Select(d => Path.Combine(d, entry.FileName)).First(File.Exists);
            Assert.Equal(entry.Sha256, Downloader.Sha256Of(local));
        }
    }
}
