using DeepLite.Runtime;

namespace DeepLite.Modeling.Conversion;

/// <summary>
/// Float16 weight storage, as TFLite's float16 quantization does it: every float32 constant becomes a
/// float16 constant (round to nearest even) read through a DEQUANTIZE operator placed at the start of
/// the graph, whose float32 output replaces the constant in every operator. Activations stay float32,
/// so the model halves its weight bytes and computes as before, up to float16 rounding of the weights.
/// </summary>
public static class Float16Converter
{
    /// <summary>Converts a copy of <paramref name="floatModel"/>.</summary>
    public static ModelGraph Convert(TfLiteModel floatModel)
    {
        ArgumentNullException.ThrowIfNull(floatModel);
        var graph = ModelGraph.From(floatModel);
        var dequantizes = new List<GraphOperator>();
        foreach (var constant in graph.Tensors.Where(t => t is { IsConstant: true, Type: TensorType.Float32 }).ToList())
        {
            float[] values = QuantizedValues.ToFloat(constant);
            var half = new GraphTensor(constant.Name + "/float16", TensorType.Float16, (int[])constant.Shape.Clone(),
                QuantizedValues.Bytes(values.Select(v => (Half)v).ToArray()));
            var dequantized = new GraphTensor(constant.Name, TensorType.Float32, (int[])constant.Shape.Clone());
            graph.ReplaceUses(constant, dequantized);
            int index = graph.Tensors.IndexOf(constant);
            graph.Tensors[index] = dequantized;
            graph.Tensors.Add(half);
            dequantizes.Add(new GraphOperator(BuiltinOperator.DEQUANTIZE, [half], [dequantized], version: 3));
        }
        graph.Operators.InsertRange(0, dequantizes);
        return graph;
    }
}
