using DeepLite.Runtime.Planning;

namespace DeepLite.Runtime;

/// <summary>
/// Runs one subgraph: resolves a kernel per operator, folds the PAD nodes that qualify into the
/// convolution after them (<see cref="PadFusion"/>, unless <see cref="InterpreterOptions.FuseOperators"/> is off),
/// prepares the kernels in execution order (which fixes every shape), plans one arena for all activations by
/// lifetime, and invokes the kernels in order.
/// </summary>
internal sealed class SubgraphExecutor
{
    private readonly SubgraphInfo _graph;
    private readonly InterpreterOptions _options;
    private readonly Tensor[] _tensors;
    private readonly OperatorKernel?[] _kernels;
    private readonly KernelContext[] _contexts;
    /// <summary>Per node, the tensor indices it reads: the model's inputs, with a fused PAD's output replaced by its input.</summary>
    private readonly int[][] _nodeInputs;
    /// <summary>Nodes folded into their consumer; they are neither prepared nor run.</summary>
    private readonly bool[] _fused;
    private readonly int[] _preserved;
    private byte[]? _arena;
    private bool _allocated;

    /// <summary>Resolves the kernels and applies the fusions. <paramref name="keep"/> lists tensors that must stay
    /// observable besides the graph's inputs and outputs (signature inputs and outputs), which no fusion removes;
    /// <paramref name="preservedTensors"/> also stay observable and live to the end of the graph like outputs (see
    /// <see cref="InterpreterOptions.PreservedTensors"/>).</summary>
    public SubgraphExecutor(SubgraphInfo graph, InterpreterOptions options, OpResolver resolver, Threading.WorkerPool workers,
        IEnumerable<int> keep, IReadOnlyList<int> preservedTensors)
    {
        _graph = graph;
        _options = options;
        _tensors = graph.Tensors.Select(t => new Tensor(t)).ToArray();
        foreach (int index in preservedTensors)
        {
            if ((uint)index >= (uint)_tensors.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(preservedTensors), $"Preserved tensor index {index} is outside the subgraph's {_tensors.Length} tensors.");
            }
        }
        _preserved = [.. preservedTensors];
        Inputs = graph.Inputs.Select(i => _tensors[i]).ToArray();
        Outputs = graph.Outputs.Select(i => _tensors[i]).ToArray();
        int count = graph.Operators.Count;
        _kernels = new OperatorKernel[count];
        _contexts = new KernelContext[count];
        _nodeInputs = new int[count][];
        _fused = new bool[count];
        for (int i = 0; i < count; i++)
        {
            var op = graph.Operators[i];
            var inputs = op.Inputs.Select(t => t < 0 ? null : _tensors[t]).ToArray();
            var outputs = op.Outputs.Select(t => _tensors[t]).ToArray();
            _contexts[i] = new KernelContext(op, inputs, outputs, workers);
            _kernels[i] = resolver.Create(op.Code);
            _nodeInputs[i] = (int[])op.Inputs.Clone();
        }
        if (options.FuseOperators) FusePadding(new HashSet<int>([.. graph.Inputs, .. graph.Outputs, .. keep, .. preservedTensors]));
    }

    /// <summary>Nodes folded into their consumer by <see cref="FusePadding"/>.</summary>
    public int FusedNodeCount => _fused.Count(f => f);

    /// <summary>Folds each qualifying PAD into its convolution: the convolution reads the PAD's input with the
    /// PAD's counts added to its own padding, and the PAD's output is never computed or allocated.</summary>
    private void FusePadding(IReadOnlySet<int> keep)
    {
        foreach (var match in PadFusion.Find(_graph, _tensors, _kernels, keep))
        {
            ((Kernels.IFusesInputPadding)_kernels[match.Consumer]!).FuseInputPadding(match.Padding);
            _contexts[match.Consumer].ReplaceInput(0, _tensors[match.Source]);
            _nodeInputs[match.Consumer][0] = match.Source;
            _fused[match.Pad] = true;
        }
    }

    public IReadOnlyList<Tensor> Tensors => _tensors;
    public IReadOnlyList<Tensor> Inputs { get; }
    public IReadOnlyList<Tensor> Outputs { get; }
    public MemoryPlan? Plan { get; private set; }
    public bool IsAllocated => _allocated;

    public void ResizeInput(Tensor input, ReadOnlySpan<int> shape)
    {
        if (!Inputs.Contains(input)) throw new ArgumentException($"Tensor '{input.Name}' is not an input of this graph.");
        foreach (int d in shape)
        {
            if (d <= 0) throw new ArgumentException($"Cannot resize input '{input.Name}' to [{string.Join(",", shape.ToArray())}]: dimensions must be positive.");
        }
        if (shape.SequenceEqual(input.Shape)) return;
        input.SetShape(shape.ToArray());
        _allocated = false;
    }

    public void AllocateTensors()
    {
        _allocated = false;
        foreach (var t in _tensors)
        {
            if (!t.IsConstant) t.Unbind();
        }
        for (int i = 0; i < _kernels.Length; i++)
        {
            if (_fused[i]) continue;
            var context = _contexts[i];
            for (int o = 0; o < context.OutputCount; o++)
            {
                if (context.Output(o).IsConstant) throw context.Invalid($"output {o} ('{context.Output(o).Name}') is a constant tensor.");
            }
            var kernel = _kernels[i] ?? throw context.Unsupported(context.Operator.IsCustom
                ? $"no custom operator named '{context.Operator.CustomName}' is registered (OpResolver.AddCustom)."
                : "DeepLite has no kernel for this operator.");
            kernel.Prepare(context);
        }
        var lifetimes = ComputeLifetimes();
        var plan = ArenaPlanner.Plan(lifetimes);
        if (plan.ArenaBytes > _options.MaxArenaBytes || plan.ArenaBytes > Array.MaxLength - ArenaPlanner.Alignment)
        {
            throw new ModelFormatException($"The model needs a {plan.ArenaBytes:N0}-byte tensor arena, more than the allowed {_options.MaxArenaBytes:N0} bytes (InterpreterOptions.MaxArenaBytes).");
        }
        int arenaLength = (int)plan.ArenaBytes + ArenaPlanner.Alignment;
        if (_arena is null || _arena.Length < arenaLength)
        {
            _arena = GC.AllocateArray<byte>(arenaLength, pinned: true);
        }
        int alignOffset = AlignmentOffset(_arena);
        var memory = _arena.AsMemory(alignOffset);
        foreach (var lifetime in lifetimes)
        {
            var tensor = _tensors[lifetime.TensorIndex];
            var slice = memory.Slice((int)plan.Offsets[lifetime.TensorIndex], (int)lifetime.Bytes);
            tensor.Bind(slice);
            if (tensor.IsVariable) slice.Span.Clear();
        }
        Plan = plan;
        _allocated = true;
    }

    private static unsafe int AlignmentOffset(byte[] pinned)
    {
        fixed (byte* p = pinned)
        {
            long address = (long)p;
            return (int)(ArenaPlanner.AlignUp(address) - address);
        }
    }

    /// <summary>First and last node that touches each non-constant tensor; graph inputs live from
    /// before node 0, graph outputs, preserved tensors and variables until after the last node. Fused nodes touch
    /// nothing, so a fused PAD's output gets no memory.</summary>
    private List<TensorLifetime> ComputeLifetimes()
    {
        int end = _kernels.Length;
        var first = new Dictionary<int, int>();
        var last = new Dictionary<int, int>();
        void Touch(int tensor, int node)
        {
            if (tensor < 0 || _tensors[tensor].IsConstant) return;
            if (!first.TryGetValue(tensor, out int f) || node < f) first[tensor] = node;
            if (!last.TryGetValue(tensor, out int l) || node > l) last[tensor] = node;
        }
        foreach (int t in _graph.Inputs) Touch(t, -1);
        for (int i = 0; i < _kernels.Length; i++)
        {
            if (_fused[i]) continue;
            var op = _graph.Operators[i];
            foreach (int t in _nodeInputs[i]) Touch(t, i);
            foreach (int t in op.Outputs) Touch(t, i);
            foreach (int t in op.Intermediates) Touch(t, i);
        }
        foreach (int t in _graph.Outputs) Touch(t, end);
        foreach (int t in _preserved)
        {
            if (first.ContainsKey(t)) Touch(t, end);
        }
        for (int t = 0; t < _tensors.Length; t++)
        {
            if (_tensors[t].IsVariable && first.ContainsKey(t))
            {
                first[t] = -1;
                last[t] = end;
            }
        }
        var result = new List<TensorLifetime>(first.Count);
        foreach (var (tensor, f) in first)
        {
            var t = _tensors[tensor];
            if (t.Type.ElementSize() == 0) throw new UnsupportedOperatorException($"Tensor {tensor} ('{t.Name}') has type {t.Type.Name()}, which DeepLite cannot hold.");
            if (t.IsSparse()) throw new UnsupportedOperatorException($"Tensor {tensor} ('{t.Name}') is sparse; sparse tensors are not supported.");
            result.Add(new TensorLifetime(tensor, t.ByteLength, f, last[tensor]));
        }
        return result;
    }

    /// <summary>Runs the graph <paramref name="runs"/> times and returns each node's mean time in
    /// milliseconds (0 for fused nodes).</summary>
    public double[] ProfileNodes(int runs)
    {
        if (!_allocated) throw new InvalidOperationException("AllocateTensors must be called before profiling.");
        var ticks = new long[_kernels.Length];
        for (int r = 0; r < runs; r++)
        {
            for (int i = 0; i < _kernels.Length; i++)
            {
                if (_fused[i]) continue;
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                _kernels[i]!.Eval(_contexts[i]);
                ticks[i] += System.Diagnostics.Stopwatch.GetTimestamp() - start;
            }
        }
        return ticks.Select(t => t * 1000.0 / System.Diagnostics.Stopwatch.Frequency / Math.Max(1, runs)).ToArray();
    }

    public void Invoke()
    {
        if (!_allocated) throw new InvalidOperationException("AllocateTensors must be called (again, after ResizeInput) before Invoke.");
        for (int i = 0; i < _kernels.Length; i++)
        {
            if (!_fused[i]) _kernels[i]!.Eval(_contexts[i]);
        }
    }
}

internal static class TensorInternals
{
    public static bool IsSparse(this Tensor tensor) => tensor.Info.IsSparse;
}
