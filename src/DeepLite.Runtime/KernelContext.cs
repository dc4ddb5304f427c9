using DeepLite.Runtime.Format;

namespace DeepLite.Runtime;

/// <summary>
/// What one operator (graph node) sees: its input and output tensors, its options and a place to
/// report errors. Created once per node; kernels keep what they precompute in their own fields.
/// </summary>
public sealed class KernelContext
{
    private readonly Tensor?[] _inputs;
    private readonly Tensor[] _outputs;

    internal KernelContext(OperatorInfo info, Tensor?[] inputs, Tensor[] outputs, Threading.WorkerPool workers)
    {
        Info = info;
        _inputs = inputs;
        _outputs = outputs;
        Workers = workers;
    }

    /// <summary>Creates a context for running a kernel on free-standing tensors (tests, tools).</summary>
    public static KernelContext ForTensors(OperatorCode code, IReadOnlyList<Tensor?> inputs, IReadOnlyList<Tensor> outputs,
        FlatTable options = default, ReadOnlyMemory<byte> customOptions = default, Threading.WorkerPool? workers = null)
    {
        var info = new OperatorInfo(0, code, new int[inputs.Count], new int[outputs.Count], [], 0, options, customOptions);
        return new KernelContext(info, inputs.ToArray(), outputs.ToArray(), workers ?? Threading.WorkerPool.Inline);
    }

    public OperatorInfo Info { get; }
    public int NodeIndex => Info.Index;
    public OperatorCode Operator => Info.Code;
    public FlatTable Options => Info.BuiltinOptions;
    public ReadOnlyMemory<byte> CustomOptions => Info.CustomOptions;
    /// <summary>Threads the interpreter allows this operator to use (at least 1).</summary>
    public int Threads => Workers.Threads;

    /// <summary>The interpreter's worker threads, for splitting this operator's work in Eval.</summary>
    public Threading.WorkerPool Workers { get; }

    public int InputCount => _inputs.Length;
    public int OutputCount => _outputs.Length;

    /// <summary>Input <paramref name="index"/>; a clear error when it is missing or omitted.</summary>
    public Tensor Input(int index)
    {
        if ((uint)index >= (uint)_inputs.Length) throw Invalid($"expects an input {index} but has {_inputs.Length} inputs.");
        return _inputs[index] ?? throw Invalid($"input {index} is required but omitted.");
    }

    /// <summary>Binds input <paramref name="index"/> to another tensor (graph fusions, before the first Prepare).</summary>
    internal void ReplaceInput(int index, Tensor tensor) => _inputs[index] = tensor;

    /// <summary>Input <paramref name="index"/>, or null when omitted (-1) or not present.</summary>
    public Tensor? OptionalInput(int index) => (uint)index < (uint)_inputs.Length ? _inputs[index] : null;

    public Tensor Output(int index)
    {
        if ((uint)index >= (uint)_outputs.Length) throw Invalid($"expects an output {index} but has {_outputs.Length} outputs.");
        return _outputs[index];
    }

    /// <summary>Checks the number of inputs and outputs.</summary>
    public void ExpectCounts(int minInputs, int maxInputs, int outputs)
    {
        if (_inputs.Length < minInputs || _inputs.Length > maxInputs)
        {
            throw Invalid(minInputs == maxInputs
                ? $"expects {minInputs} inputs but has {_inputs.Length}."
                : $"expects {minInputs} to {maxInputs} inputs but has {_inputs.Length}.");
        }
        if (_outputs.Length != outputs) throw Invalid($"expects {outputs} outputs but has {_outputs.Length}.");
    }

    /// <summary>Sets output <paramref name="index"/>'s shape; rejects shapes too large to hold.</summary>
    public void SetOutputShape(int index, ReadOnlySpan<int> shape)
    {
        var output = Output(index);
        if (output.IsConstant) throw Invalid($"output {index} ('{output.Name}') is a constant tensor.");
        long elements = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw Invalid($"computed a negative dimension for output {index}: [{string.Join(",", shape.ToArray())}].");
            elements *= d;
            if (elements > int.MaxValue) throw Invalid($"output {index} shape [{string.Join(",", shape.ToArray())}] is too large.");
        }
        if (!shape.SequenceEqual(output.Shape)) output.SetShape(shape.ToArray());
    }

    /// <summary>An error for an inconsistent model, naming this operator.</summary>
    public ModelFormatException Invalid(string message) => new($"Operator {NodeIndex} ({Operator.Name}): {message}");

    /// <summary>An error for a type combination this kernel does not implement, naming the operator and its types.</summary>
    public UnsupportedOperatorException Unsupported(string? detail = null)
    {
        string inputs = string.Join(", ", _inputs.Select(t => t is null ? "none" : t.Type.Name()));
        string outputs = string.Join(", ", _outputs.Select(t => t.Type.Name()));
        return new UnsupportedOperatorException(
            $"Operator {NodeIndex} ({Operator.Name}, version {Operator.Version}) with inputs ({inputs}) and outputs ({outputs}) is not supported{(detail is null ? "." : ": " + detail)}");
    }

    /// <summary>Reads a constant int32 (or int64) tensor such as a shape, axis or paddings operand.</summary>
    public int[] ConstantInts(int inputIndex)
    {
        var t = Input(inputIndex);
        if (t.ElementCount == 0) return [];
        if (!t.IsConstant) throw Unsupported($"input {inputIndex} ('{t.Name}') must be a constant; shapes computed at run time are not supported.");
        return t.Type switch
        {
            TensorType.Int32 => t.AsReadOnlySpan<int>().ToArray(),
            TensorType.Int64 => t.AsReadOnlySpan<long>().ToArray().Select(v => v is > int.MaxValue or < int.MinValue ? throw Invalid($"input {inputIndex} value {v} is out of range.") : (int)v).ToArray(),
            _ => throw Unsupported($"input {inputIndex} ('{t.Name}') must be int32 or int64."),
        };
    }
}

/// <summary>
/// An operator implementation. <see cref="Prepare"/> runs at <c>AllocateTensors</c>: it validates
/// types and shapes, sets output shapes, and precomputes everything that does not depend on input
/// values. <see cref="Eval"/> runs at every <c>Invoke</c> and must not allocate.
/// </summary>
/// <remarks>Prepare must check every size that Eval relies on, so that a hostile model fails with a
/// <see cref="ModelFormatException"/> rather than an out-of-range access.</remarks>
public abstract class OperatorKernel
{
    public abstract void Prepare(KernelContext context);
    public abstract void Eval(KernelContext context);
}
