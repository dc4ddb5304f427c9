using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// XNNPACK's 8-bit ADD/SUB (QU8/QS8 <c>vadd</c> and <c>vaddc</c>) over contiguous runs, bit-exact with
/// <see cref="XnnpackAddParameters.Apply"/>. Lane layout: each block of N 8-bit values per operand is widened to
/// four int32 vectors (<see cref="ByteLanes"/>); every int32 lane computes
/// <c>acc = bias + x·multiplierX (+ y·multiplierY)</c> with wrapping int32 multiplies and adds (the scalar rule's own
/// arithmetic, so the order of the terms does not matter), then <c>clamp((acc &gt;&gt; Shift) + OutputZeroPoint,
/// ActivationMin, ActivationMax)</c> with an arithmetic shift, and the four parts are narrowed back to N values.
/// Tail: the rest of a run goes to the next narrower tier, then four values at a time (one Vector128 of int32), and
/// finally to the scalar form of the same steps.
/// </summary>
internal static class XnnpackAddMicrokernels
{
    /// <summary>QU8/QS8 <c>vadd</c>: <c>output[i] = p.Apply(a[i], b[i])</c>.</summary>
    public static void Elementwise<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> output, in XnnpackAddParameters p, VectorTier tier)
        where T : unmanaged
    {
        if (a.Length != output.Length || b.Length != output.Length)
        {
            throw new ArgumentException($"Operands of {a.Length} and {b.Length} elements do not match the output's {output.Length}.");
        }
        Run(a, b, output, p.Bias, p.Multiplier1, p.Multiplier2, p, tier);
    }

    /// <summary>
    /// QU8/QS8 <c>vaddc</c>: <c>output[i] = p.Apply(a[i], constant)</c> when <paramref name="constantIsFirst"/> is false,
    /// <c>p.Apply(constant, a[i])</c> when true. The constant's term is folded into the bias once.
    /// </summary>
    public static void WithConstant<T>(ReadOnlySpan<T> a, T constant, bool constantIsFirst, Span<T> output, in XnnpackAddParameters p, VectorTier tier)
        where T : unmanaged
    {
        if (a.Length != output.Length) throw new ArgumentException($"Operand of {a.Length} elements does not match the output's {output.Length}.");
        int q = ByteLanes.ToInt32(constant);
        int bias = unchecked(p.Bias + (q * (constantIsFirst ? p.Multiplier1 : p.Multiplier2)));
        Run(a, [], output, bias, constantIsFirst ? p.Multiplier2 : p.Multiplier1, 0, p, tier);
    }

    /// <summary><c>output[i] = clamp(((bias + x[i]·mx + y[i]·my) &gt;&gt; Shift) + zero, min, max)</c>; an empty <paramref name="y"/> drops its term.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> output, int bias, int mx, int my, in XnnpackAddParameters p, VectorTier tier)
        where T : unmanaged
    {
        bool hasY = !y.IsEmpty;
        int n = output.Length;
        int shift = p.Shift;
        int i = 0;
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        ref T ro = ref MemoryMarshal.GetReference(output);
        if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512 && n >= Vector512<T>.Count)
        {
            var (vb, vx, vy) = (Vector512.Create(bias), Vector512.Create(mx), Vector512.Create(my));
            var (zero, min, max) = (Vector512.Create(p.OutputZeroPoint), Vector512.Create(p.ActivationMin), Vector512.Create(p.ActivationMax));
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                ByteLanes.Widen(Vector512.LoadUnsafe(ref rx, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                var (a0, a1, a2, a3) = (vb + (x0 * vx), vb + (x1 * vx), vb + (x2 * vx), vb + (x3 * vx));
                if (hasY)
                {
                    ByteLanes.Widen(Vector512.LoadUnsafe(ref ry, (nuint)i), out var y0, out var y1, out var y2, out var y3);
                    (a0, a1, a2, a3) = (a0 + (y0 * vy), a1 + (y1 * vy), a2 + (y2 * vy), a3 + (y3 * vy));
                }
                ByteLanes.Narrow<T>(Finish(a0, shift, zero, min, max), Finish(a1, shift, zero, min, max),
                    Finish(a2, shift, zero, min, max), Finish(a3, shift, zero, min, max)).StoreUnsafe(ref ro, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256 && n - i >= Vector256<T>.Count)
        {
            var (vb, vx, vy) = (Vector256.Create(bias), Vector256.Create(mx), Vector256.Create(my));
            var (zero, min, max) = (Vector256.Create(p.OutputZeroPoint), Vector256.Create(p.ActivationMin), Vector256.Create(p.ActivationMax));
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                ByteLanes.Widen(Vector256.LoadUnsafe(ref rx, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                var (a0, a1, a2, a3) = (vb + (x0 * vx), vb + (x1 * vx), vb + (x2 * vx), vb + (x3 * vx));
                if (hasY)
                {
                    ByteLanes.Widen(Vector256.LoadUnsafe(ref ry, (nuint)i), out var y0, out var y1, out var y2, out var y3);
                    (a0, a1, a2, a3) = (a0 + (y0 * vy), a1 + (y1 * vy), a2 + (y2 * vy), a3 + (y3 * vy));
                }
                ByteLanes.Narrow<T>(Finish(a0, shift, zero, min, max), Finish(a1, shift, zero, min, max),
                    Finish(a2, shift, zero, min, max), Finish(a3, shift, zero, min, max)).StoreUnsafe(ref ro, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128 && n - i >= 4)
        {
            var (vb, vx, vy) = (Vector128.Create(bias), Vector128.Create(mx), Vector128.Create(my));
            var (zero, min, max) = (Vector128.Create(p.OutputZeroPoint), Vector128.Create(p.ActivationMin), Vector128.Create(p.ActivationMax));
            for (; i <= n - Vector128<T>.Count; i += Vector128<T>.Count)
            {
                ByteLanes.Widen(Vector128.LoadUnsafe(ref rx, (nuint)i), out var x0, out var x1, out var x2, out var x3);
                var (a0, a1, a2, a3) = (vb + (x0 * vx), vb + (x1 * vx), vb + (x2 * vx), vb + (x3 * vx));
                if (hasY)
                {
                    ByteLanes.Widen(Vector128.LoadUnsafe(ref ry, (nuint)i), out var y0, out var y1, out var y2, out var y3);
                    (a0, a1, a2, a3) = (a0 + (y0 * vy), a1 + (y1 * vy), a2 + (y2 * vy), a3 + (y3 * vy));
                }
                ByteLanes.Narrow<T>(Finish(a0, shift, zero, min, max), Finish(a1, shift, zero, min, max),
                    Finish(a2, shift, zero, min, max), Finish(a3, shift, zero, min, max)).StoreUnsafe(ref ro, (nuint)i);
            }
            for (; i <= n - 4; i += 4)
            {
                var a0 = vb + (ByteLanes.LoadFour(ref Unsafe.Add(ref rx, i)) * vx);
                if (hasY) a0 += ByteLanes.LoadFour(ref Unsafe.Add(ref ry, i)) * vy;
                ByteLanes.StoreFour(Finish(a0, shift, zero, min, max), ref Unsafe.Add(ref ro, i));
            }
        }
        for (; i < n; i++)
        {
            int accumulator = unchecked(bias + (ByteLanes.ToInt32(Unsafe.Add(ref rx, i)) * mx) + (hasY ? ByteLanes.ToInt32(Unsafe.Add(ref ry, i)) * my : 0));
            Unsafe.Add(ref ro, i) = ByteLanes.FromInt32<T>(Math.Clamp((accumulator >> shift) + p.OutputZeroPoint, p.ActivationMin, p.ActivationMax));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Finish(Vector512<int> accumulator, int shift, Vector512<int> zero, Vector512<int> min, Vector512<int> max) =>
        Vector512.Min(Vector512.Max(Vector512.ShiftRightArithmetic(accumulator, shift) + zero, min), max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Finish(Vector256<int> accumulator, int shift, Vector256<int> zero, Vector256<int> min, Vector256<int> max) =>
        Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(accumulator, shift) + zero, min), max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Finish(Vector128<int> accumulator, int shift, Vector128<int> zero, Vector128<int> min, Vector128<int> max) =>
        Vector128.Min(Vector128.Max(Vector128.ShiftRightArithmetic(accumulator, shift) + zero, min), max);
}

/// <summary>
/// Broadcast inner loop for 8-bit ADD/SUB with XNNPACK's rule: full-length operands go to
/// <see cref="XnnpackAddMicrokernels.Elementwise{T}"/>, a one-element (broadcast) operand to
/// <see cref="XnnpackAddMicrokernels.WithConstant{T}"/>; each output is <see cref="XnnpackAddParameters.Apply"/> of its operands.
/// </summary>
internal readonly struct XnnpackAddLoop<T>(XnnpackAddParameters parameters, VectorTier tier) : IBroadcastLoop<T>
    where T : unmanaged
{
    private readonly XnnpackAddParameters _parameters = parameters;

    public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> output)
    {
        if (a.Length == output.Length && b.Length == output.Length) XnnpackAddMicrokernels.Elementwise(a, b, output, _parameters, tier);
        else if (a.Length == 1) XnnpackAddMicrokernels.WithConstant(b, a[0], constantIsFirst: true, output, _parameters, tier);
        else XnnpackAddMicrokernels.WithConstant(a, b[0], constantIsFirst: false, output, _parameters, tier);
    }
}
