namespace DeepLite.Runtime.Kernels;

/// <summary>
/// NumPy-style broadcasting of two operands, planned once at Prepare and run at every Eval without
/// allocation. Shapes are aligned at their last dimension (missing leading dimensions count as 1); each
/// pair of dimensions must be equal or contain a 1, and the output takes the larger. For the loop, output
/// dimensions of extent 1 are dropped and neighbouring dimensions in which each operand is either
/// broadcast in both or present in both are merged, so a plain elementwise operation becomes one flat loop
/// and a per-channel one becomes two.
/// </summary>
internal sealed class BroadcastPlan
{
    /// <summary>The largest rank the binary kernels accept (TFLite's limit for ADD, SUB, MUL).</summary>
    public const int MaxRank = 6;

    private readonly int[] _extents;
    private readonly int[] _stridesA;
    private readonly int[] _stridesB;

    private BroadcastPlan(int[] outputShape, int[] extents, int[] stridesA, int[] stridesB, int elementsA, int elementsB, int elementsOut)
    {
        OutputShape = outputShape;
        _extents = extents;
        _stridesA = stridesA;
        _stridesB = stridesB;
        ElementsA = elementsA;
        ElementsB = elementsB;
        OutputElements = elementsOut;
    }

    /// <summary>The broadcast output shape (rank = the larger input rank).</summary>
    public int[] OutputShape { get; }
    public int ElementsA { get; }
    public int ElementsB { get; }
    public int OutputElements { get; }

    /// <summary>Rank after dropping extent-1 dimensions and merging; 0 for a single-element output.</summary>
    public int LoopRank => _extents.Length;

    /// <summary>True when neither operand is broadcast (same element count as the output).</summary>
    public bool IsElementwise => ElementsA == OutputElements && ElementsB == OutputElements;

    /// <summary>Plans <paramref name="shapeA"/> op <paramref name="shapeB"/>, or returns an error message.</summary>
    public static BroadcastPlan? TryCreate(ReadOnlySpan<int> shapeA, ReadOnlySpan<int> shapeB, out string? error)
    {
        error = null;
        int rank = Math.Max(shapeA.Length, shapeB.Length);
        if (rank > MaxRank)
        {
            error = $"broadcasting supports up to {MaxRank} dimensions, not {rank}.";
            return null;
        }
        var output = new int[rank];
        var a = new int[rank];
        var b = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            a[d] = Dimension(shapeA, d, rank);
            b[d] = Dimension(shapeB, d, rank);
            if (a[d] < 0 || b[d] < 0)
            {
                error = "negative dimension.";
                return null;
            }
            if (a[d] == b[d] || b[d] == 1) output[d] = a[d];
            else if (a[d] == 1) output[d] = b[d];
            else
            {
                error = $"shapes [{string.Join(",", shapeA.ToArray())}] and [{string.Join(",", shapeB.ToArray())}] cannot be broadcast (dimension {d}: {a[d]} vs {b[d]}).";
                return null;
            }
        }
        long elementsOut = 1, elementsA = 1, elementsB = 1;
        for (int d = 0; d < rank; d++)
        {
            elementsOut *= output[d];
            elementsA *= a[d];
            elementsB *= b[d];
            if (elementsOut > int.MaxValue || elementsA > int.MaxValue || elementsB > int.MaxValue)
            {
                error = "the broadcast output is too large.";
                return null;
            }
        }

        // Keep output dimensions > 1, tagged by which operand is present (not broadcast) in them, and merge
        // neighbours with the same tag: they walk both operands contiguously together.
        var extents = new List<int>(rank);
        var presentA = new List<bool>(rank);
        var presentB = new List<bool>(rank);
        for (int d = 0; d < rank; d++)
        {
            if (output[d] == 1) continue;
            bool inA = a[d] != 1, inB = b[d] != 1;
            int last = extents.Count - 1;
            if (last >= 0 && presentA[last] == inA && presentB[last] == inB)
            {
                extents[last] *= output[d];
            }
            else
            {
                extents.Add(output[d]);
                presentA.Add(inA);
                presentB.Add(inB);
            }
        }
        int loopRank = extents.Count;
        var stridesA = new int[loopRank];
        var stridesB = new int[loopRank];
        int strideA = 1, strideB = 1;
        for (int d = loopRank - 1; d >= 0; d--)
        {
            stridesA[d] = presentA[d] ? strideA : 0;
            stridesB[d] = presentB[d] ? strideB : 0;
            if (presentA[d]) strideA *= extents[d];
            if (presentB[d]) strideB *= extents[d];
        }
        return new BroadcastPlan(output, extents.ToArray(), stridesA, stridesB, (int)elementsA, (int)elementsB, (int)elementsOut);
    }

    /// <summary>Plans the broadcast of two operator inputs, failing with the operator's error types.</summary>
    public static BroadcastPlan Create(KernelContext context, Tensor a, Tensor b)
    {
        var plan = TryCreate(a.Shape, b.Shape, out string? error);
        if (plan is not null) return plan;
        return a.Rank > MaxRank || b.Rank > MaxRank ? throw context.Unsupported(error) : throw context.Invalid(error!);
    }

    private static int Dimension(ReadOnlySpan<int> shape, int d, int rank)
    {
        int index = d - (rank - shape.Length);
        return index < 0 ? 1 : shape[index];
    }

    /// <summary>
    /// Runs <paramref name="loop"/> over every output element in row-major order. The innermost loop dimension
    /// is handed to <see cref="IBroadcastLoop{T}.Run"/> as contiguous slices: an operand broadcast along it
    /// arrives as a one-element slice.
    /// </summary>
    public void Run<T, TLoop>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> output, TLoop loop)
        where TLoop : struct, IBroadcastLoop<T>
    {
        if (a.Length != ElementsA || b.Length != ElementsB || output.Length != OutputElements)
        {
            throw new ArgumentException($"Operand lengths {a.Length}, {b.Length} -> {output.Length} do not match the plan ({ElementsA}, {ElementsB} -> {OutputElements}).");
        }
        if (OutputElements == 0) return;
        int rank = _extents.Length;
        if (rank == 0)
        {
            loop.Run(a[..1], b[..1], output[..1]);
            return;
        }
        int inner = _extents[rank - 1];
        int innerA = _stridesA[rank - 1] == 0 ? 1 : inner;
        int innerB = _stridesB[rank - 1] == 0 ? 1 : inner;
        if (rank == 1)
        {
            loop.Run(a[..innerA], b[..innerB], output);
            return;
        }

        // Odometer over the outer dimensions; offsets advance by the strides of the digit that turns.
        Span<int> counters = stackalloc int[MaxRank];
        counters.Clear();
        int offsetA = 0, offsetB = 0, offsetOut = 0;
        while (true)
        {
            loop.Run(a.Slice(offsetA, innerA), b.Slice(offsetB, innerB), output.Slice(offsetOut, inner));
            offsetOut += inner;
            int d = rank - 2;
            while (true)
            {
                counters[d]++;
                offsetA += _stridesA[d];
                offsetB += _stridesB[d];
                if (counters[d] < _extents[d]) break;
                offsetA -= _stridesA[d] * _extents[d];
                offsetB -= _stridesB[d] * _extents[d];
                counters[d] = 0;
                if (--d < 0) return;
            }
        }
    }
}
