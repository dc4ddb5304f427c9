namespace DeepLite.Runtime.Threading;

/// <summary>A range of work that can be split: <see cref="Run"/> processes items [begin, end).</summary>
public interface IParallelWork
{
    void Run(int begin, int end);
}

/// <summary>
/// The threads an interpreter lends its kernels to split one operator's work. With one thread
/// everything runs inline on the caller. Otherwise <c>Threads - 1</c> dedicated background workers
/// wait for work; <see cref="Run"/> cuts the range into one contiguous chunk per thread, runs the
/// first chunk on the caller and returns when every chunk is done. Dispatch allocates nothing.
/// </summary>
/// <remarks>Not reentrant: one <see cref="Run"/> at a time (kernels of one interpreter run in sequence).</remarks>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim[] _start;
    private readonly object _doneGate = new();
    private IParallelWork? _work;
    private int _count;
    private int _chunks;
    private int _pending;
    private Exception? _failure;
    private volatile bool _disposed;

    public WorkerPool(int threads)
    {
        Threads = Math.Max(1, threads);
        _workers = new Thread[Threads - 1];
        _start = new SemaphoreSlim[Threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i + 1;
            _start[i] = new SemaphoreSlim(0);
            _workers[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"DeepLite worker {index}" };
            _workers[i].Start();
        }
    }

    /// <summary>Threads that take part in <see cref="Run"/>, the caller included.</summary>
    public int Threads { get; }

    /// <summary>A pool that runs everything on the caller.</summary>
    public static WorkerPool Inline { get; } = new(1);

    /// <summary>
    /// Runs <paramref name="work"/> over [0, <paramref name="count"/>) in up to <see cref="Threads"/>
    /// contiguous chunks of at least <paramref name="minimumChunk"/> items. Chunk i covers
    /// [count·i/chunks, count·(i+1)/chunks). An exception in any chunk is rethrown here.
    /// </summary>
    public void Run(IParallelWork work, int count, int minimumChunk = 1)
    {
        if (count <= 0) return;
        int chunks = Math.Min(Threads, Math.Max(1, count / Math.Max(1, minimumChunk)));
        if (chunks == 1)
        {
            work.Run(0, count);
            return;
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        _work = work;
        _count = count;
        _chunks = chunks;
        _failure = null;
        Volatile.Write(ref _pending, chunks - 1);
        for (int i = 1; i < chunks; i++) _start[i - 1].Release();
        try
        {
            work.Run(0, count / chunks);
        }
        finally
        {
            WaitForWorkers();
            _work = null;
        }
        if (_failure is { } failure) throw new AggregateException("A worker thread failed.", failure);
    }

    /// <summary>Spins briefly (chunks usually finish together), then sleeps on a monitor; allocates nothing.</summary>
    private void WaitForWorkers()
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref _pending) > 0 && !spinner.NextSpinWillYield) spinner.SpinOnce();
        if (Volatile.Read(ref _pending) == 0) return;
        lock (_doneGate)
        {
            while (Volatile.Read(ref _pending) > 0) Monitor.Wait(_doneGate);
        }
    }

    private void WorkerLoop(int index)
    {
        while (true)
        {
            _start[index - 1].Wait();
            if (_disposed) return;
            try
            {
                int begin = (int)((long)_count * index / _chunks);
                int end = (int)((long)_count * (index + 1) / _chunks);
                _work!.Run(begin, end);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            finally
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                {
                    lock (_doneGate) Monitor.PulseAll(_doneGate);
                }
            }
        }
    }

    public void Dispose()
    {
        if (_disposed || _workers.Length == 0) return;
        _disposed = true;
        foreach (var s in _start) s.Release();
        foreach (var w in _workers) w.Join();
        foreach (var s in _start) s.Dispose();
    }
}
