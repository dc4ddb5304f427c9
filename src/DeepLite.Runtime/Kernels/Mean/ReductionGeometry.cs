namespace DeepLite.Runtime.Kernels;

/// <summary>
/// A reduction over a set of axes of a row-major tensor. For the loops, input dimensions of extent 1 are
/// dropped and neighbouring dimensions that are both reduced or both kept are merged, leaving an alternating
/// list of runs; each output element is the reduction of <see cref="ReducedCount"/> input elements.
/// </summary>
internal sealed class ReductionGeometry
{
    private ReductionGeometry(int[] outputShape, int[] extents, bool[] reduced, int[] outputStrides, int inputElements, int outputElements, int reducedCount)
    {
        OutputShape = outputShape;
        Extents = extents;
        Reduced = reduced;
        OutputStrides = outputStrides;
        InputElements = inputElements;
        OutputElements = outputElements;
        ReducedCount = reducedCount;
    }

    /// <summary>Output shape: reduced dimensions become 1 (keepDims) or are removed.</summary>
    public int[] OutputShape { get; }
    /// <summary>Merged run extents, outermost first.</summary>
    public int[] Extents { get; }
    /// <summary>Whether each run is reduced.</summary>
    public bool[] Reduced { get; }
    /// <summary>Output element stride of each run (0 for reduced runs).</summary>
    public int[] OutputStrides { get; }
    public int InputElements { get; }
    public int OutputElements { get; }
    /// <summary>Number of input elements folded into each output element (product of the reduced extents).</summary>
    public int ReducedCount { get; }

    /// <summary>
    /// Plans the reduction of <paramref name="inputShape"/> over <paramref name="axes"/> (negative axes count
    /// from the end; repeats are ignored), or returns an error message.
    /// </summary>
    public static ReductionGeometry? TryCreate(ReadOnlySpan<int> inputShape, ReadOnlySpan<int> axes, bool keepDims, out string? error)
    {
        error = null;
        int rank = inputShape.Length;
        var isReduced = new bool[rank];
        foreach (int axis in axes)
        {
            int resolved = axis < 0 ? axis + rank : axis;
            if (rank == 0) continue;
            if (resolved < 0 || resolved >= rank)
            {
                error = $"axis {axis} is out of range for rank {rank}.";
                return null;
            }
            isReduced[resolved] = true;
        }
        var outputShape = new List<int>(rank);
        long inputElements = 1, outputElements = 1, reducedCount = 1;
        for (int d = 0; d < rank; d++)
        {
            inputElements *= inputShape[d];
            if (isReduced[d])
            {
                reducedCount *= inputShape[d];
                if (keepDims) outputShape.Add(1);
            }
            else
            {
                outputElements *= inputShape[d];
                outputShape.Add(inputShape[d]);
            }
            if (inputElements > int.MaxValue || outputElements > int.MaxValue)
            {
                error = "the input or output is too large.";
                return null;
            }
        }

        var extents = new List<int>(rank);
        var reduced = new List<bool>(rank);
        for (int d = 0; d < rank; d++)
        {
            if (inputShape[d] == 1) continue;
            if (extents.Count > 0 && reduced[^1] == isReduced[d]) extents[^1] *= inputShape[d];
            else
            {
                extents.Add(inputShape[d]);
                reduced.Add(isReduced[d]);
            }
        }
        var outputStrides = new int[extents.Count];
        int stride = 1;
        for (int r = extents.Count - 1; r >= 0; r--)
        {
            if (reduced[r]) continue;
            outputStrides[r] = stride;
            stride *= extents[r];
        }
        return new ReductionGeometry(outputShape.ToArray(), extents.ToArray(), reduced.ToArray(), outputStrides,
            (int)inputElements, (int)outputElements, (int)reducedCount);
    }

    /// <summary>
    /// The reduction as <c>[Outer, Reduced, Inner]</c>: input element <c>(o, r, i)</c> at <c>(o · Reduced + r) · Inner + i</c>
    /// reduces into output <c>o · Inner + i</c>. True when the runs are (kept, reduced, kept), any of them possibly absent
    /// (extent 1), which covers reductions over one contiguous block of axes such as MEAN over height and width.
    /// </summary>
    public bool TryGetOuterReducedInner(out int outer, out int reduced, out int inner)
    {
        int run = 0;
        outer = run < Extents.Length && !Reduced[run] ? Extents[run++] : 1;
        reduced = run < Extents.Length && Reduced[run] ? Extents[run++] : 1;
        inner = run < Extents.Length && !Reduced[run] ? Extents[run++] : 1;
        return run == Extents.Length;
    }

    /// <summary>
    /// Adds every input element into the sum of the output it reduces into, walking the input in row-major order (the
    /// order the reference uses): a contiguous innermost run goes to <paramref name="loop"/> whole, as
    /// <see cref="IReductionLoop{TInput, TSum}.AddRun"/> when kept or <see cref="IReductionLoop{TInput, TSum}.SumRun"/> when
    /// reduced. <paramref name="sums"/> must hold <see cref="OutputElements"/> values and is not cleared here.
    /// </summary>
    public void Accumulate<TInput, TSum, TLoop>(ReadOnlySpan<TInput> input, Span<TSum> sums, TLoop loop)
        where TLoop : struct, IReductionLoop<TInput, TSum>
    {
        if (input.Length != InputElements || sums.Length != OutputElements)
        {
            throw new ArgumentException($"Buffers of {input.Length} and {sums.Length} elements do not match the reduction ({InputElements} -> {OutputElements}).");
        }
        if (InputElements == 0) return;
        int runs = Extents.Length;
        if (runs == 0)
        {
            sums[0] = loop.SumRun(input[..1], sums[0]);
            return;
        }
        int inner = Extents[runs - 1];
        bool innerReduced = Reduced[runs - 1];
        Span<int> counters = stackalloc int[Math.Max(runs, 1)];
        counters.Clear();
        int inputOffset = 0, outputOffset = 0;
        while (true)
        {
            var run = input.Slice(inputOffset, inner);
            if (innerReduced) sums[outputOffset] = loop.SumRun(run, sums[outputOffset]);
            else loop.AddRun(run, sums.Slice(outputOffset, inner));
            inputOffset += inner;
            int d = runs - 2;
            while (true)
            {
                if (d < 0) return;
                counters[d]++;
                outputOffset += OutputStrides[d];
                if (counters[d] < Extents[d]) break;
                outputOffset -= OutputStrides[d] * Extents[d];
                counters[d] = 0;
                d--;
            }
        }
    }
}

/// <summary>The innermost loops of a reduction that sums: inputs of type <typeparamref name="TInput"/> into sums of <typeparamref name="TSum"/>.</summary>
internal interface IReductionLoop<TInput, TSum>
{
    /// <summary>A kept run: <c>sums[i] += run[i]</c>.</summary>
    void AddRun(ReadOnlySpan<TInput> run, Span<TSum> sums);

    /// <summary>A reduced run: <paramref name="total"/> plus every value of <paramref name="run"/>, in order.</summary>
    TSum SumRun(ReadOnlySpan<TInput> run, TSum total);
}
