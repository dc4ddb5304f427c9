namespace DeepLite.Runtime.Tests;

/// <summary>Checks that code allocates nothing once it runs steadily.</summary>
internal static class AllocationAssert
{
    /// <summary>
    /// Runs <paramref name="action"/> 20 times, then in windows of 100 calls, and passes as soon as one window
    /// allocates 0 managed bytes on this thread. Allocation by the code itself shows in every window; what the runtime
    /// allocates once on the thread while it finishes compiling (on-stack replacement of a loop, loading a type) shows
    /// in one window only, so three windows are allowed.
    /// </summary>
    public static void SteadyStateAllocatesNothing(Action action, string what)
    {
        for (int i = 0; i < 20; i++) action();
        var windows = new List<long>();
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) action();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0) return;
            windows.Add(allocated);
        }
        Assert.Fail($"{what} allocated in every window of 100 calls: {string.Join(", ", windows)} bytes");
    }
}
