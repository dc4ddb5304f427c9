using System.Net;
using System.Net.Sockets;

namespace DeepLite.Cli.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 serving files from a few folders, with byte-range support and
/// switchable faults: cut the first N responses short, or serve corrupted bytes.
/// </summary>
internal sealed class LoopbackFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string[] _folders;
    private readonly Task _loop;
    private int _requests;

    public LoopbackFileServer(params string[] folders)
    {
        _folders = folders;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        BaseUrl = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public string BaseUrl { get; }

    /// <summary>This many responses send only the first half of the body, then drop the connection.</summary>
    public int CutShortResponses { get; set; }

    /// <summary>Serve every file with one byte changed.</summary>
    public bool Corrupt { get; set; }

    public int Requests => _requests;
    public List<string> RangeHeaders { get; } = [];

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref _requests);
            try
            {
                Respond(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // The client went away; nothing to do.
            }
        }
    }

    private void Respond(HttpListenerContext context)
    {
        string name = Path.GetFileName(context.Request.Url!.AbsolutePath);
        string? path = _folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);
        var response = context.Response;
        if (path is null)
        {
            response.StatusCode = 404;
            response.Close();
            return;
        }
        byte[] body = File.ReadAllBytes(path);
        if (Corrupt) body[body.Length / 2] ^= 0xFF;
        int start = 0;
        string? range = context.Request.Headers["Range"];
        if (range is not null)
        {
            lock (RangeHeaders) RangeHeaders.Add(range);
            start = int.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
            if (start >= body.Length)
            {
                response.StatusCode = 416;
                response.Close();
                return;
            }
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{body.Length - 1}/{body.Length}";
        }
        int length = body.Length - start;
        response.ContentLength64 = length;
        if (CutShortResponses > 0)
        {
            CutShortResponses--;
            response.OutputStream.Write(body, start, length / 2);
            response.OutputStream.Flush();
            response.Abort();
            return;
        }
        response.OutputStream.Write(body, start, length);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
