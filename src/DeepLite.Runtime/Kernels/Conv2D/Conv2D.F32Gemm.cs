using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// One SIMD register of float32 lanes for <see cref="Conv2DF32Gemm"/>: the operations its microkernels use.
/// Implemented by <see cref="Conv2DF32Lanes512"/>, <see cref="Conv2DF32Lanes256"/>, <see cref="Conv2DF32Lanes128"/>
/// and <see cref="Conv2DF32Lanes1"/> (scalar); the JIT specializes each microkernel per implementation.
/// </summary>
internal unsafe interface IConv2DF32Lanes<TSelf> where TSelf : unmanaged, IConv2DF32Lanes<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Load(float* source);
    static abstract TSelf Broadcast(float value);
    /// <summary><c>a · b + c</c>, fused where the hardware has FMA (one rounding), else multiply then add.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
    /// <summary><c>min(max(value + bias, low), high)</c> lane-wise.</summary>
    static abstract TSelf AddClamp(TSelf value, TSelf bias, TSelf low, TSelf high);
    static abstract void Store(TSelf value, float* destination);
}

internal unsafe struct Conv2DF32Lanes512 : IConv2DF32Lanes<Conv2DF32Lanes512>
{
    private Vector512<float> _v;
    public static int Count => Vector512<float>.Count;
    public static Conv2DF32Lanes512 Load(float* source) => new() { _v = Vector512.Load(source) };
    public static Conv2DF32Lanes512 Broadcast(float value) => new() { _v = Vector512.Create(value) };
    public static Conv2DF32Lanes512 MultiplyAdd(Conv2DF32Lanes512 a, Conv2DF32Lanes512 b, Conv2DF32Lanes512 c) => new() { _v = Vector512.FusedMultiplyAdd(a._v, b._v, c._v) };
    public static Conv2DF32Lanes512 AddClamp(Conv2DF32Lanes512 value, Conv2DF32Lanes512 bias, Conv2DF32Lanes512 low, Conv2DF32Lanes512 high) =>
        new() { _v = Vector512.MinNative(Vector512.MaxNative(value._v + bias._v, low._v), high._v) };
    public static void Store(Conv2DF32Lanes512 value, float* destination) => value._v.Store(destination);
}

internal unsafe struct Conv2DF32Lanes256 : IConv2DF32Lanes<Conv2DF32Lanes256>
{
    private Vector256<float> _v;
    public static int Count => Vector256<float>.Count;
    public static Conv2DF32Lanes256 Load(float* source) => new() { _v = Vector256.Load(source) };
    public static Conv2DF32Lanes256 Broadcast(float value) => new() { _v = Vector256.Create(value) };
    public static Conv2DF32Lanes256 MultiplyAdd(Conv2DF32Lanes256 a, Conv2DF32Lanes256 b, Conv2DF32Lanes256 c) => new() { _v = Vector256.MultiplyAddEstimate(a._v, b._v, c._v) };
    public static Conv2DF32Lanes256 AddClamp(Conv2DF32Lanes256 value, Conv2DF32Lanes256 bias, Conv2DF32Lanes256 low, Conv2DF32Lanes256 high) =>
        new() { _v = Vector256.MinNative(Vector256.MaxNative(value._v + bias._v, low._v), high._v) };
    public static void Store(Conv2DF32Lanes256 value, float* destination) => value._v.Store(destination);
}

internal unsafe struct Conv2DF32Lanes128 : IConv2DF32Lanes<Conv2DF32Lanes128>
{
    private Vector128<float> _v;
    public static int Count => Vector128<float>.Count;
    public static Conv2DF32Lanes128 Load(float* source) => new() { _v = Vector128.Load(source) };
    public static Conv2DF32Lanes128 Broadcast(float value) => new() { _v = Vector128.Create(value) };
    public static Conv2DF32Lanes128 MultiplyAdd(Conv2DF32Lanes128 a, Conv2DF32Lanes128 b, Conv2DF32Lanes128 c) => new() { _v = Vector128.MultiplyAddEstimate(a._v, b._v, c._v) };
    public static Conv2DF32Lanes128 AddClamp(Conv2DF32Lanes128 value, Conv2DF32Lanes128 bias, Conv2DF32Lanes128 low, Conv2DF32Lanes128 high) =>
        new() { _v = Vector128.MinNative(Vector128.MaxNative(value._v + bias._v, low._v), high._v) };
    public static void Store(Conv2DF32Lanes128 value, float* destination) => value._v.Store(destination);
}

/// <summary>One float: the scalar rung, the same microkernels without SIMD.</summary>
internal unsafe struct Conv2DF32Lanes1 : IConv2DF32Lanes<Conv2DF32Lanes1>
{
    private float _v;
    public static int Count => 1;
    public static Conv2DF32Lanes1 Load(float* source) => new() { _v = *source };
    public static Conv2DF32Lanes1 Broadcast(float value) => new() { _v = value };
    public static Conv2DF32Lanes1 MultiplyAdd(Conv2DF32Lanes1 a, Conv2DF32Lanes1 b, Conv2DF32Lanes1 c) => new() { _v = (a._v * b._v) + c._v };
    public static Conv2DF32Lanes1 AddClamp(Conv2DF32Lanes1 value, Conv2DF32Lanes1 bias, Conv2DF32Lanes1 low, Conv2DF32Lanes1 high) =>
        new() { _v = Math.Min(Math.Max(value._v + bias._v, low._v), high._v) };
    public static void Store(Conv2DF32Lanes1 value, float* destination) => *destination = value._v;
}

/// <summary>
/// Per-channel-block values of a float GEMM call: the block's packed weights and bias (padded to the block width),
/// how many channels are real, and the fused activation's clamp.
/// </summary>
internal readonly unsafe struct Conv2DF32Block(int column, float* weights, int stride, float* bias, int columns, float low, float high)
{
    /// <summary>The block's first output channel (offset from a tile's output pointers).</summary>
    public readonly nint Column = column;
    public readonly float* Weights = weights;
    /// <summary>Floats per depth position in the packed block (its width).</summary>
    public readonly int Stride = stride;
    public readonly float* Bias = bias;
    public readonly int Columns = columns;
    public readonly float Low = low;
    public readonly float High = high;
}

/// <summary>
/// Float32 GEMM microkernels of CONV_2D: <c>out[r, c] = clamp(Σ_k A_r[k] · W[k, c] + bias[c], Low, High)</c>.
/// </summary>
/// <remarks>
/// <para><b>Weights layout</b> (see <see cref="Pack"/>): blocks of <c>2·L</c> output channels (<c>L</c> = lanes per
/// register: 16, 8, 4 or 1); inside a block, for each depth position k, the <c>2·L</c> weights of the block's
/// channels in order. Channels past the output depth hold 0 weights and 0 bias.</para>
/// <para><b>Register tile</b>: 4 rows × 2 registers (8 accumulators). Per depth position the kernel loads the two
/// weight registers, broadcasts each row's input value and multiply-adds. Sums run over k in order from 0 and
/// the bias is added last, like <see cref="Conv2DReference.F32"/>; with FMA each step rounds once instead of twice,
/// so results differ from the reference by rounding only.</para>
/// <para><b>Tails</b>: a block with no more real channels than one register uses the 4 × 1 tile, possibly with a
/// narrower register type that reads only the first lanes of each depth position (<see cref="Conv2DF32Block.Stride"/>
/// keeps the block's width); registers with fewer real channels than lanes are stored through a stack buffer.</para>
/// </remarks>
[SkipLocalsInit]
internal static unsafe class Conv2DF32Gemm
{
    /// <summary>Output channels per packed block for lanes <typeparamref name="TLanes"/>.</summary>
    public static int BlockWidth<TLanes>() where TLanes : unmanaged, IConv2DF32Lanes<TLanes> => 2 * TLanes.Count;

    public static int BlockCount(int channels, int blockWidth) => (channels + blockWidth - 1) / blockWidth;

    /// <summary>Packs <c>filter[c, k]</c> (row-major <c>[channels, depth]</c>) and the bias into the block layout above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(ReadOnlySpan<float> filter, ReadOnlySpan<float> bias, int channels, int depth, int blockWidth,
        Span<float> packedWeights, Span<float> packedBias)
    {
        packedWeights.Clear();
        packedBias.Clear();
        for (int c = 0; c < channels; c++)
        {
            int block = c / blockWidth, lane = c % blockWidth;
            var row = filter.Slice(c * depth, depth);
            int start = block * depth * blockWidth;
            for (int k = 0; k < depth; k++) packedWeights[start + (k * blockWidth) + lane] = row[k];
            if (!bias.IsEmpty) packedBias[c] = bias[c];
        }
    }

    /// <summary>4 rows × 2 registers of channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm4x2<TLanes>(ref Conv2DTile tile, int depth, in Conv2DF32Block block)
        where TLanes : unmanaged, IConv2DF32Lanes<TLanes>
    {
        float* a0 = (float*)tile.A0, a1 = (float*)tile.A1, a2 = (float*)tile.A2, a3 = (float*)tile.A3;
        float* w = block.Weights;
        int width = block.Stride;
        TLanes acc00 = default, acc01 = default, acc10 = default, acc11 = default;
        TLanes acc20 = default, acc21 = default, acc30 = default, acc31 = default;
        for (nint k = 0; k < depth; k++)
        {
            var w0 = TLanes.Load(w);
            var w1 = TLanes.Load(w + TLanes.Count);
            w += width;
            var x = TLanes.Broadcast(a0[k]);
            acc00 = TLanes.MultiplyAdd(x, w0, acc00);
            acc01 = TLanes.MultiplyAdd(x, w1, acc01);
            x = TLanes.Broadcast(a1[k]);
            acc10 = TLanes.MultiplyAdd(x, w0, acc10);
            acc11 = TLanes.MultiplyAdd(x, w1, acc11);
            x = TLanes.Broadcast(a2[k]);
            acc20 = TLanes.MultiplyAdd(x, w0, acc20);
            acc21 = TLanes.MultiplyAdd(x, w1, acc21);
            x = TLanes.Broadcast(a3[k]);
            acc30 = TLanes.MultiplyAdd(x, w0, acc30);
            acc31 = TLanes.MultiplyAdd(x, w1, acc31);
        }
        // The sums leave registers here so the epilogue below does not make the JIT spill inside the loop.
        var sums = stackalloc TLanes[8];
        sums[0] = acc00; sums[1] = acc01; sums[2] = acc10; sums[3] = acc11;
        sums[4] = acc20; sums[5] = acc21; sums[6] = acc30; sums[7] = acc31;
        var bias0 = TLanes.Load(block.Bias);
        var bias1 = TLanes.Load(block.Bias + TLanes.Count);
        var low = TLanes.Broadcast(block.Low);
        var high = TLanes.Broadcast(block.High);
        Store((float*)tile.C0 + block.Column, TLanes.AddClamp(sums[0], bias0, low, high), TLanes.AddClamp(sums[1], bias1, low, high), block.Columns);
        Store((float*)tile.C1 + block.Column, TLanes.AddClamp(sums[2], bias0, low, high), TLanes.AddClamp(sums[3], bias1, low, high), block.Columns);
        Store((float*)tile.C2 + block.Column, TLanes.AddClamp(sums[4], bias0, low, high), TLanes.AddClamp(sums[5], bias1, low, high), block.Columns);
        Store((float*)tile.C3 + block.Column, TLanes.AddClamp(sums[6], bias0, low, high), TLanes.AddClamp(sums[7], bias1, low, high), block.Columns);
    }

    /// <summary>4 rows × 1 register: the first <c>TLanes.Count</c> channels of a block (for blocks with no more real
    /// channels; the register may be narrower than the block's lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm4x1<TLanes>(ref Conv2DTile tile, int depth, in Conv2DF32Block block)
        where TLanes : unmanaged, IConv2DF32Lanes<TLanes>
    {
        float* a0 = (float*)tile.A0, a1 = (float*)tile.A1, a2 = (float*)tile.A2, a3 = (float*)tile.A3;
        float* w = block.Weights;
        int width = block.Stride;
        TLanes acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (nint k = 0; k < depth; k++)
        {
            var w0 = TLanes.Load(w);
            w += width;
            acc0 = TLanes.MultiplyAdd(TLanes.Broadcast(a0[k]), w0, acc0);
            acc1 = TLanes.MultiplyAdd(TLanes.Broadcast(a1[k]), w0, acc1);
            acc2 = TLanes.MultiplyAdd(TLanes.Broadcast(a2[k]), w0, acc2);
            acc3 = TLanes.MultiplyAdd(TLanes.Broadcast(a3[k]), w0, acc3);
        }
        var sums = stackalloc TLanes[4];
        sums[0] = acc0; sums[1] = acc1; sums[2] = acc2; sums[3] = acc3;
        var bias0 = TLanes.Load(block.Bias);
        var low = TLanes.Broadcast(block.Low);
        var high = TLanes.Broadcast(block.High);
        Store((float*)tile.C0 + block.Column, TLanes.AddClamp(sums[0], bias0, low, high), block.Columns);
        Store((float*)tile.C1 + block.Column, TLanes.AddClamp(sums[1], bias0, low, high), block.Columns);
        Store((float*)tile.C2 + block.Column, TLanes.AddClamp(sums[2], bias0, low, high), block.Columns);
        Store((float*)tile.C3 + block.Column, TLanes.AddClamp(sums[3], bias0, low, high), block.Columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TLanes>(float* output, TLanes first, TLanes second, int columns)
        where TLanes : unmanaged, IConv2DF32Lanes<TLanes>
    {
        if (columns >= 2 * TLanes.Count)
        {
            TLanes.Store(first, output);
            TLanes.Store(second, output + TLanes.Count);
        }
        else if (columns >= TLanes.Count)
        {
            TLanes.Store(first, output);
            StorePartial(output + TLanes.Count, second, columns - TLanes.Count);
        }
        else
        {
            StorePartial(output, first, columns);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TLanes>(float* output, TLanes value, int columns)
        where TLanes : unmanaged, IConv2DF32Lanes<TLanes>
    {
        if (columns >= TLanes.Count) TLanes.Store(value, output);
        else StorePartial(output, value, columns);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StorePartial<TLanes>(float* output, TLanes value, int count)
        where TLanes : unmanaged, IConv2DF32Lanes<TLanes>
    {
        var lanes = stackalloc float[TLanes.Count];
        TLanes.Store(value, lanes);
        for (int i = 0; i < count; i++) output[i] = lanes[i];
    }
}
