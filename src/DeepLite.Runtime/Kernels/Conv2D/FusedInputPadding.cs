namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Zero padding of height and width that a kernel adds around its NHWC input 0 on top of its own
/// padding, because a PAD before it was folded into it (see <see cref="Planning.PadFusion"/>).
/// All four counts are non-negative; the default value is no extra padding.
/// </summary>
internal readonly record struct FusedInputPadding(int Top, int Bottom, int Left, int Right);

/// <summary>
/// A kernel that can read its input 0 as if it had been padded with real zeros (0.0, or the input
/// zero point for quantized tensors), so that the padded copy need not exist. The interpreter calls
/// <see cref="FuseInputPadding"/> once, before the first Prepare, and then binds input 0 to the
/// unpadded tensor; the kernel must produce exactly the output it would produce on the padded tensor.
/// </summary>
internal interface IFusesInputPadding
{
    void FuseInputPadding(FusedInputPadding padding);
}
