using DeepLite.Runtime.Threading;

namespace DeepLite.Runtime.Kernels;

/// <summary>A kernel's work over an index range [begin, end) of output elements, pixels or rows (see <see cref="WorkSplitter"/>).</summary>
internal interface IRangeWork
{
    void Run(KernelContext context, int begin, int end);
}

/// <summary>
/// Runs an <see cref="IRangeWork"/> over [0, count): inline when the context has one thread or the range holds fewer than
/// two chunks of <c>minimumChunk</c>, otherwise split across <see cref="KernelContext.Workers"/> in contiguous chunks.
/// A kernel creates one in Prepare; running allocates nothing. Not reentrant, like the worker pool.
/// </summary>
internal sealed class WorkSplitter(IRangeWork work) : IParallelWork
{
    private KernelContext? _context;

    public void Run(KernelContext context, int count, int minimumChunk)
    {
        if (context.Threads == 1 || count < 2L * minimumChunk)
        {
            work.Run(context, 0, count);
            return;
        }
        _context = context;
        try
        {
            context.Workers.Run(this, count, minimumChunk);
        }
        finally
        {
            _context = null;
        }
    }

    void IParallelWork.Run(int begin, int end) => work.Run(_context!, begin, end);
}
