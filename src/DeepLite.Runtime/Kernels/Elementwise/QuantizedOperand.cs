using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Per-tensor affine quantization of one 8-bit (or 16-bit) operand: <c>real = Scale · (q − ZeroPoint)</c>.
/// Created only through <see cref="Read"/>, which guarantees a positive finite scale and a zero point
/// inside the storage type's range, so integer kernels can form <c>q − ZeroPoint</c> without overflow.
/// </summary>
internal readonly record struct QuantizedOperand(float Scale, int ZeroPoint)
{
    /// <summary>Reads and validates the quantization of <paramref name="tensor"/> (uint8, int8 or int16).</summary>
    public static QuantizedOperand Read(KernelContext context, Tensor tensor, string role)
    {
        var (scale, zeroPoint) = KernelHelpers.PerTensorQuantization(context, tensor, role);
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            throw context.Invalid($"{role} '{tensor.Name}' has quantization scale {scale}; it must be positive and finite.");
        }
        var (min, max) = QuantizedRange.OfType(tensor.Type);
        if (zeroPoint < min || zeroPoint > max)
        {
            throw context.Invalid($"{role} '{tensor.Name}' has zero point {zeroPoint}, outside the {tensor.Type.Name()} range [{min}, {max}].");
        }
        return new QuantizedOperand(scale, zeroPoint);
    }

    /// <summary>True for the storage types whose kernels run on 256-entry tables or 8-bit integer arithmetic.</summary>
    public static bool IsEightBit(TensorType type) => type is TensorType.UInt8 or TensorType.Int8;
}
