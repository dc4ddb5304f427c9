using DeepLite.Onnx.Protobuf;

namespace DeepLite.Onnx;

/// <summary>
/// Serializes an <see cref="OnnxGraph"/> as an ONNX <c>ModelProto</c>. Field numbers are those of
/// <c>onnx/onnx.proto</c>: ModelProto ir_version 1, producer_name 2, producer_version 3, graph 7,
/// opset_import 8; OperatorSetIdProto domain 1, version 2; GraphProto node 1, name 2, initializer 5,
/// input 11, output 12; NodeProto input 1, output 2, name 3, op_type 4, attribute 5, domain 7;
/// AttributeProto name 1, f 2, i 3, s 4, ints 8, type 20; TensorProto dims 1, data_type 2, name 8,
/// raw_data 9; ValueInfoProto name 1, type 2; TypeProto tensor_type 1; TypeProto.Tensor elem_type 1,
/// shape 2; TensorShapeProto dim 1; Dimension dim_value 1.
/// </summary>
internal static class OnnxModelWriter
{
    /// <summary>IR version 8 (ONNX 1.10), readable by every ONNX Runtime since 1.10.</summary>
    public const long IrVersion = 8;

    /// <summary>The standard operator set version the exporter targets.</summary>
    public const long OpsetVersion = 13;

    /// <summary>Version of the <c>com.microsoft</c> contrib operator set.</summary>
    public const long MicrosoftOpsetVersion = 1;

    public static byte[] Write(OnnxGraph graph, string producerVersion)
    {
        var model = new ProtoWriter();
        model.WriteInt64(1, IrVersion);
        model.WriteString(2, "DeepLite.Onnx");
        model.WriteString(3, producerVersion);
        model.WriteMessage(7, g => WriteGraph(g, graph));
        model.WriteMessage(8, o => o.WriteInt64(2, OpsetVersion));
        foreach (string domain in graph.ExtraDomains)
        {
            model.WriteMessage(8, o =>
            {
                o.WriteString(1, domain);
                o.WriteInt64(2, MicrosoftOpsetVersion);
            });
        }
        return model.ToArray();
    }

    private static void WriteGraph(ProtoWriter writer, OnnxGraph graph)
    {
        foreach (var node in graph.Nodes) writer.WriteMessage(1, n => WriteNode(n, node));
        writer.WriteString(2, graph.Name);
        foreach (var initializer in graph.Initializers) writer.WriteMessage(5, t => WriteTensor(t, initializer));
        foreach (var input in graph.Inputs) writer.WriteMessage(11, v => WriteValueInfo(v, input));
        foreach (var output in graph.Outputs) writer.WriteMessage(12, v => WriteValueInfo(v, output));
    }

    private static void WriteNode(ProtoWriter writer, OnnxNode node)
    {
        foreach (string input in node.Inputs) writer.WriteString(1, input);
        foreach (string output in node.Outputs) writer.WriteString(2, output);
        writer.WriteString(3, node.Name);
        writer.WriteString(4, node.OpType);
        foreach (var attribute in node.Attributes) writer.WriteMessage(5, a => WriteAttribute(a, attribute));
        if (node.Domain.Length > 0) writer.WriteString(7, node.Domain);
    }

    private static void WriteAttribute(ProtoWriter writer, OnnxAttribute attribute)
    {
        writer.WriteString(1, attribute.Name);
        writer.WriteInt64(20, (long)attribute.Type);
        switch (attribute.Type)
        {
            case OnnxAttributeType.Float:
                writer.WriteFloat(2, attribute.Float);
                break;
            case OnnxAttributeType.Int:
                writer.WriteInt64(3, attribute.Int);
                break;
            case OnnxAttributeType.String:
                writer.WriteString(4, attribute.String ?? "");
                break;
            case OnnxAttributeType.Ints:
                writer.WriteRepeatedInt64(8, attribute.Ints ?? []);
                break;
            default:
                throw new InvalidOperationException($"Attribute type {attribute.Type} has no writer.");
        }
    }

    private static void WriteTensor(ProtoWriter writer, OnnxInitializer tensor)
    {
        writer.WriteRepeatedInt64(1, tensor.Dims);
        writer.WriteInt64(2, (long)tensor.Type);
        writer.WriteString(8, tensor.Name);
        writer.WriteBytes(9, tensor.RawData);
    }

    private static void WriteValueInfo(ProtoWriter writer, OnnxValueInfo value)
    {
        writer.WriteString(1, value.Name);
        writer.WriteMessage(2, type => type.WriteMessage(1, tensorType =>
        {
            tensorType.WriteInt64(1, (long)value.Type);
            tensorType.WriteMessage(2, shape =>
            {
                foreach (long dim in value.Dims) shape.WriteMessage(1, d => d.WriteInt64(1, dim));
            });
        }));
    }
}
