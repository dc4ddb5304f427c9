using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Where each output column and row of a bilinear resize samples, computed once: the two source positions and the
/// blend weight of the upper one, in float32 (F32 and QU8) or in 10-bit fixed point (QS8), with exactly the arithmetic
/// of <see cref="ResizeBilinearReference"/>.
/// </summary>
internal sealed class ResizeBilinearPlan
{
    private ResizeBilinearPlan(ResizeParameters parameters, Axis rows, Axis columns, bool fitsInt32)
    {
        Parameters = parameters;
        Rows = rows;
        Columns = columns;
        FitsInt32 = fitsInt32;
    }

    public ResizeParameters Parameters { get; }

    /// <summary>Per output row: source rows and weight.</summary>
    public Axis Rows { get; }

    /// <summary>Per output column: source columns and weight.</summary>
    public Axis Columns { get; }

    /// <summary>
    /// QS8 only: true when every fixed-point blend of 8-bit values, <c>Σ q · w</c> plus the rounding term, fits int32
    /// (always, except for extreme up-scaling), so the vectorized int32 arithmetic equals the reference's int64 arithmetic.
    /// </summary>
    public bool FitsInt32 { get; }

    /// <summary>Source positions <see cref="Lower"/> and <see cref="Upper"/> and the weight of the upper one.</summary>
    /// <remarks>F32/QU8: <see cref="Weight"/> is <c>s − lower</c> in float32. QS8: <see cref="FixedWeight"/> is <c>s − 1024 · lower</c>.</remarks>
    internal sealed record Axis(int[] Lower, int[] Upper, float[] Weight, int[] FixedWeight);

    /// <summary>The plan for <paramref name="p"/>: float sampling (<paramref name="fixedPoint"/> false) or 10-bit fixed point.</summary>
    public static ResizeBilinearPlan Create(ResizeParameters p, bool fixedPoint)
    {
        if (!fixedPoint)
        {
            float heightScale = (float)p.InputHeight / p.OutputHeight;
            float widthScale = (float)p.InputWidth / p.OutputWidth;
            if (p.AlignCorners && p.OutputHeight > 1) heightScale = (float)(p.InputHeight - 1) / (p.OutputHeight - 1);
            if (p.AlignCorners && p.OutputWidth > 1) widthScale = (float)(p.InputWidth - 1) / (p.OutputWidth - 1);
            return new ResizeBilinearPlan(p, FloatAxis(p.OutputHeight, heightScale, p.HalfPixelCenters, p.InputHeight),
                FloatAxis(p.OutputWidth, widthScale, p.HalfPixelCenters, p.InputWidth), fitsInt32: false);
        }
        long heightScale10 = ((1024L * p.InputHeight) + (p.OutputHeight / 2)) / p.OutputHeight;
        long widthScale10 = ((1024L * p.InputWidth) + (p.OutputWidth / 2)) / p.OutputWidth;
        if (p.AlignCorners && p.OutputHeight > 1) heightScale10 = ((1024L * (p.InputHeight - 1)) + ((p.OutputHeight - 1) / 2)) / (p.OutputHeight - 1);
        if (p.AlignCorners && p.OutputWidth > 1) widthScale10 = ((1024L * (p.InputWidth - 1)) + ((p.OutputWidth - 1) / 2)) / (p.OutputWidth - 1);
        var (rows, rowSpread) = FixedAxis(p.OutputHeight, heightScale10, p.HalfPixelCenters, p.InputHeight);
        var (columns, columnSpread) = FixedAxis(p.OutputWidth, widthScale10, p.HalfPixelCenters, p.InputWidth);
        bool fits = rows is not null && columns is not null && (128.0 * rowSpread * columnSpread) + (1 << 19) < int.MaxValue;
        return new ResizeBilinearPlan(p, rows ?? Empty, columns ?? Empty, fits);
    }

    private static readonly Axis Empty = new([], [], [], []);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Axis FloatAxis(int outputSize, float scale, bool halfPixelCenters, int inputSize)
    {
        var axis = new Axis(new int[outputSize], new int[outputSize], new float[outputSize], []);
        for (int d = 0; d < outputSize; d++)
        {
            float source = halfPixelCenters ? ((d + 0.5f) * scale) - 0.5f : d * scale;
            axis.Lower[d] = Math.Clamp((int)MathF.Floor(source), 0, inputSize - 1);
            axis.Upper[d] = Math.Min((int)MathF.Ceiling(source), inputSize - 1);
            axis.Weight[d] = source - axis.Lower[d];
        }
        return axis;
    }

    /// <summary>The fixed-point axis and its largest <c>|1024 − w| + |w|</c>, or null when a weight leaves the int32 range.</summary>
    private static (Axis? Axis, double Spread) FixedAxis(int outputSize, long scale10, bool halfPixelCenters, int inputSize)
    {
        var axis = new Axis(new int[outputSize], new int[outputSize], [], new int[outputSize]);
        double spread = 0;
        for (int d = 0; d < outputSize; d++)
        {
            long source = halfPixelCenters ? (d * scale10) + (scale10 / 2) - 512 : d * scale10;
            axis.Lower[d] = (int)Math.Clamp(source / 1024, 0, inputSize - 1);
            axis.Upper[d] = (int)Math.Min((source + 1023) / 1024, inputSize - 1);
            long weight = source - (1024L * axis.Lower[d]);
            if (weight is > int.MaxValue / 2 or < int.MinValue / 2) return (null, 0);
            axis.FixedWeight[d] = (int)weight;
            spread = Math.Max(spread, Math.Abs(1024.0 - weight) + Math.Abs((double)weight));
        }
        return (axis, spread);
    }
}

/// <summary>
/// Channel-vectorized RESIZE_BILINEAR over NHWC, bit-exact with <see cref="ResizeBilinearReference"/>. Each call handles
/// output rows [firstRow, endRow) (row index = batch · OutputHeight + y), so disjoint ranges can run on different workers.
/// For one output pixel, lane k of a block is channel <c>c + k</c> of the four source pixels; blocks take the widest
/// allowed vector, then each narrower one, and the last channels run scalar code.
/// </summary>
internal static class ResizeBilinearMicrokernels
{
    /// <summary>
    /// F32: per lane <c>((p00·(1−dy))·(1−dx)) + ((p10·dy)·(1−dx)) + ((p01·(1−dy))·dx) + ((p11·dy)·dx)</c>, left to right in
    /// float32, the reference's operations in its order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void F32(ReadOnlySpan<float> input, Span<float> output, ResizeBilinearPlan plan, VectorTier tier, int firstRow, int endRow)
    {
        var p = plan.Parameters;
        p.CheckLengths(input.Length, output.Length);
        int channels = p.Channels;
        ref float source = ref MemoryMarshal.GetReference(input);
        ref float destination = ref MemoryMarshal.GetReference(output);
        for (int row = firstRow; row < endRow; row++)
        {
            int batch = row / p.OutputHeight, y = row - (batch * p.OutputHeight);
            float dy = plan.Rows.Weight[y], wy = 1 - dy;
            int top = ((batch * p.InputHeight) + plan.Rows.Lower[y]) * p.InputWidth * channels;
            int bottom = ((batch * p.InputHeight) + plan.Rows.Upper[y]) * p.InputWidth * channels;
            for (int x = 0; x < p.OutputWidth; x++)
            {
                float dx = plan.Columns.Weight[x], wx = 1 - dx;
                int left = plan.Columns.Lower[x] * channels, right = plan.Columns.Upper[x] * channels;
                ref float p00 = ref Unsafe.Add(ref source, top + left);
                ref float p10 = ref Unsafe.Add(ref source, bottom + left);
                ref float p01 = ref Unsafe.Add(ref source, top + right);
                ref float p11 = ref Unsafe.Add(ref source, bottom + right);
                ref float result = ref Unsafe.Add(ref destination, ((row * p.OutputWidth) + x) * channels);
                int c = 0;
                if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
                {
                    var (vdy, vwy, vdx, vwx) = (Vector512.Create(dy), Vector512.Create(wy), Vector512.Create(dx), Vector512.Create(wx));
                    for (; c <= channels - Vector512<float>.Count; c += Vector512<float>.Count)
                    {
                        (((Vector512.LoadUnsafe(ref p00, (nuint)c) * vwy) * vwx) + ((Vector512.LoadUnsafe(ref p10, (nuint)c) * vdy) * vwx)
                            + ((Vector512.LoadUnsafe(ref p01, (nuint)c) * vwy) * vdx) + ((Vector512.LoadUnsafe(ref p11, (nuint)c) * vdy) * vdx)).StoreUnsafe(ref result, (nuint)c);
                    }
                }
                if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
                {
                    var (vdy, vwy, vdx, vwx) = (Vector256.Create(dy), Vector256.Create(wy), Vector256.Create(dx), Vector256.Create(wx));
                    for (; c <= channels - Vector256<float>.Count; c += Vector256<float>.Count)
                    {
                        (((Vector256.LoadUnsafe(ref p00, (nuint)c) * vwy) * vwx) + ((Vector256.LoadUnsafe(ref p10, (nuint)c) * vdy) * vwx)
                            + ((Vector256.LoadUnsafe(ref p01, (nuint)c) * vwy) * vdx) + ((Vector256.LoadUnsafe(ref p11, (nuint)c) * vdy) * vdx)).StoreUnsafe(ref result, (nuint)c);
                    }
                }
                if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
                {
                    var (vdy, vwy, vdx, vwx) = (Vector128.Create(dy), Vector128.Create(wy), Vector128.Create(dx), Vector128.Create(wx));
                    for (; c <= channels - Vector128<float>.Count; c += Vector128<float>.Count)
                    {
                        (((Vector128.LoadUnsafe(ref p00, (nuint)c) * vwy) * vwx) + ((Vector128.LoadUnsafe(ref p10, (nuint)c) * vdy) * vwx)
                            + ((Vector128.LoadUnsafe(ref p01, (nuint)c) * vwy) * vdx) + ((Vector128.LoadUnsafe(ref p11, (nuint)c) * vdy) * vdx)).StoreUnsafe(ref result, (nuint)c);
                    }
                }
                for (; c < channels; c++)
                {
                    Unsafe.Add(ref result, c) = (Unsafe.Add(ref p00, c) * wy * wx) + (Unsafe.Add(ref p10, c) * dy * wx)
                        + (Unsafe.Add(ref p01, c) * wy * dx) + (Unsafe.Add(ref p11, c) * dy * dx);
                }
            }
        }
    }

    /// <summary>
    /// QU8: the <see cref="F32"/> blend on the stored values (widened to int32, converted to float: exact), then
    /// <c>clamp((int)(v + 0.5f), 0, 255)</c> (float add, truncating conversion). A block of N bytes blends as four float vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QU8(ReadOnlySpan<byte> input, Span<byte> output, ResizeBilinearPlan plan, VectorTier tier, int firstRow, int endRow)
    {
        var p = plan.Parameters;
        p.CheckLengths(input.Length, output.Length);
        int channels = p.Channels;
        ref byte source = ref MemoryMarshal.GetReference(input);
        ref byte destination = ref MemoryMarshal.GetReference(output);
        for (int row = firstRow; row < endRow; row++)
        {
            int batch = row / p.OutputHeight, y = row - (batch * p.OutputHeight);
            float dy = plan.Rows.Weight[y], wy = 1 - dy;
            int top = ((batch * p.InputHeight) + plan.Rows.Lower[y]) * p.InputWidth * channels;
            int bottom = ((batch * p.InputHeight) + plan.Rows.Upper[y]) * p.InputWidth * channels;
            for (int x = 0; x < p.OutputWidth; x++)
            {
                float dx = plan.Columns.Weight[x], wx = 1 - dx;
                int left = plan.Columns.Lower[x] * channels, right = plan.Columns.Upper[x] * channels;
                ref byte p00 = ref Unsafe.Add(ref source, top + left);
                ref byte p10 = ref Unsafe.Add(ref source, bottom + left);
                ref byte p01 = ref Unsafe.Add(ref source, top + right);
                ref byte p11 = ref Unsafe.Add(ref source, bottom + right);
                ref byte result = ref Unsafe.Add(ref destination, ((row * p.OutputWidth) + x) * channels);
                int c = 0;
                if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
                {
                    var w = new Weights512(dy, wy, dx, wx);
                    for (; c <= channels - Vector512<byte>.Count; c += Vector512<byte>.Count)
                    {
                        ByteLanes.Widen(Vector512.LoadUnsafe(ref p00, (nuint)c), out var a0, out var a1, out var a2, out var a3);
                        ByteLanes.Widen(Vector512.LoadUnsafe(ref p10, (nuint)c), out var b0, out var b1, out var b2, out var b3);
                        ByteLanes.Widen(Vector512.LoadUnsafe(ref p01, (nuint)c), out var c0, out var c1, out var c2, out var c3);
                        ByteLanes.Widen(Vector512.LoadUnsafe(ref p11, (nuint)c), out var d0, out var d1, out var d2, out var d3);
                        ByteLanes.Narrow<byte>(w.Blend(a0, b0, c0, d0), w.Blend(a1, b1, c1, d1), w.Blend(a2, b2, c2, d2), w.Blend(a3, b3, c3, d3))
                            .StoreUnsafe(ref result, (nuint)c);
                    }
                }
                if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
                {
                    var w = new Weights256(dy, wy, dx, wx);
                    for (; c <= channels - Vector256<byte>.Count; c += Vector256<byte>.Count)
                    {
                        ByteLanes.Widen(Vector256.LoadUnsafe(ref p00, (nuint)c), out var a0, out var a1, out var a2, out var a3);
                        ByteLanes.Widen(Vector256.LoadUnsafe(ref p10, (nuint)c), out var b0, out var b1, out var b2, out var b3);
                        ByteLanes.Widen(Vector256.LoadUnsafe(ref p01, (nuint)c), out var c0, out var c1, out var c2, out var c3);
                        ByteLanes.Widen(Vector256.LoadUnsafe(ref p11, (nuint)c), out var d0, out var d1, out var d2, out var d3);
                        ByteLanes.Narrow<byte>(w.Blend(a0, b0, c0, d0), w.Blend(a1, b1, c1, d1), w.Blend(a2, b2, c2, d2), w.Blend(a3, b3, c3, d3))
                            .StoreUnsafe(ref result, (nuint)c);
                    }
                }
                if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
                {
                    var w = new Weights128(dy, wy, dx, wx);
                    for (; c <= channels - Vector128<byte>.Count; c += Vector128<byte>.Count)
                    {
                        ByteLanes.Widen(Vector128.LoadUnsafe(ref p00, (nuint)c), out var a0, out var a1, out var a2, out var a3);
                        ByteLanes.Widen(Vector128.LoadUnsafe(ref p10, (nuint)c), out var b0, out var b1, out var b2, out var b3);
                        ByteLanes.Widen(Vector128.LoadUnsafe(ref p01, (nuint)c), out var c0, out var c1, out var c2, out var c3);
                        ByteLanes.Widen(Vector128.LoadUnsafe(ref p11, (nuint)c), out var d0, out var d1, out var d2, out var d3);
                        ByteLanes.Narrow<byte>(w.Blend(a0, b0, c0, d0), w.Blend(a1, b1, c1, d1), w.Blend(a2, b2, c2, d2), w.Blend(a3, b3, c3, d3))
                            .StoreUnsafe(ref result, (nuint)c);
                    }
                    for (; c <= channels - 4; c += 4)
                    {
                        ByteLanes.StoreFour(w.Blend(ByteLanes.LoadFour(ref Unsafe.Add(ref p00, c)), ByteLanes.LoadFour(ref Unsafe.Add(ref p10, c)),
                            ByteLanes.LoadFour(ref Unsafe.Add(ref p01, c)), ByteLanes.LoadFour(ref Unsafe.Add(ref p11, c))), ref Unsafe.Add(ref result, c));
                    }
                }
                for (; c < channels; c++)
                {
                    float value = (Unsafe.Add(ref p00, c) * wy * wx) + (Unsafe.Add(ref p10, c) * dy * wx)
                        + (Unsafe.Add(ref p01, c) * wy * dx) + (Unsafe.Add(ref p11, c) * dy * dx);
                    Unsafe.Add(ref result, c) = (byte)Math.Clamp((int)(value + 0.5f), byte.MinValue, byte.MaxValue);
                }
            }
        }
    }

    /// <summary>
    /// QS8 (requires <see cref="ResizeBilinearPlan.FitsInt32"/>): per int32 lane
    /// <c>s = q00·(1024−dy)(1024−dx) + q10·dy(1024−dx) + q01·(1024−dy)dx + q11·dy·dx</c> (exact, so the order is free), then
    /// <c>sign(s) · ((|s| + 2^19) &gt;&gt; 20)</c> (the reference's division by 2^20 rounding half away from zero), clamped to
    /// [−128, 127]. A block of N values widens to four int32 vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QS8(ReadOnlySpan<sbyte> input, Span<sbyte> output, ResizeBilinearPlan plan, VectorTier tier, int firstRow, int endRow)
    {
        var p = plan.Parameters;
        p.CheckLengths(input.Length, output.Length);
        if (!plan.FitsInt32) throw new ArgumentException("The fixed-point blend of this resize does not fit int32.", nameof(plan));
        int channels = p.Channels;
        ref sbyte source = ref MemoryMarshal.GetReference(input);
        ref sbyte destination = ref MemoryMarshal.GetReference(output);
        for (int row = firstRow; row < endRow; row++)
        {
            int batch = row / p.OutputHeight, y = row - (batch * p.OutputHeight);
            int dy = plan.Rows.FixedWeight[y];
            int top = ((batch * p.InputHeight) + plan.Rows.Lower[y]) * p.InputWidth * channels;
            int bottom = ((batch * p.InputHeight) + plan.Rows.Upper[y]) * p.InputWidth * channels;
            for (int x = 0; x < p.OutputWidth; x++)
            {
                int dx = plan.Columns.FixedWeight[x];
                int w00 = (1024 - dy) * (1024 - dx), w10 = dy * (1024 - dx), w01 = (1024 - dy) * dx, w11 = dy * dx;
                int left = plan.Columns.Lower[x] * channels, right = plan.Columns.Upper[x] * channels;
                ref sbyte p00 = ref Unsafe.Add(ref source, top + left);
                ref sbyte p10 = ref Unsafe.Add(ref source, bottom + left);
                ref sbyte p01 = ref Unsafe.Add(ref source, top + right);
                ref sbyte p11 = ref Unsafe.Add(ref source, bottom + right);
                ref sbyte result = ref Unsafe.Add(ref destination, ((row * p.OutputWidth) + x) * channels);
                int c = 0;
                if (Vector512.IsHardwareAccelerated && tier >= VectorTier.Vector512)
                {
                    var w = new FixedWeights512(w00, w10, w01, w11);
                    for (; c <= channels - Vector512<sbyte>.Count; c += Vector512<sbyte>.Count)
                    {
                        ByteLanes.Widen(Vector512.LoadUnsafe(ref p00, (nuint)c), out var a0, out var a1, out var a2, out var a3);
                        ByteLanes.Widen(Vector512.LoadUnsafe(ref p10, (nuint)c), out var b0, out var b1, out var b2, out var b3);
                        ByteLanes.Widen(Vector512.LoadUnsafe(ref p01, (nuint)c), out var c0, out var c1, out var c2, out var c3);
                        ByteLanes.Widen(Vector512.LoadUnsafe(ref p11, (nuint)c), out var d0, out var d1, out var d2, out var d3);
                        ByteLanes.Narrow<sbyte>(w.Blend(a0, b0, c0, d0), w.Blend(a1, b1, c1, d1), w.Blend(a2, b2, c2, d2), w.Blend(a3, b3, c3, d3))
                            .StoreUnsafe(ref result, (nuint)c);
                    }
                }
                if (Vector256.IsHardwareAccelerated && tier >= VectorTier.Vector256)
                {
                    var w = new FixedWeights256(w00, w10, w01, w11);
                    for (; c <= channels - Vector256<sbyte>.Count; c += Vector256<sbyte>.Count)
                    {
                        ByteLanes.Widen(Vector256.LoadUnsafe(ref p00, (nuint)c), out var a0, out var a1, out var a2, out var a3);
                        ByteLanes.Widen(Vector256.LoadUnsafe(ref p10, (nuint)c), out var b0, out var b1, out var b2, out var b3);
                        ByteLanes.Widen(Vector256.LoadUnsafe(ref p01, (nuint)c), out var c0, out var c1, out var c2, out var c3);
                        ByteLanes.Widen(Vector256.LoadUnsafe(ref p11, (nuint)c), out var d0, out var d1, out var d2, out var d3);
                        ByteLanes.Narrow<sbyte>(w.Blend(a0, b0, c0, d0), w.Blend(a1, b1, c1, d1), w.Blend(a2, b2, c2, d2), w.Blend(a3, b3, c3, d3))
                            .StoreUnsafe(ref result, (nuint)c);
                    }
                }
                if (Vector128.IsHardwareAccelerated && tier >= VectorTier.Vector128)
                {
                    var w = new FixedWeights128(w00, w10, w01, w11);
                    for (; c <= channels - Vector128<sbyte>.Count; c += Vector128<sbyte>.Count)
                    {
                        ByteLanes.Widen(Vector128.LoadUnsafe(ref p00, (nuint)c), out var a0, out var a1, out var a2, out var a3);
                        ByteLanes.Widen(Vector128.LoadUnsafe(ref p10, (nuint)c), out var b0, out var b1, out var b2, out var b3);
                        ByteLanes.Widen(Vector128.LoadUnsafe(ref p01, (nuint)c), out var c0, out var c1, out var c2, out var c3);
                        ByteLanes.Widen(Vector128.LoadUnsafe(ref p11, (nuint)c), out var d0, out var d1, out var d2, out var d3);
                        ByteLanes.Narrow<sbyte>(w.Blend(a0, b0, c0, d0), w.Blend(a1, b1, c1, d1), w.Blend(a2, b2, c2, d2), w.Blend(a3, b3, c3, d3))
                            .StoreUnsafe(ref result, (nuint)c);
                    }
                    for (; c <= channels - 4; c += 4)
                    {
                        ByteLanes.StoreFour(w.Blend(ByteLanes.LoadFour(ref Unsafe.Add(ref p00, c)), ByteLanes.LoadFour(ref Unsafe.Add(ref p10, c)),
                            ByteLanes.LoadFour(ref Unsafe.Add(ref p01, c)), ByteLanes.LoadFour(ref Unsafe.Add(ref p11, c))), ref Unsafe.Add(ref result, c));
                    }
                }
                for (; c < channels; c++)
                {
                    int sum = (Unsafe.Add(ref p00, c) * w00) + (Unsafe.Add(ref p10, c) * w10) + (Unsafe.Add(ref p01, c) * w01) + (Unsafe.Add(ref p11, c) * w11);
                    int rounded = (Math.Abs(sum) + (1 << 19)) >> 20;
                    Unsafe.Add(ref result, c) = (sbyte)Math.Clamp(sum < 0 ? -rounded : rounded, sbyte.MinValue, sbyte.MaxValue);
                }
            }
        }
    }

    /// <summary>The float blend weights of one output pixel, splatted; <see cref="Blend"/> adds 0.5 and truncates to int32, clamped to [0, 255].</summary>
    private readonly struct Weights512(float dy, float wy, float dx, float wx)
    {
        private readonly Vector512<float> _dy = Vector512.Create(dy), _wy = Vector512.Create(wy), _dx = Vector512.Create(dx), _wx = Vector512.Create(wx);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<int> Blend(Vector512<int> p00, Vector512<int> p10, Vector512<int> p01, Vector512<int> p11)
        {
            var value = ((Vector512.ConvertToSingle(p00) * _wy) * _wx) + ((Vector512.ConvertToSingle(p10) * _dy) * _wx)
                + ((Vector512.ConvertToSingle(p01) * _wy) * _dx) + ((Vector512.ConvertToSingle(p11) * _dy) * _dx);
            return Vector512.Min(Vector512.Max(Vector512.ConvertToInt32(value + Vector512.Create(0.5f)), Vector512<int>.Zero), Vector512.Create(255));
        }
    }

    /// <inheritdoc cref="Weights512"/>
    private readonly struct Weights256(float dy, float wy, float dx, float wx)
    {
        private readonly Vector256<float> _dy = Vector256.Create(dy), _wy = Vector256.Create(wy), _dx = Vector256.Create(dx), _wx = Vector256.Create(wx);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Blend(Vector256<int> p00, Vector256<int> p10, Vector256<int> p01, Vector256<int> p11)
        {
            var value = ((Vector256.ConvertToSingle(p00) * _wy) * _wx) + ((Vector256.ConvertToSingle(p10) * _dy) * _wx)
                + ((Vector256.ConvertToSingle(p01) * _wy) * _dx) + ((Vector256.ConvertToSingle(p11) * _dy) * _dx);
            return Vector256.Min(Vector256.Max(Vector256.ConvertToInt32(value + Vector256.Create(0.5f)), Vector256<int>.Zero), Vector256.Create(255));
        }
    }

    /// <inheritdoc cref="Weights512"/>
    private readonly struct Weights128(float dy, float wy, float dx, float wx)
    {
        private readonly Vector128<float> _dy = Vector128.Create(dy), _wy = Vector128.Create(wy), _dx = Vector128.Create(dx), _wx = Vector128.Create(wx);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<int> Blend(Vector128<int> p00, Vector128<int> p10, Vector128<int> p01, Vector128<int> p11)
        {
            var value = ((Vector128.ConvertToSingle(p00) * _wy) * _wx) + ((Vector128.ConvertToSingle(p10) * _dy) * _wx)
                + ((Vector128.ConvertToSingle(p01) * _wy) * _dx) + ((Vector128.ConvertToSingle(p11) * _dy) * _dx);
            return Vector128.Min(Vector128.Max(Vector128.ConvertToInt32(value + Vector128.Create(0.5f)), Vector128<int>.Zero), Vector128.Create(255));
        }
    }

    /// <summary>The four fixed-point weights of one output pixel, splatted; <see cref="Blend"/> rounds by 2^20 and clamps to int8.</summary>
    private readonly struct FixedWeights512(int w00, int w10, int w01, int w11)
    {
        private readonly Vector512<int> _w00 = Vector512.Create(w00), _w10 = Vector512.Create(w10), _w01 = Vector512.Create(w01), _w11 = Vector512.Create(w11);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<int> Blend(Vector512<int> p00, Vector512<int> p10, Vector512<int> p01, Vector512<int> p11)
        {
            var sum = (p00 * _w00) + (p10 * _w10) + (p01 * _w01) + (p11 * _w11);
            var rounded = Vector512.ShiftRightArithmetic(Vector512.Abs(sum) + Vector512.Create(1 << 19), 20);
            var signed = Vector512.ConditionalSelect(Vector512.LessThan(sum, Vector512<int>.Zero), -rounded, rounded);
            return Vector512.Min(Vector512.Max(signed, Vector512.Create((int)sbyte.MinValue)), Vector512.Create((int)sbyte.MaxValue));
        }
    }

    /// <inheritdoc cref="FixedWeights512"/>
    private readonly struct FixedWeights256(int w00, int w10, int w01, int w11)
    {
        private readonly Vector256<int> _w00 = Vector256.Create(w00), _w10 = Vector256.Create(w10), _w01 = Vector256.Create(w01), _w11 = Vector256.Create(w11);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Blend(Vector256<int> p00, Vector256<int> p10, Vector256<int> p01, Vector256<int> p11)
        {
            var sum = (p00 * _w00) + (p10 * _w10) + (p01 * _w01) + (p11 * _w11);
            var rounded = Vector256.ShiftRightArithmetic(Vector256.Abs(sum) + Vector256.Create(1 << 19), 20);
            var signed = Vector256.ConditionalSelect(Vector256.LessThan(sum, Vector256<int>.Zero), -rounded, rounded);
            return Vector256.Min(Vector256.Max(signed, Vector256.Create((int)sbyte.MinValue)), Vector256.Create((int)sbyte.MaxValue));
        }
    }

    /// <inheritdoc cref="FixedWeights512"/>
    private readonly struct FixedWeights128(int w00, int w10, int w01, int w11)
    {
        private readonly Vector128<int> _w00 = Vector128.Create(w00), _w10 = Vector128.Create(w10), _w01 = Vector128.Create(w01), _w11 = Vector128.Create(w11);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<int> Blend(Vector128<int> p00, Vector128<int> p10, Vector128<int> p01, Vector128<int> p11)
        {
            var sum = (p00 * _w00) + (p10 * _w10) + (p01 * _w01) + (p11 * _w11);
            var rounded = Vector128.ShiftRightArithmetic(Vector128.Abs(sum) + Vector128.Create(1 << 19), 20);
            var signed = Vector128.ConditionalSelect(Vector128.LessThan(sum, Vector128<int>.Zero), -rounded, rounded);
            return Vector128.Min(Vector128.Max(signed, Vector128.Create((int)sbyte.MinValue)), Vector128.Create((int)sbyte.MaxValue));
        }
    }
}
