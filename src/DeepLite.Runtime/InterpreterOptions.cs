namespace DeepLite.Runtime;

/// <summary>Settings of an <see cref="Interpreter"/>.</summary>
public sealed class InterpreterOptions
{
    /// <summary>Threads an operator may use (default 1, for predictable latency).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Kernels to use; null means <see cref="OpResolver.CreateDefault"/>.</summary>
    public OpResolver? Resolver { get; init; }

    /// <summary>Largest arena AllocateTensors may allocate; a model needing more fails with a
    /// <see cref="ModelFormatException"/> instead of exhausting memory. Default 1 GiB.</summary>
    public long MaxArenaBytes { get; init; } = 1L << 30;
}
