namespace DeepLite.Runtime;

/// <summary>Size and cost figures of a model: operator histogram, parameters, weight bytes and
/// multiply-accumulates (MACs) per inference for the shapes an allocated interpreter has.</summary>
public sealed class ModelStatistics
{
    private ModelStatistics(IReadOnlyDictionary<string, int> operatorCounts, long parameters, long weightBytes, long macs, IReadOnlyList<long> macsPerOperator)
    {
        OperatorCounts = operatorCounts;
        Parameters = parameters;
        WeightBytes = weightBytes;
        MultiplyAccumulates = macs;
        MultiplyAccumulatesPerOperator = macsPerOperator;
    }

    /// <summary>Operator name → number of nodes, most frequent first.</summary>
    public IReadOnlyDictionary<string, int> OperatorCounts { get; }
    /// <summary>Elements of all constant tensors of the main subgraph.</summary>
    public long Parameters { get; }
    /// <summary>Bytes of all constant tensors of the main subgraph.</summary>
    public long WeightBytes { get; }
    /// <summary>Multiply-accumulates of one inference: convolutions, depthwise and transposed
    /// convolutions and fully connected layers (other operators are counted as 0).</summary>
    public long MultiplyAccumulates { get; }
    public IReadOnlyList<long> MultiplyAccumulatesPerOperator { get; }

    /// <summary>Computes the figures; MACs need an interpreter whose tensors are allocated (pass null to skip them).</summary>
    public static ModelStatistics Compute(TfLiteModel model, Interpreter? allocated)
    {
        var graph = model.MainSubgraph;
        var counts = graph.Operators.GroupBy(o => o.Code.Name).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        long parameters = 0, bytes = 0;
        foreach (var t in graph.Tensors)
        {
            if (!t.IsConstant) continue;
            parameters += t.ElementCount;
            bytes += t.Data.Length;
        }
        var perOperator = new long[graph.Operators.Count];
        if (allocated is not null)
        {
            var tensors = allocated.Tensors;
            for (int i = 0; i < perOperator.Length; i++)
            {
                var op = graph.Operators[i];
                perOperator[i] = MacsOf(op, t => t < 0 ? null : tensors[t]);
            }
        }
        return new ModelStatistics(counts, parameters, bytes, perOperator.Sum(), perOperator);
    }

    private static long MacsOf(OperatorInfo op, Func<int, Tensor?> tensor)
    {
        Tensor? Input(int i) => i < op.Inputs.Length ? tensor(op.Inputs[i]) : null;
        var output = op.Outputs.Length > 0 ? tensor(op.Outputs[0]) : null;
        if (output is null) return 0;
        switch (op.Code.Builtin)
        {
            case BuiltinOperator.CONV_2D when Input(1) is { Rank: 4 } filter:
                return output.ElementCount * filter.Dim(1) * filter.Dim(2) * filter.Dim(3);
            case BuiltinOperator.DEPTHWISE_CONV_2D when Input(1) is { Rank: 4 } filter:
                return output.ElementCount * filter.Dim(1) * filter.Dim(2);
            case BuiltinOperator.FULLY_CONNECTED when Input(1) is { Rank: 2 } weights:
                return output.ElementCount * weights.Dim(1);
            case BuiltinOperator.TRANSPOSE_CONV when Input(1) is { Rank: 4 } weights && Input(2) is { } input:
                return input.ElementCount * weights.Dim(0) * weights.Dim(1) * weights.Dim(2);
            default:
                return 0;
        }
    }
}
