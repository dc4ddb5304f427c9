using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// The widest SIMD vector an optimized kernel's loops may use. A kernel picks its tier once at Prepare
/// (<see cref="VectorTiers.Best"/>); its loops then run blocks of the widest allowed vector, hand the
/// remainder to the next narrower vector, and finish with scalar code, so every rung below the chosen one
/// also runs on short tails. Values are the vector width in bits.
/// </summary>
/// <remarks>
/// Loops test <c>VectorN.IsHardwareAccelerated &amp;&amp; tier &gt;= VectorTier.VectorN</c>: the first half is a JIT-time
/// constant, so a rung the machine lacks is compiled away instead of being compiled as slow software vectors (which
/// also exhausts the inlining budget and leaves the narrower rungs' helpers as calls). Tests pass lower tiers
/// explicitly to run every rung the machine has in one process.
/// </remarks>
internal enum VectorTier
{
    Scalar = 0,
    Vector128 = 128,
    Vector256 = 256,
    Vector512 = 512,
}

/// <summary>Chooses a <see cref="VectorTier"/> from what the JIT accelerates in this process.</summary>
internal static class VectorTiers
{
    /// <summary>
    /// The widest accelerated tier: Vector512 with AVX-512 (off under <c>DOTNET_EnableAVX512=0</c>), Vector256 with
    /// AVX2 (off under <c>DOTNET_EnableAVX2=0</c>), Vector128 with SSE or AdvSimd, otherwise scalar.
    /// </summary>
    public static VectorTier Best { get; } =
        Vector512.IsHardwareAccelerated ? VectorTier.Vector512
        : Vector256.IsHardwareAccelerated ? VectorTier.Vector256
        : Vector128.IsHardwareAccelerated ? VectorTier.Vector128
        : VectorTier.Scalar;

    /// <summary><paramref name="requested"/>, lowered to <see cref="Best"/> if this process cannot accelerate it.</summary>
    public static VectorTier AtMost(VectorTier requested) => requested < Best ? requested : Best;
}

/// <summary>
/// Widening of 8-bit lanes (uint8 zero-extended, int8 sign-extended) to int32 and back. A vector of N 8-bit
/// values becomes four int32 vectors of N/4 lanes: element k lands in part k / (N/4), lane k % (N/4); narrowing
/// is the exact inverse and expects every int32 lane to be inside the 8-bit type's range already (it truncates).
/// The element type T must be <see cref="byte"/> or <see cref="sbyte"/>.
/// </summary>
internal static class ByteLanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen<T>(Vector512<T> v, out Vector512<int> p0, out Vector512<int> p1, out Vector512<int> p2, out Vector512<int> p3)
    {
        if (typeof(T) == typeof(byte))
        {
            var low = Vector512.WidenLower(v.AsByte());
            var high = Vector512.WidenUpper(v.AsByte());
            (p0, p1) = (Vector512.WidenLower(low).AsInt32(), Vector512.WidenUpper(low).AsInt32());
            (p2, p3) = (Vector512.WidenLower(high).AsInt32(), Vector512.WidenUpper(high).AsInt32());
        }
        else
        {
            var low = Vector512.WidenLower(v.AsSByte());
            var high = Vector512.WidenUpper(v.AsSByte());
            (p0, p1) = (Vector512.WidenLower(low), Vector512.WidenUpper(low));
            (p2, p3) = (Vector512.WidenLower(high), Vector512.WidenUpper(high));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen<T>(Vector256<T> v, out Vector256<int> p0, out Vector256<int> p1, out Vector256<int> p2, out Vector256<int> p3)
    {
        if (typeof(T) == typeof(byte))
        {
            var low = Vector256.WidenLower(v.AsByte());
            var high = Vector256.WidenUpper(v.AsByte());
            (p0, p1) = (Vector256.WidenLower(low).AsInt32(), Vector256.WidenUpper(low).AsInt32());
            (p2, p3) = (Vector256.WidenLower(high).AsInt32(), Vector256.WidenUpper(high).AsInt32());
        }
        else
        {
            var low = Vector256.WidenLower(v.AsSByte());
            var high = Vector256.WidenUpper(v.AsSByte());
            (p0, p1) = (Vector256.WidenLower(low), Vector256.WidenUpper(low));
            (p2, p3) = (Vector256.WidenLower(high), Vector256.WidenUpper(high));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen<T>(Vector128<T> v, out Vector128<int> p0, out Vector128<int> p1, out Vector128<int> p2, out Vector128<int> p3)
    {
        if (typeof(T) == typeof(byte))
        {
            var low = Vector128.WidenLower(v.AsByte());
            var high = Vector128.WidenUpper(v.AsByte());
            (p0, p1) = (Vector128.WidenLower(low).AsInt32(), Vector128.WidenUpper(low).AsInt32());
            (p2, p3) = (Vector128.WidenLower(high).AsInt32(), Vector128.WidenUpper(high).AsInt32());
        }
        else
        {
            var low = Vector128.WidenLower(v.AsSByte());
            var high = Vector128.WidenUpper(v.AsSByte());
            (p0, p1) = (Vector128.WidenLower(low), Vector128.WidenUpper(low));
            (p2, p3) = (Vector128.WidenLower(high), Vector128.WidenUpper(high));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Narrow<T>(Vector512<int> p0, Vector512<int> p1, Vector512<int> p2, Vector512<int> p3) =>
        typeof(T) == typeof(byte)
            ? Vector512.Narrow(Vector512.Narrow(p0.AsUInt32(), p1.AsUInt32()), Vector512.Narrow(p2.AsUInt32(), p3.AsUInt32())).As<byte, T>()
            : Vector512.Narrow(Vector512.Narrow(p0, p1), Vector512.Narrow(p2, p3)).As<sbyte, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Narrow<T>(Vector256<int> p0, Vector256<int> p1, Vector256<int> p2, Vector256<int> p3) =>
        typeof(T) == typeof(byte)
            ? Vector256.Narrow(Vector256.Narrow(p0.AsUInt32(), p1.AsUInt32()), Vector256.Narrow(p2.AsUInt32(), p3.AsUInt32())).As<byte, T>()
            : Vector256.Narrow(Vector256.Narrow(p0, p1), Vector256.Narrow(p2, p3)).As<sbyte, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Narrow<T>(Vector128<int> p0, Vector128<int> p1, Vector128<int> p2, Vector128<int> p3) =>
        typeof(T) == typeof(byte)
            ? Vector128.Narrow(Vector128.Narrow(p0.AsUInt32(), p1.AsUInt32()), Vector128.Narrow(p2.AsUInt32(), p3.AsUInt32())).As<byte, T>()
            : Vector128.Narrow(Vector128.Narrow(p0, p1), Vector128.Narrow(p2, p3)).As<sbyte, T>();

    /// <summary>Loads four 8-bit values widened to the four int32 lanes of a Vector128 (reads exactly four elements).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> LoadFour<T>(ref T source)
    {
        var packed = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<int>(ref Unsafe.As<T, byte>(ref source)));
        return typeof(T) == typeof(byte)
            ? Vector128.WidenLower(Vector128.WidenLower(packed.AsByte())).AsInt32()
            : Vector128.WidenLower(Vector128.WidenLower(packed.AsSByte()));
    }

    /// <summary>Stores the four int32 lanes of <paramref name="value"/> (already in range) as four 8-bit values (writes exactly four elements).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFour<T>(Vector128<int> value, ref T destination) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<T, byte>(ref destination), Narrow<T>(value, value, value, value).AsInt32().ToScalar());

    /// <summary>The 8-bit value <paramref name="value"/> as int32 (zero- or sign-extended).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ToInt32<T>(T value) => typeof(T) == typeof(byte) ? (byte)(object)value! : (sbyte)(object)value!;

    /// <summary>An int32 inside the 8-bit type's range, stored as <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FromInt32<T>(int value) => typeof(T) == typeof(byte) ? (T)(object)unchecked((byte)value) : (T)(object)unchecked((sbyte)value);
}
