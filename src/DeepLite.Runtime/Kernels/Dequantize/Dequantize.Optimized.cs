using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>DEQUANTIZE microkernels, bit-exact with <see cref="DequantizeReference"/>.</summary>
internal static class DequantizeMicrokernels
{
    /// <summary>
    /// QU8/QS8 → F32 per tensor (<see cref="DequantizeReference.PerTensor{T}"/>): <c>x = (float)(q − zeroPoint) · scale</c>
    /// in float32. This equals the reference's float64 product rounded to float32, because both round the same exact product
    /// once (a 24-bit scale times a 9-bit integer is exact in float64). Lane layout: a block of N stored values widens to
    /// four int32 vectors (<see cref="ByteLanes"/>), each converted to float and stored as N/4 consecutive outputs; the rest
    /// goes to each narrower tier, then four values at a time, then scalar.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToF32<T>(ReadOnlySpan<T> input, Span<float> output, float scale, int zeroPoint, VectorTier tier)
        where T : unmanaged
    {
        if (input.Length != output.Length) throw new ArgumentException($"Input has {input.Length} elements but output has {output.Length}.");
        int n = input.Length, i = 0;
        ref T q = ref MemoryMarshal.GetReference(input);
        ref float x = ref MemoryMarshal.GetReference(output);
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
        {
            var (zero, factor) = (Vector512.Create(zeroPoint), Vector512.Create(scale));
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                ByteLanes.Widen(Vector512.LoadUnsafe(ref q, (nuint)i), out var q0, out var q1, out var q2, out var q3);
                ref float block = ref Unsafe.Add(ref x, i);
                (Vector512.ConvertToSingle(q0 - zero) * factor).StoreUnsafe(ref block);
                (Vector512.ConvertToSingle(q1 - zero) * factor).StoreUnsafe(ref block, 16);
                (Vector512.ConvertToSingle(q2 - zero) * factor).StoreUnsafe(ref block, 32);
                (Vector512.ConvertToSingle(q3 - zero) * factor).StoreUnsafe(ref block, 48);
            }
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
        {
            var (zero, factor) = (Vector256.Create(zeroPoint), Vector256.Create(scale));
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                ByteLanes.Widen(Vector256.LoadUnsafe(ref q, (nuint)i), out var q0, out var q1, out var q2, out var q3);
                ref float block = ref Unsafe.Add(ref x, i);
                (Vector256.ConvertToSingle(q0 - zero) * factor).StoreUnsafe(ref block);
                (Vector256.ConvertToSingle(q1 - zero) * factor).StoreUnsafe(ref block, 8);
                (Vector256.ConvertToSingle(q2 - zero) * factor).StoreUnsafe(ref block, 16);
                (Vector256.ConvertToSingle(q3 - zero) * factor).StoreUnsafe(ref block, 24);
            }
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
        {
            var (zero, factor) = (Vector128.Create(zeroPoint), Vector128.Create(scale));
            for (; i <= n - Vector128<T>.Count; i += Vector128<T>.Count)
            {
                ByteLanes.Widen(Vector128.LoadUnsafe(ref q, (nuint)i), out var q0, out var q1, out var q2, out var q3);
                ref float block = ref Unsafe.Add(ref x, i);
                (Vector128.ConvertToSingle(q0 - zero) * factor).StoreUnsafe(ref block);
                (Vector128.ConvertToSingle(q1 - zero) * factor).StoreUnsafe(ref block, 4);
                (Vector128.ConvertToSingle(q2 - zero) * factor).StoreUnsafe(ref block, 8);
                (Vector128.ConvertToSingle(q3 - zero) * factor).StoreUnsafe(ref block, 12);
            }
            for (; i <= n - 4; i += 4)
            {
                (Vector128.ConvertToSingle(ByteLanes.LoadFour(ref Unsafe.Add(ref q, i)) - zero) * factor).StoreUnsafe(ref x, (nuint)i);
            }
        }
        for (; i < n; i++) output[i] = (ByteLanes.ToInt32(input[i]) - zeroPoint) * scale;
    }
}
