namespace DeepLite.Runtime.Quantization;

/// <summary>Integer limits of quantized types and fused-activation clamps.</summary>
public static class QuantizedRange
{
    /// <summary>Smallest and largest storable value of a quantized type.</summary>
    public static (int Min, int Max) OfType(TensorType type) => type switch
    {
        TensorType.UInt8 => (0, 255),
        TensorType.Int8 => (-128, 127),
        TensorType.Int16 => (-32768, 32767),
        TensorType.Int32 => (int.MinValue, int.MaxValue),
        _ => throw new ArgumentException($"{type.Name()} is not a quantized type."),
    };

    /// <summary>
    /// TFLite's <c>CalculateActivationRangeQuantized</c>: the clamp a fused activation imposes on a
    /// quantized output, intersected with the type's range. Real bounds are quantized as
    /// <c>zeroPoint + round(value / scale)</c> (round half away from zero).
    /// </summary>
    public static (int Min, int Max) ForActivation(FusedActivation activation, TensorType type, float scale, int zeroPoint)
    {
        var (qmin, qmax) = OfType(type);
        int Quantize(float value) => zeroPoint + (int)MathF.Round(value / scale, MidpointRounding.AwayFromZero);
        return activation switch
        {
            FusedActivation.None => (qmin, qmax),
            FusedActivation.Relu => (Math.Max(qmin, Quantize(0f)), qmax),
            FusedActivation.Relu6 => (Math.Max(qmin, Quantize(0f)), Math.Min(qmax, Quantize(6f))),
            FusedActivation.ReluN1To1 => (Math.Max(qmin, Quantize(-1f)), Math.Min(qmax, Quantize(1f))),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), $"fused activation {activation} has no quantized range."),
        };
    }

    /// <summary>The float clamp of a fused activation (TFLite's <c>CalculateActivationRange</c>).</summary>
    public static (float Min, float Max) ForActivation(FusedActivation activation) => activation switch
    {
        FusedActivation.None => (float.NegativeInfinity, float.PositiveInfinity),
        FusedActivation.Relu => (0f, float.PositiveInfinity),
        FusedActivation.Relu6 => (0f, 6f),
        FusedActivation.ReluN1To1 => (-1f, 1f),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), $"fused activation {activation} has no float range."),
    };
}

/// <summary>Fused activation applied to an operator's output; values equal the schema's <c>ActivationFunctionType</c>.</summary>
public enum FusedActivation : byte
{
    None = 0,
    Relu = 1,
    ReluN1To1 = 2,
    Relu6 = 3,
    Tanh = 4,
    SignBit = 5,
}
