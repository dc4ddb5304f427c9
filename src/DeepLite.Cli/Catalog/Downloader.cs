using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace DeepLite.Cli.Catalog;

/// <summary>
/// Fetches catalog files into the cache: resumes a partial download with an HTTP range request,
/// retries transient failures, verifies the sha256 before the file appears under its final name
/// (written as <c>name.partial</c>, then renamed), and never leaves a corrupt file in the cache.
/// </summary>
internal sealed class Downloader(HttpClient http, TextWriter log)
{
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Returns the verified cached file of <paramref name="entry"/>, downloading it if needed.</summary>
    public string Fetch(CatalogEntry entry, string baseUrl, string cacheFolder)
    {
        Directory.CreateDirectory(cacheFolder);
        string final = Path.Combine(cacheFolder, entry.FileName);
        if (File.Exists(final))
        {
            if (Sha256Of(final) == entry.Sha256) return final;
            log.WriteLine($"Cached {entry.FileName} does not match its sha256; downloading it again.");
            File.Delete(final);
        }
        string partial = final + ".partial";
        var uri = new Uri(new Uri(baseUrl), entry.FileName);
        Exception? last = null;
        for (int attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                DownloadTo(uri, partial);
                string actual = Sha256Of(partial);
                if (actual != entry.Sha256)
                {
                    File.Delete(partial);
                    throw new InvalidDataException($"Downloaded {entry.FileName} has sha256 {actual}, expected {entry.Sha256}; the file was discarded.");
                }
                File.Move(partial, final, overwrite: true);
                return final;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException && attempt < MaxAttempts)
            {
                last = e;
                if (e is IOException io && IsDiskFull(io))
                {
                    TryDelete(partial);
                    throw new IOException($"Not enough disk space in {cacheFolder} to download {entry.FileName}.", e);
                }
                log.WriteLine($"Download of {entry.FileName} failed ({e.Message}); retry {attempt} of {MaxAttempts - 1}.");
                Thread.Sleep(FirstRetryDelay * (1 << (attempt - 1)));
            }
        }
        throw new IOException($"Could not download {entry.FileName} from {uri} after {MaxAttempts} attempts: {last?.Message}", last);
    }

    private void DownloadTo(Uri uri, string partial)
    {
        long existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
        using var response = http.Send(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The partial file is already complete (or longer than the file): start over.
            File.Delete(partial);
            throw new IOException("the server rejected the resume range");
        }
        int status = (int)response.StatusCode;
        if (status is >= 400 and < 500 and not 408 and not 429)
        {
            throw new InvalidOperationException($"{uri} answered {status} {response.ReasonPhrase}.");
        }
        response.EnsureSuccessStatusCode();
        bool resumed = existing > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (resumed) log.WriteLine($"Resuming {Path.GetFileName(uri.LocalPath)} at byte {existing}.");
        using var source = response.Content.ReadAsStream();
        using var target = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None);
        source.CopyTo(target);
        long? expected = response.Content.Headers.ContentLength;
        if (expected is not null && target.Length != (resumed ? existing : 0) + expected)
        {
            throw new IOException($"connection closed after {target.Length} bytes");
        }
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 0x70 or 0x27;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
