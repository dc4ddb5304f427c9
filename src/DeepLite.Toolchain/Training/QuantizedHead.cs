using DeepLite.Runtime.Quantization;

namespace DeepLite.Toolchain.Training;

/// <summary>
/// A <see cref="TrainedHead"/> in TFLite's uint8 (QU8) form, ready to be written as a FULLY_CONNECTED operator:
/// uint8 weights <c>[classes, size]</c> with one scale and zero point, int32 bias with scale
/// <c>InputQuantization.Scale · WeightQuantization.Scale</c> and zero point 0, and uint8 logits with
/// <see cref="OutputQuantization"/>. <see cref="Logits"/> reproduces the runtime's FULLY_CONNECTED arithmetic for it.
/// </summary>
public sealed class QuantizedHead
{
    internal QuantizedHead(byte[,] weights, AffineQuantization weightQuantization, int[] bias, float biasScale,
        AffineQuantization inputQuantization, AffineQuantization outputQuantization)
    {
        Weights = weights;
        WeightQuantization = weightQuantization;
        Bias = bias;
        BiasScale = biasScale;
        InputQuantization = inputQuantization;
        OutputQuantization = outputQuantization;
    }

    /// <summary>[class, embedding index].</summary>
    public byte[,] Weights { get; }

    public AffineQuantization WeightQuantization { get; }

    /// <summary>One per class, in units of <see cref="BiasScale"/>.</summary>
    public int[] Bias { get; }

    public float BiasScale { get; }

    /// <summary>The quantization of the uint8 embedding the head reads.</summary>
    public AffineQuantization InputQuantization { get; }

    /// <summary>The quantization of the uint8 logits.</summary>
    public AffineQuantization OutputQuantization { get; }

    /// <summary>A float embedding as uint8: <c>clamp(round_half_even(x / scale) + zeroPoint, 0, 255)</c> with <see cref="InputQuantization"/>.</summary>
    public byte[] QuantizeInput(ReadOnlySpan<float> embedding)
    {
        var result = new byte[embedding.Length];
        for (int i = 0; i < result.Length; i++) result[i] = QuantizeU8(embedding[i], InputQuantization);
        return result;
    }

    /// <summary>
    /// uint8 logits as TFLite's FULLY_CONNECTED computes them (XNNPACK's rule, as the DeepLite runtime does):
    /// <c>acc = bias[c] + Σ (x[i] - inputZeroPoint) · (w[c, i] - weightZeroPoint)</c> in int32, then
    /// <c>clamp(round_half_even((float)acc · scale) + outputZeroPoint, 0, 255)</c> with
    /// <c>scale = inputScale · weightScale / outputScale</c> in float32.
    /// </summary>
    public byte[] Logits(ReadOnlySpan<byte> input)
    {
        int classes = Bias.Length, size = Weights.GetLength(1);
        if (input.Length != size) throw new ArgumentException($"The embedding has {input.Length} values; the head takes {size}.", nameof(input));
        float scale = InputQuantization.Scale * WeightQuantization.Scale / OutputQuantization.Scale;
        var result = new byte[classes];
        for (int c = 0; c < classes; c++)
        {
            int acc = Bias[c];
            for (int i = 0; i < size; i++) acc += (input[i] - InputQuantization.ZeroPoint) * (Weights[c, i] - WeightQuantization.ZeroPoint);
            result[c] = (byte)Math.Clamp(FixedPoint.RequantizeFloat(acc, scale, OutputQuantization.ZeroPoint), 0, 255);
        }
        return result;
    }

    /// <summary>The class with the highest uint8 logit (lowest index among ties); softmax keeps this order.</summary>
    public int Predict(ReadOnlySpan<byte> input) => TrainedHead.ArgMax<byte>(Logits(input));

    /// <summary>Softmax of the dequantized uint8 logits.</summary>
    public float[] Probabilities(ReadOnlySpan<byte> input)
    {
        var logits = Logits(input).Select(q => OutputQuantization.Scale * (q - OutputQuantization.ZeroPoint)).ToArray();
        float max = logits.Max();
        double sum = logits.Sum(v => Math.Exp(v - max));
        return logits.Select(v => (float)(Math.Exp(v - max) / sum)).ToArray();
    }

    /// <summary>uint8 quantization covering [min(low, 0), max(high, 0)]: scale = range / 255, zero point = round(-min / scale).</summary>
    internal static AffineQuantization RangeQuantization(float low, float high)
    {
        low = Math.Min(low, 0);
        high = Math.Max(high, 0);
        float scale = high > low ? (high - low) / 255f : 1f;
        int zeroPoint = (int)Math.Clamp(Math.Round(-low / scale, MidpointRounding.ToEven), 0, 255);
        return new AffineQuantization(scale, zeroPoint);
    }

    internal static byte QuantizeU8(float value, AffineQuantization q) =>
        (byte)Math.Clamp(Math.Round(value / q.Scale, MidpointRounding.ToEven) + q.ZeroPoint, 0, 255);
}
