using DeepLite.Runtime;

namespace DeepLite.Vision;

/// <summary>Reads a classification output tensor as real-valued scores.</summary>
public static class OutputScores
{
    /// <summary>
    /// All values of <paramref name="output"/> as float: float32 as stored; uint8 and int8 dequantized
    /// with the tensor's (first) scale and zero point, <c>score = scale * (q - zeroPoint)</c> in float32
    /// (scale 1, zero point 0 when the tensor has no quantization).
    /// </summary>
    /// <exception cref="DeepLiteException">The tensor is of another type.</exception>
    public static float[] Read(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        float scale = output.Quantization is { Scales.Length: > 0 } q ? q.Scale : 1f;
        int zeroPoint = output.Quantization?.ZeroPoint ?? 0;
        switch (output.Type)
        {
            case TensorType.Float32:
                return output.ToArray<float>();
            case TensorType.UInt8:
            {
                var raw = output.AsReadOnlySpan<byte>();
                var scores = new float[raw.Length];
                for (int i = 0; i < raw.Length; i++) scores[i] = scale * (raw[i] - zeroPoint);
                return scores;
            }
            case TensorType.Int8:
            {
                var raw = output.AsReadOnlySpan<sbyte>();
                var scores = new float[raw.Length];
                for (int i = 0; i < raw.Length; i++) scores[i] = scale * (raw[i] - zeroPoint);
                return scores;
            }
            default:
                throw new DeepLiteException($"Output '{output.Name}' is {output.Type.Name()}; class scores must be float32, uint8 or int8.");
        }
    }
}
