using DeepLite.Runtime;

namespace DeepLite.Modeling;

public sealed partial class ModelGraph
{
    /// <summary>
    /// Copies a loaded model into a new graph: tensors (constant data copied; tensors sharing a buffer
    /// share one array), operators with typed options, inputs, outputs, signatures, metadata entries,
    /// description, and the files of an appended zip archive.
    /// </summary>
    /// <exception cref="NotSupportedException">The model has several subgraphs, sparse tensors, or
    /// builtin options this library cannot copy (the message names the operator).</exception>
    public static ModelGraph From(TfLiteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Subgraphs.Count != 1)
        {
            throw new NotSupportedException($"{model.Source}: {model.Subgraphs.Count} subgraphs; DeepLite.Modeling copies single-subgraph models only.");
        }
        var subgraph = model.MainSubgraph;
        var graph = new ModelGraph { Description = model.Description, SubgraphName = subgraph.Name };
        var buffers = new Dictionary<int, byte[]>();
        foreach (var info in subgraph.Tensors)
        {
            if (info.IsSparse) throw new NotSupportedException($"{model.Source}: tensor {info.Index} '{info.Name}' is sparse; sparse tensors are not supported.");
            byte[]? data = null;
            if (info.IsConstant && !buffers.TryGetValue(info.BufferIndex, out data))
            {
                data = info.Data.ToArray();
                buffers[info.BufferIndex] = data;
            }
            graph.Tensors.Add(new GraphTensor(info.Name, info.Type, (int[])info.Shape.Clone(), data, Copy(info.Quantization))
            {
                ShapeSignature = (int[]?)info.ShapeSignature?.Clone(),
                IsVariable = info.IsVariable,
            });
        }
        GraphTensor At(int index) => graph.Tensors[index];
        foreach (var info in subgraph.Operators)
        {
            string context = $"{model.Source}: operator {info.Index} ({info.Code.Name})";
            var op = new GraphOperator(info.Code.Builtin, info.Inputs.Select(i => i < 0 ? null : At(i)), info.Outputs.Select(At),
                OperatorOptions.Read(info, context), info.Code.Version)
            {
                CustomCode = info.Code.CustomName,
                CustomOptions = info.CustomOptions.IsEmpty ? null : info.CustomOptions.ToArray(),
            };
            op.Intermediates.AddRange(info.Intermediates.Select(At));
            graph.Operators.Add(op);
        }
        graph.Inputs.AddRange(subgraph.Inputs.Select(At));
        graph.Outputs.AddRange(subgraph.Outputs.Select(At));
        foreach (var s in model.Signatures)
        {
            if (s.SubgraphIndex != 0) continue;
            var signature = new GraphSignature(s.Key);
            signature.Inputs.AddRange(s.Inputs.Select(p => new KeyValuePair<string, GraphTensor>(p.Key, At(p.Value))));
            signature.Outputs.AddRange(s.Outputs.Select(p => new KeyValuePair<string, GraphTensor>(p.Key, At(p.Value))));
            graph.Signatures.Add(signature);
        }
        foreach (var m in model.Metadata) graph.Metadata.Add(new(m.Name, m.Data.ToArray()));
        graph.AssociatedFiles.AddRange(AssociatedFilesArchive.Read(model.Bytes, model.Source));
        return graph;
    }

    private static QuantizationParameters? Copy(QuantizationParameters? q) =>
        q is null ? null : new QuantizationParameters((float[])q.Scales.Clone(), (long[])q.ZeroPoints.Clone(), q.QuantizedDimension);
}
