namespace DeepLite.Runtime.Kernels;

/// <summary>
/// SUB: <c>output = activation(a − b)</c> with NumPy broadcasting (rank ≤ 6). float32 and int32 subtract and
/// clamp; uint8/int8 use ADD's 8-bit rules with the second multiplier negated (<see cref="XnnpackAddParameters"/>,
/// or <see cref="QuantizedAddParameters"/> for scales XNNPACK declines).
/// Options: SubOptions (fused_activation_function = field 0).
/// </summary>
internal sealed class SubKernel : AddOrSubtractKernel
{
    public SubKernel() : base(subtract: true)
    {
    }

    protected override string Name => "SUB";
}
