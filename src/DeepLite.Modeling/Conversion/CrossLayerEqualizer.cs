using DeepLite.Runtime;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Modeling.Conversion;

/// <summary>
/// Cross-layer equalisation (Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias Correction",
/// 2019) of a float32 graph, so that per-tensor weight quantization loses less. A pair is layer 1, a CONV_2D or
/// DEPTHWISE_CONV_2D (depth multiplier 1) with fused activation NONE, RELU or RELU6 whose output is not a graph output,
/// and layer 2, the CONV_2D that is the only consumer of that output; both with constant float32 weights (and layer
/// 1's bias) used by no other operator. With r1_i = max |w| of layer 1's output channel i and r2_i = max |w| of layer 2's
/// input channel i, s_i = sqrt(r1_i · r2_i) / r2_i: layer 1's channel-i weights and bias are divided by s_i, layer 2's
/// input-channel-i weights multiplied by s_i, which leaves both channel ranges at sqrt(r1_i · r2_i).
/// <para>ReLU is positively homogeneous, so the float function is unchanged for NONE and RELU. RELU6 is not: channel i
/// would need its clamp at 6 / s_i, which one fused activation cannot express. The paper replaces RELU6 by RELU; on
/// MobileNet v1 0.25 that moves the float probabilities by up to 0.27 and flips a golden top-1, so when calibration
/// inputs are given RELU6 is kept and the scales are constrained so the clamp stays exact on those inputs: with m_i the
/// calibrated maximum of channel i (after RELU6) and S_i the product of all its scales, a channel the clamp reached
/// (m_i = 6) keeps S_i = 1, and any other channel keeps m_i / S_i ≤ 6, i.e. S_i ≥ m_i / 6. Without calibration inputs
/// an equalised layer's RELU6 becomes RELU, as in the paper.</para>
/// <para>A DEPTHWISE_CONV_2D is not taken as layer 2 (the paper does, for pointwise → depthwise pairs): tried on
/// MobileNet v1 0.25 (26 pairs instead of 13), uint8 top-1 agreement on the golden cases fell from 5/10 to 2/10.</para>
/// </summary>
public static class CrossLayerEqualizer
{
    /// <summary>Equalises every matching pair of <paramref name="graph"/> in place, sweeping all pairs
    /// <paramref name="iterations"/> times, as the paper iterates to convergence. Returns the number of pairs. (Where no
    /// layer is in two pairs, as in MobileNet v1, where every pair is a depthwise layer and the pointwise CONV_2D after it,
    /// one sweep already reaches the fixed point: after it r1_i = r2_i and s_i = 1.)</summary>
    /// <param name="graph">A float32 graph; its weights, biases and fused activations change.</param>
    /// <param name="iterations">Sweeps over all pairs.</param>
    /// <param name="calibrationInputs">Float32 values of input 0 on which RELU6 pairs stay exact (see the class remarks);
    /// null: RELU6 of equalised layers becomes RELU.</param>
    public static int Equalize(ModelGraph graph, int iterations = 3, IEnumerable<float[]>? calibrationInputs = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var pairs = FindPairs(graph);
        var bounds = new Dictionary<GraphOperator, (double[] Min, double[] Max, double[] Total)>(ReferenceEqualityComparer.Instance);
        if (calibrationInputs is not null)
        {
            var maxima = new Dictionary<GraphTensor, float[]>(ReferenceEqualityComparer.Instance);
            foreach (var (first, _) in pairs.Where(p => IsRelu6(p.First)))
            {
                maxima[first.Outputs[0]] = Enumerable.Repeat(float.NegativeInfinity, first.Outputs[0].Shape[^1]).ToArray();
            }
            if (maxima.Count > 0) PostTrainingQuantizer.Calibrate(graph, calibrationInputs, maxima);
            foreach (var (first, _) in pairs.Where(p => IsRelu6(p.First)))
            {
                float[] m = maxima[first.Outputs[0]];
                // Cumulative scale S_i within [Min, Max]: exact clamp on the calibration inputs.
                double[] min = m.Select(v => v >= 6f ? 1.0 : Math.Max(v, 0) / 6.0).ToArray();
                double[] max = m.Select(v => v >= 6f ? 1.0 : double.PositiveInfinity).ToArray();
                bounds[first] = (min, max, Enumerable.Repeat(1.0, m.Length).ToArray());
            }
        }
        for (int sweep = 0; sweep < iterations; sweep++)
        {
            foreach (var (first, second) in pairs) EqualizePair(first, second, bounds.GetValueOrDefault(first));
        }
        foreach (var (first, _) in pairs)
        {
            if (bounds.ContainsKey(first)) continue;
            first.Options = first.Options switch
            {
                Conv2DOptions { Activation: FusedActivation.Relu6 } c => c with { Activation = FusedActivation.Relu },
                DepthwiseConv2DOptions { Activation: FusedActivation.Relu6 } d => d with { Activation = FusedActivation.Relu },
                var other => other,
            };
        }
        return pairs.Count;
    }

    private static bool IsRelu6(GraphOperator op) => op.Options is Conv2DOptions { Activation: FusedActivation.Relu6 } or DepthwiseConv2DOptions { Activation: FusedActivation.Relu6 };

    private static List<(GraphOperator First, GraphOperator Second)> FindPairs(ModelGraph graph)
    {
        var pairs = new List<(GraphOperator, GraphOperator)>();
        foreach (var first in graph.Operators)
        {
            var activation = first.Options switch
            {
                Conv2DOptions c when first.Code == BuiltinOperator.CONV_2D => c.Activation,
                DepthwiseConv2DOptions { DepthMultiplier: 1 } d when first.Code == BuiltinOperator.DEPTHWISE_CONV_2D => d.Activation,
                _ => (FusedActivation?)null,
            };
            if (activation is not (FusedActivation.None or FusedActivation.Relu or FusedActivation.Relu6)) continue;
            var output = first.Outputs[0];
            if (graph.Outputs.Contains(output)) continue;
            var consumers = graph.Consumers(output).ToList();
            if (consumers.Count != 1) continue;
            var second = consumers[0];
            if (second.Code != BuiltinOperator.CONV_2D || second.Inputs[0] != output || second.Inputs.Skip(1).Contains(output)) continue;
            if (!OwnsFloatConstants(graph, first) || !OwnsFloatConstants(graph, second)) continue;
            int channels = first.Code == BuiltinOperator.CONV_2D ? first.Inputs[1]!.Shape[0] : first.Inputs[1]!.Shape[^1];
            if (second.Inputs[1]!.Shape[^1] != channels) continue;
            if (first.Inputs.Count > 2 && first.Inputs[2] is { } bias && bias.ElementCount != channels) continue;
            pairs.Add((first, second));
        }
        return pairs;
    }

    /// <summary>Weights (and bias, if any) are float32 constants that no other operator reads.</summary>
    private static bool OwnsFloatConstants(ModelGraph graph, GraphOperator op)
    {
        if (op.Inputs.Count < 2) return false;
        foreach (var tensor in op.Inputs.Skip(1))
        {
            if (tensor is null) continue;
            if (tensor is not { IsConstant: true, Type: TensorType.Float32 }) return false;
            if (graph.Operators.Any(o => o != op && o.Inputs.Contains(tensor))) return false;
        }
        return op.Inputs[1] is not null;
    }

    private static void EqualizePair(GraphOperator first, GraphOperator second, (double[] Min, double[] Max, double[] Total) bounds)
    {
        var w1Tensor = first.Inputs[1]!;
        var w2Tensor = second.Inputs[1]!;
        float[] w1 = QuantizedValues.ToFloat(w1Tensor), w2 = QuantizedValues.ToFloat(w2Tensor);
        bool depthwise = first.Code == BuiltinOperator.DEPTHWISE_CONV_2D;
        // Layer 1: CONV_2D [O, H, W, I] → channel = i / (H·W·I); DEPTHWISE_CONV_2D [1, H, W, C] → channel = i % C.
        int channels = depthwise ? w1Tensor.Shape[^1] : w1Tensor.Shape[0];
        int perChannel1 = w1.Length / channels;
        int Channel1(int i) => depthwise ? i % channels : i / perChannel1;
        // Layer 2: CONV_2D [O, H, W, I] → input channel = i % I.
        var r1 = new double[channels];
        var r2 = new double[channels];
        for (int i = 0; i < w1.Length; i++) r1[Channel1(i)] = Math.Max(r1[Channel1(i)], Math.Abs(w1[i]));
        for (int i = 0; i < w2.Length; i++) r2[i % channels] = Math.Max(r2[i % channels], Math.Abs(w2[i]));
        var s = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            s[c] = r1[c] > 0 && r2[c] > 0 ? Math.Sqrt(r1[c] * r2[c]) / r2[c] : 1;
            if (bounds.Total is null) continue;
            double total = Math.Clamp(bounds.Total[c] * s[c], bounds.Min[c], bounds.Max[c]);
            s[c] = total / bounds.Total[c];
            bounds.Total[c] = total;
        }
        for (int i = 0; i < w1.Length; i++) w1[i] = (float)(w1[i] / s[Channel1(i)]);
        for (int i = 0; i < w2.Length; i++) w2[i] = (float)(w2[i] * s[i % channels]);
        w1Tensor.Data = QuantizedValues.Bytes(w1);
        w2Tensor.Data = QuantizedValues.Bytes(w2);
        if (first.Inputs.Count > 2 && first.Inputs[2] is { } biasTensor)
        {
            float[] bias = QuantizedValues.ToFloat(biasTensor);
            for (int c = 0; c < channels; c++) bias[c] = (float)(bias[c] / s[c]);
            biasTensor.Data = QuantizedValues.Bytes(bias);
        }
    }
}
