using DeepLite.Runtime;

namespace DeepLite.Modeling;

/// <summary>
/// A tensor of a <see cref="ModelGraph"/>. Constant tensors (weights, biases, shape operands) carry
/// their little-endian element bytes in <see cref="Data"/>; activations have none. Tensors that share
/// one <see cref="Data"/> array are written to one model buffer.
/// </summary>
public sealed class GraphTensor
{
    public GraphTensor(string name, TensorType type, int[] shape, byte[]? data = null, QuantizationParameters? quantization = null)
    {
        Name = name;
        Type = type;
        Shape = shape;
        Data = data;
        Quantization = quantization;
    }

    public string Name { get; set; }
    public TensorType Type { get; set; }
    public int[] Shape { get; set; }
    /// <summary>The shape with unknown dimensions as -1; null when not recorded.</summary>
    public int[]? ShapeSignature { get; set; }
    /// <summary>Constant contents (<see cref="ElementCount"/> × element size bytes), or null for an activation.</summary>
    public byte[]? Data { get; set; }
    /// <summary>Per-tensor (one scale) or per-channel (along <c>QuantizedDimension</c>) parameters, or null.</summary>
    public QuantizationParameters? Quantization { get; set; }
    public bool IsVariable { get; set; }

    public bool IsConstant => Data is not null;

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (count, d) => count * d);

    public override string ToString() => $"{Name} {Type.Name()}[{string.Join(",", Shape)}]";
}

/// <summary>One operator of a <see cref="ModelGraph"/>: a builtin (or custom) code, its tensors and options.</summary>
public sealed class GraphOperator
{
    public GraphOperator(BuiltinOperator code, IEnumerable<GraphTensor?> inputs, IEnumerable<GraphTensor> outputs, OperatorOptions? options = null, int version = 1)
    {
        Code = code;
        Inputs = inputs.ToList();
        Outputs = outputs.ToList();
        Options = options;
        Version = version;
    }

    public BuiltinOperator Code { get; set; }
    /// <summary>Name of a CUSTOM operator; null for builtins.</summary>
    public string? CustomCode { get; set; }
    /// <summary>Operator version (TFLite kernels check it; e.g. int8 per-channel CONV_2D needs ≥ 3).</summary>
    public int Version { get; set; }
    /// <summary>Input tensors; null marks an omitted optional input (written as index -1).</summary>
    public List<GraphTensor?> Inputs { get; }
    public List<GraphTensor> Outputs { get; }
    public List<GraphTensor> Intermediates { get; } = [];
    /// <summary>Typed builtin options, or null when the operator stores none.</summary>
    public OperatorOptions? Options { get; set; }
    /// <summary>Opaque options of a CUSTOM operator.</summary>
    public byte[]? CustomOptions { get; set; }

    public string Name => Code == BuiltinOperator.CUSTOM ? CustomCode ?? "CUSTOM" : Code.ToString();

    public override string ToString() => $"{Name} v{Version}";
}

/// <summary>A named entry point: aliases for input and output tensors.</summary>
public sealed class GraphSignature
{
    public GraphSignature(string key)
    {
        Key = key;
    }

    public string Key { get; set; }
    public List<KeyValuePair<string, GraphTensor>> Inputs { get; } = [];
    public List<KeyValuePair<string, GraphTensor>> Outputs { get; } = [];
}

/// <summary>
/// A TensorFlow Lite model as a mutable in-memory graph with one subgraph: tensors, operators in
/// execution order, graph inputs and outputs, signatures, metadata entries and files associated with
/// the model. Operators refer to tensors by object, so tensors can be added, replaced and removed
/// freely; <see cref="TfLiteWriter"/> assigns indices when writing. Every tensor an operator, input,
/// output or signature refers to must be in <see cref="Tensors"/>.
/// </summary>
public sealed partial class ModelGraph
{
    public string? Description { get; set; }
    public string SubgraphName { get; set; } = "main";
    /// <summary>Every tensor, in the order they are written.</summary>
    public List<GraphTensor> Tensors { get; } = [];
    /// <summary>Operators in execution order (each reads only graph inputs, constants and earlier outputs).</summary>
    public List<GraphOperator> Operators { get; } = [];
    public List<GraphTensor> Inputs { get; } = [];
    public List<GraphTensor> Outputs { get; } = [];
    public List<GraphSignature> Signatures { get; } = [];
    /// <summary>Named metadata buffers (e.g. <c>min_runtime_version</c>, <c>TFLITE_METADATA</c>), in file order.</summary>
    public List<KeyValuePair<string, byte[]>> Metadata { get; } = [];
    /// <summary>Files packed into the model as a zip archive appended after the FlatBuffer (e.g. label files
    /// named by the <c>TFLITE_METADATA</c>), in archive order.</summary>
    public List<KeyValuePair<string, byte[]>> AssociatedFiles { get; } = [];

    /// <summary>Adds a tensor to <see cref="Tensors"/> and returns it.</summary>
    public GraphTensor AddTensor(GraphTensor tensor)
    {
        Tensors.Add(tensor);
        return tensor;
    }

    /// <summary>Adds an operator at the end of the execution order and returns it.</summary>
    public GraphOperator AddOperator(GraphOperator op)
    {
        Operators.Add(op);
        return op;
    }

    /// <summary>The metadata buffer called <paramref name="name"/>, or null.</summary>
    public byte[]? FindMetadata(string name) => Metadata.FirstOrDefault(m => m.Key == name).Value;

    /// <summary>Adds or replaces the metadata buffer called <paramref name="name"/>.</summary>
    public void SetMetadata(string name, byte[] data)
    {
        int index = Metadata.FindIndex(m => m.Key == name);
        if (index >= 0) Metadata[index] = new(name, data);
        else Metadata.Add(new(name, data));
    }

    /// <summary>Adds or replaces the associated file called <paramref name="name"/>.</summary>
    public void SetAssociatedFile(string name, byte[] contents)
    {
        int index = AssociatedFiles.FindIndex(m => m.Key == name);
        if (index >= 0) AssociatedFiles[index] = new(name, contents);
        else AssociatedFiles.Add(new(name, contents));
    }

    /// <summary>The operators that read <paramref name="tensor"/>.</summary>
    public IEnumerable<GraphOperator> Consumers(GraphTensor tensor) => Operators.Where(o => o.Inputs.Contains(tensor));

    /// <summary>The operator that writes <paramref name="tensor"/>, or null for inputs and constants.</summary>
    public GraphOperator? Producer(GraphTensor tensor) => Operators.FirstOrDefault(o => o.Outputs.Contains(tensor));

    /// <summary>Replaces every use of <paramref name="from"/> (operator inputs, graph outputs, signature outputs) by <paramref name="to"/>.</summary>
    public void ReplaceUses(GraphTensor from, GraphTensor to)
    {
        foreach (var op in Operators)
        {
            for (int i = 0; i < op.Inputs.Count; i++) if (op.Inputs[i] == from) op.Inputs[i] = to;
        }
        for (int i = 0; i < Outputs.Count; i++) if (Outputs[i] == from) Outputs[i] = to;
        foreach (var s in Signatures)
        {
            for (int i = 0; i < s.Outputs.Count; i++) if (s.Outputs[i].Value == from) s.Outputs[i] = new(s.Outputs[i].Key, to);
        }
    }

    /// <summary>Removes tensors no operator, graph input, output or signature refers to.</summary>
    public void RemoveUnusedTensors()
    {
        var used = new HashSet<GraphTensor>(ReferenceEqualityComparer.Instance);
        foreach (var op in Operators)
        {
            foreach (var t in op.Inputs) if (t is not null) used.Add(t);
            used.UnionWith(op.Outputs);
            used.UnionWith(op.Intermediates);
        }
        used.UnionWith(Inputs);
        used.UnionWith(Outputs);
        foreach (var s in Signatures)
        {
            used.UnionWith(s.Inputs.Select(p => p.Value));
            used.UnionWith(s.Outputs.Select(p => p.Value));
        }
        Tensors.RemoveAll(t => !used.Contains(t));
    }

    /// <summary>Writes the model (see <see cref="TfLiteWriter.Write"/>).</summary>
    public byte[] ToBytes() => TfLiteWriter.Write(this);

    /// <summary>
    /// Writes the model to <paramref name="path"/> atomically: the bytes go to a temporary file in the
    /// same folder, which is flushed to disk and then renamed over <paramref name="path"/>. No partial
    /// file ever exists at <paramref name="path"/>; the temporary file is deleted when anything fails.
    /// </summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, ToBytes());
    }
}
