using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Planning;

/// <summary>A PAD node folded into the node that consumes its output, which then reads the PAD's input.</summary>
/// <param name="Pad">The PAD node; it is neither prepared nor run, and its output gets no memory.</param>
/// <param name="Consumer">The convolution that reads the PAD's output as its input 0.</param>
/// <param name="Source">The PAD's input tensor, which the consumer reads instead.</param>
/// <param name="Padding">The PAD's height and width counts, which the consumer adds to its own padding.</param>
internal readonly record struct PadFusionMatch(int Pad, int Consumer, int Source, FusedInputPadding Padding);

/// <summary>
/// Finds the PAD and PADV2 nodes that can be folded into the convolution after them so that the padded tensor is
/// never made. A PAD qualifies only when every one of these holds (otherwise it runs as usual):
/// <list type="bullet">
/// <item>it runs the builtin <see cref="PadKernel"/> (not a kernel the caller registered in its place);</item>
/// <item>for PADV2 with a pad value: the value is a constant of the output's type and quantization that stands for
/// real zero: float +0.0 (bits all zero), or the output's zero point;</item>
/// <item>its input is a non-constant float32, uint8 or int8 tensor of rank 4 with the type and quantization of its
/// output (so its pad value, real zero, is what the consumer's own padding contributes);</item>
/// <item>its paddings operand is a constant int32 or int64 <c>[4, 2]</c> tensor with zero batch and channel counts
/// and non-negative height and width counts;</item>
/// <item>its output is read by exactly one node, later in the order, as that node's input 0 and nowhere else, and
/// that node's kernel implements <see cref="IFusesInputPadding"/> (CONV_2D, DEPTHWISE_CONV_2D);</item>
/// <item>its output is not in the <c>keep</c> set (graph inputs and outputs, signature tensors) and not a
/// variable.</item>
/// </list>
/// </summary>
internal static class PadFusion
{
    public static List<PadFusionMatch> Find(SubgraphInfo graph, IReadOnlyList<Tensor> tensors, IReadOnlyList<OperatorKernel?> kernels, IReadOnlySet<int> keep)
    {
        var uses = new int[tensors.Count];
        var consumer = new int[tensors.Count];
        for (int node = 0; node < graph.Operators.Count; node++)
        {
            var op = graph.Operators[node];
            for (int k = 0; k < op.Inputs.Length; k++) Use(op.Inputs[k], k == 0 ? node : -1);
            foreach (int t in op.Intermediates) Use(t, -1);
        }
        void Use(int tensor, int node)
        {
            if ((uint)tensor >= (uint)uses.Length) return;
            uses[tensor]++;
            consumer[tensor] = node;
        }

        var matches = new List<PadFusionMatch>();
        for (int node = 0; node < graph.Operators.Count; node++)
        {
            var op = graph.Operators[node];
            if (op.Code.Builtin is not (BuiltinOperator.PAD or BuiltinOperator.PADV2) || op.Code.CustomName is not null) continue;
            if (kernels[node] is not PadKernel || op.Inputs.Length is not (2 or 3) || op.Outputs.Length != 1) continue;
            int source = op.Inputs[0], paddings = op.Inputs[1], padded = op.Outputs[0];
            if ((uint)source >= (uint)tensors.Count || (uint)paddings >= (uint)tensors.Count || (uint)padded >= (uint)tensors.Count) continue;
            if (keep.Contains(padded) || tensors[padded].IsVariable || uses[padded] != 1) continue;
            int target = consumer[padded];
            if (target <= node || kernels[target] is not IFusesInputPadding) continue;
            if (!SameData(tensors[source], tensors[padded])) continue;
            if (ReadHeightWidthPadding(tensors[paddings]) is not { } padding) continue;
            if (op.Inputs.Length == 3 && op.Inputs[2] >= 0 && !IsRealZero(tensors, op.Inputs[2], tensors[padded])) continue;
            matches.Add(new PadFusionMatch(node, target, source, padding));
        }
        return matches;
    }

    /// <summary>A rank-4 float32/uint8/int8 activation whose padded copy would hold the same type and quantization.</summary>
    private static bool SameData(Tensor source, Tensor padded)
    {
        if (source.IsConstant || source.Rank != 4 || source.Type != padded.Type) return false;
        return source.Type switch
        {
            TensorType.Float32 => true,
            TensorType.UInt8 or TensorType.Int8 => source.Quantization is { Scales.Length: 1 } q && !q.IsPerChannel
                && DataMovement.SameQuantization(q, padded.Quantization),
            _ => false,
        };
    }

    /// <summary>True when tensor <paramref name="value"/> is a one-element constant of <paramref name="padded"/>'s type
    /// and quantization whose stored value is real zero: float +0.0 (not −0.0), or the zero point.</summary>
    private static bool IsRealZero(IReadOnlyList<Tensor> tensors, int value, Tensor padded)
    {
        if ((uint)value >= (uint)tensors.Count) return false;
        var t = tensors[value];
        if (!t.IsConstant || t.ElementCount != 1 || t.Type != padded.Type) return false;
        return t.Type switch
        {
            TensorType.Float32 => BitConverter.SingleToInt32Bits(t.AsReadOnlySpan<float>()[0]) == 0,
            TensorType.UInt8 => DataMovement.SameQuantization(t.Quantization, padded.Quantization) && t.AsReadOnlySpan<byte>()[0] == padded.Quantization!.ZeroPoint,
            TensorType.Int8 => DataMovement.SameQuantization(t.Quantization, padded.Quantization) && t.AsReadOnlySpan<sbyte>()[0] == padded.Quantization!.ZeroPoint,
            _ => false,
        };
    }

    /// <summary>The height and width counts of a constant <c>[4, 2]</c> paddings tensor, or null unless the batch and
    /// channel counts are zero and the others non-negative.</summary>
    private static FusedInputPadding? ReadHeightWidthPadding(Tensor paddings)
    {
        if (!paddings.IsConstant || paddings.Rank != 2 || paddings.Dim(0) != 4 || paddings.Dim(1) != 2) return null;
        Span<long> counts = stackalloc long[8];
        switch (paddings.Type)
        {
            case TensorType.Int32:
                var ints = paddings.AsReadOnlySpan<int>();
                for (int i = 0; i < counts.Length; i++) counts[i] = ints[i];
                break;
            case TensorType.Int64:
                paddings.AsReadOnlySpan<long>().CopyTo(counts);
                break;
            default:
                return null;
        }
        if (counts[0] != 0 || counts[1] != 0 || counts[6] != 0 || counts[7] != 0) return null;
        for (int i = 2; i < 6; i++)
        {
            if (counts[i] is < 0 or > int.MaxValue) return null;
        }
        return new FusedInputPadding((int)counts[2], (int)counts[3], (int)counts[4], (int)counts[5]);
    }
}
