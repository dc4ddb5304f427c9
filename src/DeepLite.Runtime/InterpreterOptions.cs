namespace DeepLite.Runtime;

/// <summary>Settings of an <see cref="Interpreter"/>.</summary>
public sealed class InterpreterOptions
{
    /// <summary>Threads an operator may use (default 1, for predictable latency).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Kernels to use; null means <see cref="OpResolver.CreateDefault"/>.</summary>
    public OpResolver? Resolver { get; init; }

    /// <summary>
    /// Fold a PAD (or a PADV2 of real zero) of height and width into the CONV_2D or DEPTHWISE_CONV_2D that alone reads it, so the padded
    /// tensor is neither computed nor given memory (conditions in docs/architecture.md). Outputs are the same
    /// bits either way; default true. <see cref="Interpreter.FusedOperatorCount"/> tells how many were folded.
    /// </summary>
    public bool FuseOperators { get; init; } = true;

    /// <summary>Largest arena AllocateTensors may allocate; a model needing more fails with a
    /// <see cref="ModelFormatException"/> instead of exhausting memory. Default 1 GiB.</summary>
    public long MaxArenaBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Indices of main-subgraph tensors that must keep their values after <see cref="Interpreter.Invoke"/>, as graph
    /// outputs do: their arena lifetime is extended to the end of the graph, so no later tensor reuses their memory and
    /// <c>interpreter.Tensors[index]</c> holds the value the graph computed until the next Invoke. For reading an
    /// intermediate tensor, e.g. a classifier's penultimate layer as an embedding. Costs arena memory; constant tensors
    /// are unaffected. An index outside the subgraph fails in the <see cref="Interpreter"/> constructor. Default: none.
    /// </summary>
    public IReadOnlyList<int> PreservedTensors { get; init; } = [];
}
