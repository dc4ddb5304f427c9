using System.Diagnostics;

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
/// <remarks>
/// <para>Operators of one inference follow each other within microseconds, and waking a sleeping thread costs
/// tens of microseconds (more in a virtual machine), as long as a whole small operator. So a worker that finishes
/// a chunk spins for up to <see cref="SpinMicroseconds"/> waiting for the next one before it sleeps on its
/// semaphore, and the caller spins the same way for the chunks to finish before it sleeps on a monitor. Between
/// inferences the workers fall asleep again after that spin, so an idle interpreter burns no processor time.</para>
/// <para>Hand-off: the caller writes the work, then bumps each chosen worker's ticket; a spinning worker sees its
/// ticket change. A worker about to sleep first publishes <c>sleeping</c> and re-reads its ticket; the caller
/// swaps <c>sleeping</c> back after bumping the ticket and releases the semaphore only when it took the flag,
/// so every wake-up is consumed exactly once and none is lost.</para>
/// <para>Not reentrant: one <see cref="Run"/> at a time (kernels of one interpreter run in sequence).</para>
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    /// <summary>How long a worker (or the caller) spins before it blocks.</summary>
    public const int SpinMicroseconds = 200;

    private static readonly long SpinTicks = Math.Max(1, Stopwatch.Frequency * SpinMicroseconds / 1_000_000);

    private readonly Thread[] _workers;
    private readonly SemaphoreSlim[] _start;
    private readonly WorkerState[] _state;
    private readonly object _doneGate = new();
    private IParallelWork? _work;
    private int _count;
    private int _chunks;
    private int _pending;
    private int _callerSleeping;
    private Exception? _failure;
    private volatile bool _disposed;

    /// <summary>Per-worker hand-off fields, padded apart so that workers do not share a cache line.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 128)]
    private struct WorkerState
    {
        [System.Runtime.InteropServices.FieldOffset(64)] public int Ticket;
        [System.Runtime.InteropServices.FieldOffset(68)] public int Sleeping;
    }

    public WorkerPool(int threads)
    {
        Threads = Math.Max(1, threads);
        _workers = new Thread[Threads - 1];
        _start = new SemaphoreSlim[Threads - 1];
        _state = new WorkerState[Threads - 1];
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
        for (int i = 0; i < chunks - 1; i++) Wake(i);
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

    private void Wake(int i)
    {
        Interlocked.Increment(ref _state[i].Ticket);
        if (Interlocked.Exchange(ref _state[i].Sleeping, 0) == 1) _start[i].Release();
    }

    /// <summary>Spins while the chunks usually finish, then sleeps on a monitor; allocates nothing.</summary>
    private void WaitForWorkers()
    {
        if (SpinUntil(ref _pending, 0, notEqual: false)) return;
        lock (_doneGate)
        {
            // A full fence: the worker that brings _pending to 0 must then see this flag (or we see its count).
            Interlocked.Exchange(ref _callerSleeping, 1);
            while (Volatile.Read(ref _pending) > 0) Monitor.Wait(_doneGate);
            Volatile.Write(ref _callerSleeping, 0);
        }
    }

    /// <summary>Spins up to <see cref="SpinTicks"/> until <paramref name="value"/> equals (or, with
    /// <paramref name="notEqual"/>, differs from) <paramref name="target"/>; true when it did. After the first
    /// eighth of that time each check also yields the core, so on a machine with more runnable threads than cores
    /// the thread being waited for gets to run (on an idle machine the yield returns at once).</summary>
    private static bool SpinUntil(ref int value, int target, bool notEqual)
    {
        long start = 0;
        bool yielding = false;
        for (int spin = 0; ; spin++)
        {
            if ((Volatile.Read(ref value) == target) != notEqual) return true;
            if ((spin & 63) == 63)
            {
                long now = Stopwatch.GetTimestamp();
                if (start == 0) start = now;
                else if (now - start > SpinTicks) return false;
                else yielding = now - start > SpinTicks / 8;
            }
            if (yielding) Thread.Yield();
            else Thread.SpinWait(1);
        }
    }

    private void WorkerLoop(int index)
    {
        int slot = index - 1;
        int seen = 0;
        while (true)
        {
            if (!SpinUntil(ref _state[slot].Ticket, seen, notEqual: true))
            {
                Volatile.Write(ref _state[slot].Sleeping, 1);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _state[slot].Ticket) == seen && !_disposed)
                {
                    _start[slot].Wait();
                }
                else if (Interlocked.Exchange(ref _state[slot].Sleeping, 0) == 0)
                {
                    // The caller took the flag and released the semaphore: consume that wake-up.
                    _start[slot].Wait();
                }
            }
            if (_disposed) return;
            seen = Volatile.Read(ref _state[slot].Ticket);
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
                if (Interlocked.Decrement(ref _pending) == 0 && Volatile.Read(ref _callerSleeping) == 1)
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
        for (int i = 0; i < _workers.Length; i++)
        {
            Interlocked.Increment(ref _state[i].Ticket);
            _start[i].Release();
        }
        foreach (var w in _workers) w.Join();
        foreach (var s in _start) s.Dispose();
    }
}
