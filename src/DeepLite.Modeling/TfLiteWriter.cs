using DeepLite.Modeling.FlatBuffers;
using DeepLite.Runtime;

namespace DeepLite.Modeling;

/// <summary>
/// Writes a <see cref="ModelGraph"/> as a TensorFlow Lite schema-v3 FlatBuffer (file identifier
/// <c>TFL3</c>). Buffer 0 is the empty buffer every activation refers to; each distinct constant
/// array gets one buffer whose data starts 16-byte aligned in the file; metadata entries follow.
/// Operator codes are listed in order of first use. When the graph has associated files, a zip
/// archive holding them is appended after the FlatBuffer.
/// </summary>
public static class TfLiteWriter
{
    /// <summary>Alignment of constant tensor data in the file, in bytes.</summary>
    public const int BufferAlignment = 16;

    /// <summary>Largest builtin code that fits the deprecated 8-bit code field; larger codes store this placeholder there.</summary>
    private const int PlaceholderForGreaterOpCodes = 127;

    // Field numbers of schema.fbs tables.
    private const int ModelVersion = 0, ModelOperatorCodes = 1, ModelSubgraphs = 2, ModelDescription = 3, ModelBuffers = 4,
        ModelMetadata = 6, ModelSignatureDefs = 7;
    private const int CodeDeprecatedBuiltin = 0, CodeCustom = 1, CodeVersion = 2, CodeBuiltin = 3;
    private const int SubgraphTensors = 0, SubgraphInputs = 1, SubgraphOutputs = 2, SubgraphOperators = 3, SubgraphName = 4;
    private const int TensorShape = 0, TensorTypeField = 1, TensorBuffer = 2, TensorName = 3, TensorQuantization = 4,
        TensorIsVariable = 5, TensorShapeSignature = 7;
    private const int QuantScale = 2, QuantZeroPoint = 3, QuantDimension = 6;
    private const int OpOpcodeIndex = 0, OpInputs = 1, OpOutputs = 2, OpOptionsType = 3, OpOptions = 4, OpCustomOptions = 5, OpIntermediates = 8;
    private const int BufferData = 0;
    private const int MetadataName = 0, MetadataBuffer = 1;
    private const int SignatureInputs = 0, SignatureOutputs = 1, SignatureKey = 2, SignatureSubgraph = 4;
    private const int TensorMapName = 0, TensorMapIndex = 1;

    /// <summary>The model file bytes.</summary>
    /// <exception cref="ArgumentException">The graph refers to a tensor missing from <see cref="ModelGraph.Tensors"/>,
    /// or a constant's data does not match its shape and type.</exception>
    public static byte[] Write(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var tensorIndex = new Dictionary<GraphTensor, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < graph.Tensors.Count; i++)
        {
            if (!tensorIndex.TryAdd(graph.Tensors[i], i)) throw new ArgumentException($"Tensor '{graph.Tensors[i].Name}' is listed twice in the graph.");
        }
        int IndexOf(GraphTensor? tensor, string user)
        {
            if (tensor is null) return -1;
            return tensorIndex.TryGetValue(tensor, out int index) ? index
                : throw new ArgumentException($"{user} refers to tensor '{tensor.Name}', which is not in ModelGraph.Tensors.");
        }

        var buffers = new List<TableBuilder> { new() };
        var bufferIndex = new Dictionary<byte[], int>(ReferenceEqualityComparer.Instance);
        var tensors = new List<TableBuilder>();
        foreach (var t in graph.Tensors)
        {
            int buffer = 0;
            if (t.Data is not null)
            {
                int elementSize = t.Type.ElementSize();
                if (elementSize > 0 && t.Data.LongLength != t.ElementCount * elementSize)
                {
                    throw new ArgumentException($"Tensor '{t.Name}': {t.Data.Length} bytes of data but shape [{string.Join(",", t.Shape)}] of {t.Type.Name()} needs {t.ElementCount * elementSize}.");
                }
                if (!bufferIndex.TryGetValue(t.Data, out buffer))
                {
                    buffer = buffers.Count;
                    bufferIndex[t.Data] = buffer;
                    buffers.Add(new TableBuilder().Bytes(BufferData, t.Data, BufferAlignment));
                }
            }
            tensors.Add(WriteTensor(t, buffer));
        }

        var codes = new List<(BuiltinOperator Code, string? Custom, int Version)>();
        var operators = new List<TableBuilder>();
        for (int o = 0; o < graph.Operators.Count; o++)
        {
            var op = graph.Operators[o];
            string user = $"Operator {o} ({op.Name})";
            var key = (op.Code, op.Code == BuiltinOperator.CUSTOM ? op.CustomCode : null, op.Version);
            int code = codes.IndexOf(key);
            if (code < 0)
            {
                code = codes.Count;
                codes.Add(key);
            }
            var table = new TableBuilder()
                .Vector<int>(OpInputs, op.Inputs.Select(t => IndexOf(t, user)).ToArray())
                .Vector<int>(OpOutputs, op.Outputs.Select(t => IndexOf(t, user)).ToArray());
            if (code != 0) table.UInt(OpOpcodeIndex, (uint)code);
            if (op.Options is not null)
            {
                table.Byte(OpOptionsType, op.Options.UnionType).Table(OpOptions, op.Options.ToTable());
            }
            if (op.CustomOptions is not null) table.Vector<byte>(OpCustomOptions, op.CustomOptions);
            if (op.Intermediates.Count > 0) table.Vector<int>(OpIntermediates, op.Intermediates.Select(t => IndexOf(t, user)).ToArray());
            operators.Add(table);
        }

        var subgraph = new TableBuilder()
            .Tables(SubgraphTensors, tensors)
            .Vector<int>(SubgraphInputs, graph.Inputs.Select(t => IndexOf(t, "Graph input")).ToArray())
            .Vector<int>(SubgraphOutputs, graph.Outputs.Select(t => IndexOf(t, "Graph output")).ToArray())
            .Tables(SubgraphOperators, operators)
            .String(SubgraphName, graph.SubgraphName);

        var metadata = new List<TableBuilder>();
        foreach (var (name, data) in graph.Metadata)
        {
            metadata.Add(new TableBuilder().String(MetadataName, name).UInt(MetadataBuffer, (uint)buffers.Count));
            buffers.Add(new TableBuilder().Bytes(BufferData, data, BufferAlignment));
        }

        var signatures = graph.Signatures.Select(s => new TableBuilder()
            .Tables(SignatureInputs, s.Inputs.Select(p => TensorMap(p.Key, IndexOf(p.Value, $"Signature '{s.Key}'"))).ToList())
            .Tables(SignatureOutputs, s.Outputs.Select(p => TensorMap(p.Key, IndexOf(p.Value, $"Signature '{s.Key}'"))).ToList())
            .String(SignatureKey, s.Key)
            .UInt(SignatureSubgraph, 0)).ToList();

        var root = new TableBuilder()
            .UInt(ModelVersion, 3)
            .Tables(ModelOperatorCodes, codes.Select(c => OperatorCode(c.Code, c.Custom, c.Version)).ToList())
            .Tables(ModelSubgraphs, [subgraph])
            .String(ModelDescription, graph.Description)
            .Tables(ModelBuffers, buffers);
        if (metadata.Count > 0) root.Tables(ModelMetadata, metadata);
        if (signatures.Count > 0) root.Tables(ModelSignatureDefs, signatures);

        byte[] flatBuffer = FlatBufferBuilder.Finish(root, "TFL3");
        if (graph.AssociatedFiles.Count == 0) return flatBuffer;
        byte[] archive = AssociatedFilesArchive.Write(graph.AssociatedFiles);
        return [.. flatBuffer, .. archive];
    }

    private static TableBuilder WriteTensor(GraphTensor t, int buffer)
    {
        var table = new TableBuilder()
            .Vector<int>(TensorShape, t.Shape)
            .String(TensorName, t.Name);
        if (t.Type != TensorType.Float32) table.Byte(TensorTypeField, (byte)t.Type);
        if (buffer != 0) table.UInt(TensorBuffer, (uint)buffer);
        if (t.Quantization is { } q)
        {
            var quantization = new TableBuilder()
                .Vector<float>(QuantScale, q.Scales)
                .Vector<long>(QuantZeroPoint, q.ZeroPoints);
            if (q.QuantizedDimension != 0) quantization.Int(QuantDimension, q.QuantizedDimension);
            table.Table(TensorQuantization, quantization);
        }
        if (t.IsVariable) table.Bool(TensorIsVariable, true);
        if (t.ShapeSignature is not null) table.Vector<int>(TensorShapeSignature, t.ShapeSignature);
        return table;
    }

    private static TableBuilder OperatorCode(BuiltinOperator code, string? custom, int version)
    {
        var table = new TableBuilder()
            .Byte(CodeDeprecatedBuiltin, (byte)Math.Min((int)code, PlaceholderForGreaterOpCodes))
            .String(CodeCustom, custom)
            .Int(CodeBuiltin, (int)code);
        if (version != 1) table.Int(CodeVersion, version);
        return table;
    }

    private static TableBuilder TensorMap(string name, int index) => new TableBuilder().String(TensorMapName, name).UInt(TensorMapIndex, (uint)index);
}
