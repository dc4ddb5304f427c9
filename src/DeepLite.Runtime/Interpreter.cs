using DeepLite.Runtime.Planning;

namespace DeepLite.Runtime;

/// <summary>
/// Runs a <see cref="TfLiteModel"/>'s main subgraph. Typical use:
/// <code>
/// using var interpreter = new Interpreter(model);
/// interpreter.AllocateTensors();
/// interpreter.Inputs[0].CopyFrom&lt;byte&gt;(pixels);
/// interpreter.Invoke();
/// ReadOnlySpan&lt;byte&gt; scores = interpreter.Outputs[0].AsReadOnlySpan&lt;byte&gt;();
/// </code>
/// Not thread-safe: use one interpreter per thread. Tensors are views into one arena that is
/// planned by tensor lifetime; outputs stay valid until the next Invoke.
/// </summary>
public sealed class Interpreter : IDisposable
{
    private readonly SubgraphExecutor _main;
    private readonly Dictionary<string, SignatureRunner> _signatures = new(StringComparer.Ordinal);
    private readonly OpResolver _resolver;
    private readonly Threading.WorkerPool _workers;
    private bool _disposed;

    /// <summary>Creates an interpreter over the model's main subgraph. Operators without a kernel
    /// (custom operators must be registered on <see cref="InterpreterOptions.Resolver"/>) fail at
    /// <see cref="AllocateTensors"/> with an <see cref="UnsupportedOperatorException"/>.</summary>
    public Interpreter(TfLiteModel model, InterpreterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? new InterpreterOptions();
        _resolver = Options.Resolver ?? OpResolver.CreateDefault();
        if (Options.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options), $"Threads must be at least 1 (got {Options.Threads}).");
        model.AddUser();
        _workers = Options.Threads == 1 ? Threading.WorkerPool.Inline : new Threading.WorkerPool(Options.Threads);
        try
        {
            _main = new SubgraphExecutor(model.MainSubgraph, Options, _resolver, _workers, SignatureTensors(model, 0), Options.PreservedTensors);
        }
        catch
        {
            if (_workers != Threading.WorkerPool.Inline) _workers.Dispose();
            model.RemoveUser();
            throw;
        }
    }

    public TfLiteModel Model { get; }
    public InterpreterOptions Options { get; }

    public IReadOnlyList<Tensor> Inputs => _main.Inputs;
    public IReadOnlyList<Tensor> Outputs => _main.Outputs;
    /// <summary>All tensors of the main subgraph, by index.</summary>
    public IReadOnlyList<Tensor> Tensors => _main.Tensors;

    /// <summary>The arena plan of the last <see cref="AllocateTensors"/>, or null before it.</summary>
    public MemoryPlan? MemoryPlan => _main.Plan;

    public Tensor GetInput(string name) => _main.Inputs.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"No input named '{name}'. Inputs: {string.Join(", ", _main.Inputs.Select(t => t.Name))}.");

    public Tensor GetOutput(string name) => _main.Outputs.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"No output named '{name}'. Outputs: {string.Join(", ", _main.Outputs.Select(t => t.Name))}.");

    /// <summary>Changes input <paramref name="index"/>'s shape; call <see cref="AllocateTensors"/> again before Invoke.</summary>
    public void ResizeInput(int index, ReadOnlySpan<int> shape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _main.ResizeInput(_main.Inputs[index], shape);
    }

    /// <summary>Prepares every operator (validating types and shapes) and plans and binds the tensor arena.</summary>
    public void AllocateTensors()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _main.AllocateTensors();
    }

    /// <summary>Runs the graph once on the current input values.</summary>
    public void Invoke()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _main.Invoke();
    }

    /// <summary>
    /// Runs the graph <paramref name="runs"/> times, timing each operator, and returns each node's
    /// mean time in milliseconds by node index (0 for operators folded away, see
    /// <see cref="FusedOperatorCount"/>). For finding where time goes; Invoke itself is not instrumented.
    /// </summary>
    public double[] ProfileOperators(int runs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        return _main.ProfileNodes(runs);
    }

    /// <summary>Operators of the main subgraph that are not run because a graph fusion folded them into the
    /// operator after them (see <see cref="InterpreterOptions.FuseOperators"/>); 0 when fusion is off.</summary>
    public int FusedOperatorCount => _main.FusedNodeCount;

    /// <summary>The keys of the model's signature defs.</summary>
    public IReadOnlyList<string> SignatureKeys => Model.Signatures.Select(s => s.Key).ToArray();

    /// <summary>A runner for a named signature: inputs and outputs by their signature aliases.</summary>
    public SignatureRunner GetSignatureRunner(string key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_signatures.TryGetValue(key, out var runner)) return runner;
        var signature = Model.Signatures.FirstOrDefault(s => s.Key == key)
            ?? throw new KeyNotFoundException($"No signature '{key}'. Signatures: {string.Join(", ", SignatureKeys)}.");
        var executor = signature.SubgraphIndex == 0 ? _main : new SubgraphExecutor(Model.Subgraphs[signature.SubgraphIndex], Options, _resolver, _workers, SignatureTensors(Model, signature.SubgraphIndex), []);
        runner = new SignatureRunner(signature, executor);
        _signatures[key] = runner;
        return runner;
    }

    /// <summary>The tensors that the model's signatures name in subgraph <paramref name="subgraph"/>.</summary>
    private static IEnumerable<int> SignatureTensors(TfLiteModel model, int subgraph) =>
        model.Signatures.Where(s => s.SubgraphIndex == subgraph).SelectMany(s => s.Inputs.Concat(s.Outputs)).Select(p => p.Value);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_workers != Threading.WorkerPool.Inline) _workers.Dispose();
        Model.RemoveUser();
    }
}

/// <summary>Runs one signature of a model; inputs and outputs are found by their signature aliases.</summary>
public sealed class SignatureRunner
{
    private readonly SubgraphExecutor _executor;

    internal SignatureRunner(SignatureDef signature, SubgraphExecutor executor)
    {
        Signature = signature;
        _executor = executor;
    }

    public SignatureDef Signature { get; }

    public IEnumerable<string> InputNames => Signature.Inputs.Select(p => p.Key);
    public IEnumerable<string> OutputNames => Signature.Outputs.Select(p => p.Key);

    public Tensor Input(string alias) => _executor.Tensors[Find(Signature.Inputs, alias, "input")];
    public Tensor Output(string alias) => _executor.Tensors[Find(Signature.Outputs, alias, "output")];

    public void ResizeInput(string alias, ReadOnlySpan<int> shape) => _executor.ResizeInput(Input(alias), shape);

    public void AllocateTensors() => _executor.AllocateTensors();

    /// <summary>Runs the signature's subgraph, allocating first if needed.</summary>
    public void Invoke()
    {
        if (!_executor.IsAllocated) _executor.AllocateTensors();
        _executor.Invoke();
    }

    private int Find(IReadOnlyList<KeyValuePair<string, int>> map, string alias, string role)
    {
        foreach (var (name, index) in map)
        {
            if (name == alias) return index;
        }
        throw new KeyNotFoundException($"Signature '{Signature.Key}' has no {role} '{alias}'. Known: {string.Join(", ", map.Select(p => p.Key))}.");
    }
}
