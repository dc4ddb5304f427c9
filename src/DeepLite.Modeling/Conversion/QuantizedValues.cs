using System.Runtime.InteropServices;
using DeepLite.Runtime;

namespace DeepLite.Modeling.Conversion;

/// <summary>Element conversions shared by the converters. Rounding is half away from zero, as TFLite's converter rounds.</summary>
internal static class QuantizedValues
{
    /// <summary>The real values of a constant: <c>scale[c] * (q - zeroPoint[c])</c>, c the index along the quantized
    /// dimension (one scale: per-tensor). uint8, int8, int16 and int32 constants; float16 widened; float32 copied.</summary>
    public static float[] ToFloat(GraphTensor tensor)
    {
        byte[] data = tensor.Data ?? throw new ArgumentException($"Tensor '{tensor.Name}' is not a constant.");
        if (tensor.Type == TensorType.Float32) return MemoryMarshal.Cast<byte, float>(data).ToArray();
        if (tensor.Type == TensorType.Float16) return MemoryMarshal.Cast<byte, Half>(data).ToArray().Select(h => (float)h).ToArray();
        var q = tensor.Quantization ?? throw new NotSupportedException($"Tensor '{tensor.Name}' ({tensor.Type.Name()}) has no quantization parameters, so it has no real values.");
        long[] raw = tensor.Type switch
        {
            TensorType.UInt8 => data.Select(b => (long)b).ToArray(),
            TensorType.Int8 => MemoryMarshal.Cast<byte, sbyte>(data).ToArray().Select(b => (long)b).ToArray(),
            TensorType.Int16 => MemoryMarshal.Cast<byte, short>(data).ToArray().Select(b => (long)b).ToArray(),
            TensorType.Int32 => MemoryMarshal.Cast<byte, int>(data).ToArray().Select(b => (long)b).ToArray(),
            _ => throw new NotSupportedException($"Tensor '{tensor.Name}' has type {tensor.Type.Name()}, which cannot be dequantized."),
        };
        var (channels, inner) = ChannelLayout(tensor.Shape, q);
        var result = new float[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            int c = channels == 1 ? 0 : (int)(i / inner % channels);
            long zeroPoint = q.ZeroPoints.Length == 0 ? 0 : q.ZeroPoints[Math.Min(c, q.ZeroPoints.Length - 1)];
            result[i] = q.Scales[c] * (raw[i] - zeroPoint);
        }
        return result;
    }

    /// <summary>Number of channels (1 when per-tensor) and elements per step along the quantized dimension.</summary>
    public static (int Channels, long Inner) ChannelLayout(int[] shape, QuantizationParameters q)
    {
        if (!q.IsPerChannel) return (1, 1);
        long inner = 1;
        for (int d = q.QuantizedDimension + 1; d < shape.Length; d++) inner *= shape[d];
        return (shape[q.QuantizedDimension], inner);
    }

    public static int Round(double value) => (int)Math.Round(value, MidpointRounding.AwayFromZero);

    public static byte[] Bytes<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
