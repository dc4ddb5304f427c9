using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace DeepLite.Runtime.Kernels;

/// <summary>Marks activations stored as uint8 (QU8): the GEMM reads them as they are.</summary>
internal struct Conv2DUInt8Activations;

/// <summary>Marks activations stored as int8 (QC8): the GEMM reads <c>x + 128</c> (the byte XOR 0x80) as uint8.</summary>
internal struct Conv2DInt8Activations;

/// <summary>
/// Per-channel-block values of a quantized GEMM call: the packed weights of one block of
/// <see cref="Conv2DQ8Gemm.BlockWidth"/> output channels, its int32 channel terms and float32 scales
/// (both padded to the block width), how many of the block's channels are real, and the requantization clamp.
/// </summary>
internal readonly unsafe struct Conv2DQ8Block(int column, sbyte* weights, int* channelTerms, float* scales, int columns,
    float low, float high, int outputZeroPoint, int outputMin)
{
    /// <summary>The block's first output channel (offset from a tile's output pointers).</summary>
    public readonly nint Column = column;
    public readonly sbyte* Weights = weights;
    public readonly int* ChannelTerms = channelTerms;
    public readonly float* Scales = scales;
    public readonly int Columns = columns;
    public readonly float Low = low;
    public readonly float High = high;
    public readonly int OutputZeroPoint = outputZeroPoint;
    /// <summary>Lowest stored output value (<c>Low + OutputZeroPoint</c>).</summary>
    public readonly int OutputMin = outputMin;
}

/// <summary>One rung's choice of quantized microkernel for a block; drivers are specialized per implementation.</summary>
internal interface IConv2DQ8Kernel
{
    static abstract void Run<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct;
}

/// <summary>AVX-VNNI: <see cref="Conv2DQ8Gemm.AvxVnni4x16"/>, or <see cref="Conv2DQ8Gemm.AvxVnni4x8"/> for blocks of at most 8 real channels.</summary>
internal struct Conv2DQ8AvxVnni : IConv2DQ8Kernel
{
    public static void Run<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        if (block.Columns <= 8) Conv2DQ8Gemm.AvxVnni4x8<TInput>(ref tile, depth, block);
        else Conv2DQ8Gemm.AvxVnni4x16<TInput>(ref tile, depth, block);
    }
}

/// <summary>AVX2 without VNNI: <see cref="Conv2DQ8Gemm.Avx2x4x8"/> on each half of the block that has real channels.</summary>
internal struct Conv2DQ8Avx2 : IConv2DQ8Kernel
{
    public static void Run<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        Conv2DQ8Gemm.Avx2x4x8<TInput>(ref tile, depth, block, 0);
        if (block.Columns > 8) Conv2DQ8Gemm.Avx2x4x8<TInput>(ref tile, depth, block, 1);
    }
}

/// <summary>Vector128: <see cref="Conv2DQ8Gemm.Vector128x4x4"/> on each quarter of the block that has real channels.</summary>
internal struct Conv2DQ8Vector128 : IConv2DQ8Kernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        for (int quarter = 0; quarter * 4 < block.Columns; quarter++) Conv2DQ8Gemm.Vector128x4x4<TInput>(ref tile, depth, block, quarter);
    }
}

/// <summary>Arm64 SDOT: <see cref="Conv2DQ8Gemm.AdvSimdDot4x16"/>, or <see cref="Conv2DQ8Gemm.AdvSimdDot4x8"/> for blocks of at most 8 real channels.</summary>
internal struct Conv2DQ8AdvSimdDot : IConv2DQ8Kernel
{
    public static void Run<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        if (block.Columns <= 8) Conv2DQ8Gemm.AdvSimdDot4x8<TInput>(ref tile, depth, block);
        else Conv2DQ8Gemm.AdvSimdDot4x16<TInput>(ref tile, depth, block);
    }
}

/// <summary>Arm64 without the dot-product extension: <see cref="Conv2DQ8Gemm.AdvSimd4x4"/> on each quarter of the block that has real channels.</summary>
internal struct Conv2DQ8AdvSimd : IConv2DQ8Kernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        for (int quarter = 0; quarter * 4 < block.Columns; quarter++) Conv2DQ8Gemm.AdvSimd4x4<TInput>(ref tile, depth, block, quarter);
    }
}

/// <summary>Scalar: <see cref="Conv2DQ8Gemm.Scalar4x16"/>.</summary>
internal struct Conv2DQ8Scalar : IConv2DQ8Kernel
{
    public static void Run<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct =>
        Conv2DQ8Gemm.Scalar4x16<TInput>(ref tile, depth, block);
}

/// <summary>
/// Quantized GEMM microkernels shared by the QU8 and QC8 paths of CONV_2D: uint8 activations × int8 weights
/// accumulated exactly in wrapping int32, then requantized with XNNPACK's float rule.
/// </summary>
/// <remarks>
/// <para><b>Weights layout</b> (see <see cref="Pack"/>): blocks of 16 output channels; inside a block, for each group of
/// 4 consecutive depth positions <c>k = 4g..4g+3</c>, 64 bytes <c>[c0k0 c0k1 c0k2 c0k3 c1k0 … c15k3]</c>. This is the
/// operand layout of <c>vpdpbusd</c>: int32 lane <c>j</c> of a 256-bit vector gathers channel <c>j</c>'s four weights.
/// Channels past the output depth and depth positions past <c>K</c> hold 0.</para>
/// <para><b>Arithmetic.</b> For one output pixel with activations <c>u[k]</c> (uint8: the stored byte for QU8,
/// the stored byte XOR 0x80 for QC8) and packed weights <c>v[c, k]</c>, a microkernel computes
/// <c>acc = Σ_k u[k]·v[c, k] + rowTerm + channelTerm[c]</c> in wrapping int32, then
/// <c>out = (int)round_half_even(clamp((float)acc · scale[c], Low, High)) + OutputZeroPoint</c>, stored as a uint8
/// (QU8) or int8 (QC8) byte. The scalar equivalent is <see cref="Scalar4x16"/>.</para>
/// <para><b>Signed activations (Arm64 SDOT).</b> SDOT multiplies int8 by int8, so <see cref="AdvSimdDot4x16"/> reads
/// <c>s = u − 128</c> (the stored byte XOR 0x80 for QU8, the stored byte as it is for QC8) and computes
/// <c>Σ_k s[k]·v[c, k]</c>. Since <c>Σ u·v = Σ s·v + 128·Σ_k v[c, k]</c> in wrapping int32, that rung's
/// <c>channelTerm[c]</c> also holds <c>128·Σ_k v[c, k]</c>, added when the weights are packed
/// (<see cref="SignedActivationCorrection"/>); its accumulator is then the same <c>acc</c> as above.</para>
/// <para>Every rung rounds with the processor's default round-to-nearest-even mode (<c>cvtps2dq</c>), exactly as
/// <c>MathF.Round(x, MidpointRounding.ToEven)</c>; products <c>u·v</c> fit int16 (|u·v| ≤ 255·128), so the
/// widening paths are exact.</para>
/// </remarks>
[SkipLocalsInit]
internal static unsafe class Conv2DQ8Gemm
{
    /// <summary>Output channels per packed weights block.</summary>
    public const int BlockWidth = 16;

    /// <summary>Bytes of one 4-deep group of a packed block.</summary>
    private const int GroupBytes = 4 * BlockWidth;

    /// <summary>Length of the packed weights for <paramref name="channels"/> outputs and depth <paramref name="depth"/> (rounded up to 4).</summary>
    public static int PackedLength(int channels, int depth) => BlockCount(channels) * PaddedDepth(depth) * BlockWidth;

    public static int BlockCount(int channels) => (channels + BlockWidth - 1) / BlockWidth;

    public static int PaddedDepth(int depth) => (depth + 3) & ~3;

    /// <summary>
    /// Packs <c>filter[c, k]</c> (row-major <c>[channels, depth]</c>) as <c>(sbyte)(filter[c, k] + weightShift)</c>
    /// into the block layout above; the padding is zeroed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack<T>(ReadOnlySpan<T> filter, int channels, int depth, int weightShift, Span<sbyte> packed)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        int paddedDepth = PaddedDepth(depth);
        packed.Clear();
        for (int c = 0; c < channels; c++)
        {
            int block = c / BlockWidth, lane = c % BlockWidth;
            var row = filter.Slice(c * depth, depth);
            // Channel c's 4-deep groups sit GroupBytes apart, starting at its lane's 4 bytes in the block.
            var destination = packed.Slice((block * paddedDepth * BlockWidth) + (lane * 4));
            int k = 0;
            for (int group = 0; k + 4 <= depth; k += 4, group += GroupBytes)
            {
                destination[group] = (sbyte)(int.CreateTruncating(row[k]) + weightShift);
                destination[group + 1] = (sbyte)(int.CreateTruncating(row[k + 1]) + weightShift);
                destination[group + 2] = (sbyte)(int.CreateTruncating(row[k + 2]) + weightShift);
                destination[group + 3] = (sbyte)(int.CreateTruncating(row[k + 3]) + weightShift);
            }
            for (int group = k / 4 * GroupBytes; k < depth; k++) destination[group + (k % 4)] = (sbyte)(int.CreateTruncating(row[k]) + weightShift);
        }
    }

    /// <summary>Σ of <paramref name="count"/> bytes as unsigned values (<c>psadbw</c> against zero where available).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int SumBytes(byte* bytes, int count)
    {
        int i = 0;
        ulong sum = 0;
        if (Sse2.IsSupported)
        {
            // uint64 lanes, each the sum of 8 bytes; then 8-byte and single-byte tails.
            if (Avx2.IsSupported && count >= 32)
            {
                var wide = Vector256<ulong>.Zero;
                for (; i + 32 <= count; i += 32) wide += Avx2.SumAbsoluteDifferences(Vector256.Load(bytes + i), Vector256<byte>.Zero).AsUInt64();
                sum = Vector256.Sum(wide);
            }
            var partial = Vector128<ulong>.Zero;
            for (; i + 16 <= count; i += 16) partial += Sse2.SumAbsoluteDifferences(Vector128.Load(bytes + i), Vector128<byte>.Zero).AsUInt64();
            if (i + 8 <= count)
            {
                partial += Sse2.SumAbsoluteDifferences(Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(bytes + i)).AsByte(), Vector128<byte>.Zero).AsUInt64();
                i += 8;
            }
            sum += Vector128.Sum(partial);
        }
        else if (AdvSimd.IsSupported)
        {
            // uint32 lanes, each the sum of 4 bytes per 16-byte step (uaddlp, then uadalp); a lane gains at most 1020
            // per step, and rows hold at most 2^24 bytes, so no lane wraps. The total wraps like the int32 result.
            var partial = Vector128<uint>.Zero;
            for (; i + 16 <= count; i += 16) partial = AdvSimd.AddPairwiseWideningAndAdd(partial, AdvSimd.AddPairwiseWidening(Vector128.Load(bytes + i)));
            sum = Vector128.Sum(partial);
        }
        for (; i < count; i++) sum += bytes[i];
        return (int)sum;
    }

    private static bool SignedActivations<TInput>() where TInput : struct => typeof(TInput) == typeof(Conv2DInt8Activations);

    /// <summary>The row's next four activations broadcast to every int32 lane, as uint8 (XOR 0x80 for int8 inputs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Broadcast256<TInput>(byte* row) where TInput : struct
    {
        var x = Vector256.Create(Unsafe.ReadUnaligned<int>(row)).AsByte();
        return SignedActivations<TInput>() ? x ^ Vector256.Create((byte)0x80) : x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Broadcast128<TInput>(byte* row) where TInput : struct
    {
        var x = Vector128.Create(Unsafe.ReadUnaligned<int>(row)).AsByte();
        return SignedActivations<TInput>() ? x ^ Vector128.Create((byte)0x80) : x;
    }

    /// <summary>
    /// AVX-VNNI, 4 rows × 16 channels. Registers: 8 int32x8 accumulators (row r, channels 0–7 and 8–15), two
    /// weight vectors per 4-deep group (32 bytes each: 8 channels × 4 depths) and one broadcast activation.
    /// <c>vpdpbusd</c> adds <c>Σ_{t&lt;4} u[4g+t]·v[c, 4g+t]</c> into lane c. Columns past
    /// <see cref="Conv2DQ8Block.Columns"/> are computed but not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvxVnni4x16<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        byte* a0 = tile.A0, a1 = tile.A1, a2 = tile.A2, a3 = tile.A3;
        sbyte* w = block.Weights;
        // Accumulators start at rowTerm + channelTerm[c].
        var terms0 = Vector256.Load(block.ChannelTerms);
        var terms1 = Vector256.Load(block.ChannelTerms + 8);
        var row = Vector256.Create(tile.Term0);
        Vector256<int> acc00 = terms0 + row, acc01 = terms1 + row;
        row = Vector256.Create(tile.Term1);
        Vector256<int> acc10 = terms0 + row, acc11 = terms1 + row;
        row = Vector256.Create(tile.Term2);
        Vector256<int> acc20 = terms0 + row, acc21 = terms1 + row;
        row = Vector256.Create(tile.Term3);
        Vector256<int> acc30 = terms0 + row, acc31 = terms1 + row;
        for (nint k = 0; k < depth; k += 4)
        {
            var w0 = Vector256.Load(w);
            var w1 = Vector256.Load(w + 32);
            w += GroupBytes;
            var x = Broadcast256<TInput>(a0 + k);
            acc00 = AvxVnni.MultiplyWideningAndAdd(acc00, x, w0);
            acc01 = AvxVnni.MultiplyWideningAndAdd(acc01, x, w1);
            x = Broadcast256<TInput>(a1 + k);
            acc10 = AvxVnni.MultiplyWideningAndAdd(acc10, x, w0);
            acc11 = AvxVnni.MultiplyWideningAndAdd(acc11, x, w1);
            x = Broadcast256<TInput>(a2 + k);
            acc20 = AvxVnni.MultiplyWideningAndAdd(acc20, x, w0);
            acc21 = AvxVnni.MultiplyWideningAndAdd(acc21, x, w1);
            x = Broadcast256<TInput>(a3 + k);
            acc30 = AvxVnni.MultiplyWideningAndAdd(acc30, x, w0);
            acc31 = AvxVnni.MultiplyWideningAndAdd(acc31, x, w1);
        }
        // The sums leave registers here so the requantization below does not make the JIT spill inside the loop.
        var sums = stackalloc Vector256<int>[8];
        sums[0] = acc00; sums[1] = acc01; sums[2] = acc10; sums[3] = acc11;
        sums[4] = acc20; sums[5] = acc21; sums[6] = acc30; sums[7] = acc31;
        StoreRows16<TInput>(tile.C0 + block.Column, tile.C1 + block.Column, sums, block);
        StoreRows16<TInput>(tile.C2 + block.Column, tile.C3 + block.Column, sums + 4, block);
    }

    /// <summary>AVX-VNNI, 4 rows × 8 channels: <see cref="AvxVnni4x16"/> on the first half of a block (for blocks with
    /// at most 8 real channels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AvxVnni4x8<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        byte* a0 = tile.A0, a1 = tile.A1, a2 = tile.A2, a3 = tile.A3;
        sbyte* w = block.Weights;
        var terms = Vector256.Load(block.ChannelTerms);
        Vector256<int> acc0 = terms + Vector256.Create(tile.Term0), acc1 = terms + Vector256.Create(tile.Term1);
        Vector256<int> acc2 = terms + Vector256.Create(tile.Term2), acc3 = terms + Vector256.Create(tile.Term3);
        for (nint k = 0; k < depth; k += 4)
        {
            var w0 = Vector256.Load(w);
            w += GroupBytes;
            acc0 = AvxVnni.MultiplyWideningAndAdd(acc0, Broadcast256<TInput>(a0 + k), w0);
            acc1 = AvxVnni.MultiplyWideningAndAdd(acc1, Broadcast256<TInput>(a1 + k), w0);
            acc2 = AvxVnni.MultiplyWideningAndAdd(acc2, Broadcast256<TInput>(a2 + k), w0);
            acc3 = AvxVnni.MultiplyWideningAndAdd(acc3, Broadcast256<TInput>(a3 + k), w0);
        }
        var sums = stackalloc Vector256<int>[4];
        sums[0] = acc0; sums[1] = acc1; sums[2] = acc2; sums[3] = acc3;
        StoreRows8<TInput>(ref tile, sums, block, 0);
    }

    /// <summary>
    /// AVX2 without VNNI, 4 rows × 8 channels (channels <c>8·half .. 8·half+7</c> of a block). Per 4-deep group the
    /// 32 weight bytes are sign-extended to two int16x16 vectors (channels 0–3 and 4–7, each channel's 4 depths
    /// adjacent) and the 4 activations zero-extended and repeated four times; <c>vpmaddwd</c> then leaves
    /// <c>[c0(k0+k1), c0(k2+k3), c1…, c1…, | c2…, c2…, c3…, c3…]</c> per accumulator. After the loop a horizontal
    /// add and a qword permute give <c>[c0 … c7]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx2x4x8<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block, int half) where TInput : struct
    {
        byte* a0 = tile.A0, a1 = tile.A1, a2 = tile.A2, a3 = tile.A3;
        sbyte* w = block.Weights + (half * 32);
        Vector256<int> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
        Vector256<int> lo2 = default, hi2 = default, lo3 = default, hi3 = default;
        for (nint k = 0; k < depth; k += 4)
        {
            var weights = Vector256.Load(w);
            w += GroupBytes;
            var wLo = Avx2.ConvertToVector256Int16(weights.GetLower());
            var wHi = Avx2.ConvertToVector256Int16(weights.GetUpper());
            var x = Avx2.ConvertToVector256Int16(Broadcast128<TInput>(a0 + k)).AsInt16();
            lo0 += Avx2.MultiplyAddAdjacent(wLo, x);
            hi0 += Avx2.MultiplyAddAdjacent(wHi, x);
            x = Avx2.ConvertToVector256Int16(Broadcast128<TInput>(a1 + k)).AsInt16();
            lo1 += Avx2.MultiplyAddAdjacent(wLo, x);
            hi1 += Avx2.MultiplyAddAdjacent(wHi, x);
            x = Avx2.ConvertToVector256Int16(Broadcast128<TInput>(a2 + k)).AsInt16();
            lo2 += Avx2.MultiplyAddAdjacent(wLo, x);
            hi2 += Avx2.MultiplyAddAdjacent(wHi, x);
            x = Avx2.ConvertToVector256Int16(Broadcast128<TInput>(a3 + k)).AsInt16();
            lo3 += Avx2.MultiplyAddAdjacent(wLo, x);
            hi3 += Avx2.MultiplyAddAdjacent(wHi, x);
        }
        var sums = stackalloc Vector256<int>[4];
        var terms = Vector256.Load(block.ChannelTerms + (half * 8));
        sums[0] = PairSums(lo0, hi0) + terms + Vector256.Create(tile.Term0);
        sums[1] = PairSums(lo1, hi1) + terms + Vector256.Create(tile.Term1);
        sums[2] = PairSums(lo2, hi2) + terms + Vector256.Create(tile.Term2);
        sums[3] = PairSums(lo3, hi3) + terms + Vector256.Create(tile.Term3);
        StoreRows8<TInput>(ref tile, sums, block, half);
    }

    /// <summary>Adds adjacent int32 pairs of <c>lo</c> (channels 0–3) and <c>hi</c> (4–7) into <c>[c0 … c7]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> PairSums(Vector256<int> lo, Vector256<int> hi) =>
        Avx2.Permute4x64(Avx2.HorizontalAdd(lo, hi).AsInt64(), 0b11_01_10_00).AsInt32();

    /// <summary>
    /// Vector128, 4 rows × 4 channels (channels <c>4·quarter .. 4·quarter+3</c> of a block): the 16 weight bytes of a
    /// group are sign-extended to int16x8 (channels 0–1 and 2–3), multiplied with the zero-extended activations
    /// <c>[x0 x1 x2 x3 x0 x1 x2 x3]</c> and adjacent products summed (<see cref="MultiplyAddAdjacent"/>), leaving
    /// <c>[c0, c0, c1, c1]</c> and <c>[c2, c2, c3, c3]</c> partial sums; pairs are added after the loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Vector128x4x4<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block, int quarter) where TInput : struct
    {
        byte* a0 = tile.A0, a1 = tile.A1, a2 = tile.A2, a3 = tile.A3;
        sbyte* w = block.Weights + (quarter * 16);
        Vector128<int> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
        Vector128<int> lo2 = default, hi2 = default, lo3 = default, hi3 = default;
        for (nint k = 0; k < depth; k += 4)
        {
            var weights = Vector128.Load(w);
            w += GroupBytes;
            var wLo = Vector128.WidenLower(weights);
            var wHi = Vector128.WidenUpper(weights);
            var x = Vector128.WidenLower(Broadcast128<TInput>(a0 + k)).AsInt16();
            lo0 += MultiplyAddAdjacent(wLo, x);
            hi0 += MultiplyAddAdjacent(wHi, x);
            x = Vector128.WidenLower(Broadcast128<TInput>(a1 + k)).AsInt16();
            lo1 += MultiplyAddAdjacent(wLo, x);
            hi1 += MultiplyAddAdjacent(wHi, x);
            x = Vector128.WidenLower(Broadcast128<TInput>(a2 + k)).AsInt16();
            lo2 += MultiplyAddAdjacent(wLo, x);
            hi2 += MultiplyAddAdjacent(wHi, x);
            x = Vector128.WidenLower(Broadcast128<TInput>(a3 + k)).AsInt16();
            lo3 += MultiplyAddAdjacent(wLo, x);
            hi3 += MultiplyAddAdjacent(wHi, x);
        }
        var sums = stackalloc Vector128<int>[4];
        sums[0] = PairSums(lo0, hi0); sums[1] = PairSums(lo1, hi1); sums[2] = PairSums(lo2, hi2); sums[3] = PairSums(lo3, hi3);
        Store4(tile.C0 + block.Column, sums[0], tile.Term0, block, quarter);
        Store4(tile.C1 + block.Column, sums[1], tile.Term1, block, quarter);
        Store4(tile.C2 + block.Column, sums[2], tile.Term2, block, quarter);
        Store4(tile.C3 + block.Column, sums[3], tile.Term3, block, quarter);
    }

    /// <summary>
    /// <c>pmaddwd</c>: int32 lane i = <c>x[2i]·y[2i] + x[2i+1]·y[2i+1]</c>. The portable form splits each int32 lane
    /// into its sign-extended low and high int16 halves; it is exact whenever the sum fits int32 (always for u8·s8 products).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> MultiplyAddAdjacent(Vector128<short> x, Vector128<short> y)
    {
        if (Sse2.IsSupported) return Sse2.MultiplyAddAdjacent(x, y);
        return PortableMultiplyAddAdjacent(x, y);
    }

    /// <summary>The portable form of <see cref="MultiplyAddAdjacent"/> (used where SSE2 is absent; tested directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> PortableMultiplyAddAdjacent(Vector128<short> x, Vector128<short> y)
    {
        var xi = x.AsInt32();
        var yi = y.AsInt32();
        var even = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(xi, 16), 16) * Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(yi, 16), 16);
        var odd = Vector128.ShiftRightArithmetic(xi, 16) * Vector128.ShiftRightArithmetic(yi, 16);
        return even + odd;
    }

    /// <summary><c>[lo0+lo1, lo2+lo3, hi0+hi1, hi2+hi3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> PairSums(Vector128<int> lo, Vector128<int> hi)
    {
        if (Ssse3.IsSupported) return Ssse3.HorizontalAdd(lo, hi);
        return Vector128.Create(lo.GetElement(0) + lo.GetElement(1), lo.GetElement(2) + lo.GetElement(3),
            hi.GetElement(0) + hi.GetElement(1), hi.GetElement(2) + hi.GetElement(3));
    }

    /// <summary>
    /// <c>128·Σ_k v[c, k]</c> over one channel's packed weights <c>v = w + weightShift</c> (wrapping int32): the term
    /// that makes <c>Σ s·v</c> with <c>s = u − 128</c> equal <c>Σ u·v</c> (see the class remarks).
    /// </summary>
    public static int SignedActivationCorrection<T>(ReadOnlySpan<T> channelWeights, int weightShift)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        int sum = 0;
        foreach (var w in channelWeights) sum += (sbyte)(int.CreateTruncating(w) + weightShift);
        return 128 * sum;
    }

    /// <summary>The row's next four activations as <c>s = u − 128</c>, broadcast to every int32 lane: the stored
    /// byte XOR 0x80 for uint8 inputs, the stored byte for int8 inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> BroadcastSigned128<TInput>(byte* row) where TInput : struct
    {
        var x = Vector128.Create(Unsafe.ReadUnaligned<int>(row)).AsSByte();
        return SignedActivations<TInput>() ? x : x ^ Vector128.Create(sbyte.MinValue);
    }

    /// <summary>
    /// Arm64 SDOT, 4 rows × 16 channels. Registers: 16 int32x4 accumulators (row r, channels 4j..4j+3), four weight
    /// vectors per 4-deep group (16 bytes each: 4 channels × 4 depths, so int32 lane i holds channel 4j+i's four
    /// weights) and one broadcast activation. <c>sdot</c> adds <c>Σ_{t&lt;4} s[4g+t]·v[c, 4g+t]</c> into lane c, with
    /// signed activations <c>s = u − 128</c>; the block's channel terms carry the <c>128·Σ v</c> that restores
    /// <c>Σ u·v</c>. The depth is a multiple of 4 (padding weights are 0), so there is no tail. Columns past
    /// <see cref="Conv2DQ8Block.Columns"/> are computed but not stored. Scalar equivalent: <see cref="Scalar4x16"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdvSimdDot4x16<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        byte* a0 = tile.A0, a1 = tile.A1, a2 = tile.A2, a3 = tile.A3;
        sbyte* w = block.Weights;
        Vector128<int> acc00 = default, acc01 = default, acc02 = default, acc03 = default;
        Vector128<int> acc10 = default, acc11 = default, acc12 = default, acc13 = default;
        Vector128<int> acc20 = default, acc21 = default, acc22 = default, acc23 = default;
        Vector128<int> acc30 = default, acc31 = default, acc32 = default, acc33 = default;
        for (nint k = 0; k < depth; k += 4)
        {
            var w0 = Vector128.Load(w);
            var w1 = Vector128.Load(w + 16);
            var w2 = Vector128.Load(w + 32);
            var w3 = Vector128.Load(w + 48);
            w += GroupBytes;
            var x = BroadcastSigned128<TInput>(a0 + k);
            acc00 = Dp.DotProduct(acc00, x, w0);
            acc01 = Dp.DotProduct(acc01, x, w1);
            acc02 = Dp.DotProduct(acc02, x, w2);
            acc03 = Dp.DotProduct(acc03, x, w3);
            x = BroadcastSigned128<TInput>(a1 + k);
            acc10 = Dp.DotProduct(acc10, x, w0);
            acc11 = Dp.DotProduct(acc11, x, w1);
            acc12 = Dp.DotProduct(acc12, x, w2);
            acc13 = Dp.DotProduct(acc13, x, w3);
            x = BroadcastSigned128<TInput>(a2 + k);
            acc20 = Dp.DotProduct(acc20, x, w0);
            acc21 = Dp.DotProduct(acc21, x, w1);
            acc22 = Dp.DotProduct(acc22, x, w2);
            acc23 = Dp.DotProduct(acc23, x, w3);
            x = BroadcastSigned128<TInput>(a3 + k);
            acc30 = Dp.DotProduct(acc30, x, w0);
            acc31 = Dp.DotProduct(acc31, x, w1);
            acc32 = Dp.DotProduct(acc32, x, w2);
            acc33 = Dp.DotProduct(acc33, x, w3);
        }
        // The sums leave registers here so the requantization below does not make the JIT spill inside the loop.
        var sums = stackalloc Vector128<int>[16];
        sums[0] = acc00; sums[1] = acc01; sums[2] = acc02; sums[3] = acc03;
        sums[4] = acc10; sums[5] = acc11; sums[6] = acc12; sums[7] = acc13;
        sums[8] = acc20; sums[9] = acc21; sums[10] = acc22; sums[11] = acc23;
        sums[12] = acc30; sums[13] = acc31; sums[14] = acc32; sums[15] = acc33;
        StoreRow16(tile.C0 + block.Column, sums, tile.Term0, block);
        StoreRow16(tile.C1 + block.Column, sums + 4, tile.Term1, block);
        StoreRow16(tile.C2 + block.Column, sums + 8, tile.Term2, block);
        StoreRow16(tile.C3 + block.Column, sums + 12, tile.Term3, block);
    }

    /// <summary>Arm64 SDOT, 4 rows × 8 channels: <see cref="AdvSimdDot4x16"/> on the first half of a block (for blocks
    /// with at most 8 real channels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdvSimdDot4x8<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        byte* a0 = tile.A0, a1 = tile.A1, a2 = tile.A2, a3 = tile.A3;
        sbyte* w = block.Weights;
        Vector128<int> acc00 = default, acc01 = default, acc10 = default, acc11 = default;
        Vector128<int> acc20 = default, acc21 = default, acc30 = default, acc31 = default;
        for (nint k = 0; k < depth; k += 4)
        {
            var w0 = Vector128.Load(w);
            var w1 = Vector128.Load(w + 16);
            w += GroupBytes;
            var x = BroadcastSigned128<TInput>(a0 + k);
            acc00 = Dp.DotProduct(acc00, x, w0);
            acc01 = Dp.DotProduct(acc01, x, w1);
            x = BroadcastSigned128<TInput>(a1 + k);
            acc10 = Dp.DotProduct(acc10, x, w0);
            acc11 = Dp.DotProduct(acc11, x, w1);
            x = BroadcastSigned128<TInput>(a2 + k);
            acc20 = Dp.DotProduct(acc20, x, w0);
            acc21 = Dp.DotProduct(acc21, x, w1);
            x = BroadcastSigned128<TInput>(a3 + k);
            acc30 = Dp.DotProduct(acc30, x, w0);
            acc31 = Dp.DotProduct(acc31, x, w1);
        }
        StoreRow8(tile.C0 + block.Column, acc00, acc01, tile.Term0, block);
        StoreRow8(tile.C1 + block.Column, acc10, acc11, tile.Term1, block);
        StoreRow8(tile.C2 + block.Column, acc20, acc21, tile.Term2, block);
        StoreRow8(tile.C3 + block.Column, acc30, acc31, tile.Term3, block);
    }

    /// <summary>
    /// Arm64 without SDOT, 4 rows × 4 channels (channels <c>4·quarter .. 4·quarter+3</c> of a block). Per 4-deep group
    /// the 16 weight bytes are sign-extended to int16x8 <c>[c0k0..c0k3, c1k0..c1k3]</c> and <c>[c2…, c3…]</c>, the 4
    /// activations (uint8 <c>u</c>) zero-extended to int16x8 <c>[x0..x3, x0..x3]</c>, and <c>smlal</c>/<c>smlal2</c>
    /// add the exact int32 products into accumulator (row r, channel c), whose lane t sums the depths <c>k ≡ t (mod 4)</c>.
    /// After the loop two rounds of pairwise adds give <c>[c0, c1, c2, c3]</c>. No tail: the depth is a multiple of 4.
    /// Scalar equivalent: <see cref="Scalar4x16"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdvSimd4x4<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block, int quarter) where TInput : struct
    {
        byte* a0 = tile.A0, a1 = tile.A1, a2 = tile.A2, a3 = tile.A3;
        sbyte* w = block.Weights + (quarter * 16);
        Vector128<int> acc00 = default, acc01 = default, acc02 = default, acc03 = default;
        Vector128<int> acc10 = default, acc11 = default, acc12 = default, acc13 = default;
        Vector128<int> acc20 = default, acc21 = default, acc22 = default, acc23 = default;
        Vector128<int> acc30 = default, acc31 = default, acc32 = default, acc33 = default;
        for (nint k = 0; k < depth; k += 4)
        {
            var weights = Vector128.Load(w);
            w += GroupBytes;
            var w01 = AdvSimd.SignExtendWideningLower(weights.GetLower());
            var w23 = AdvSimd.SignExtendWideningUpper(weights);
            Vector64<short> w0 = w01.GetLower(), w2 = w23.GetLower();
            var x = WidenActivations<TInput>(a0 + k);
            acc00 = AdvSimd.MultiplyWideningLowerAndAdd(acc00, w0, x.GetLower());
            acc01 = AdvSimd.MultiplyWideningUpperAndAdd(acc01, w01, x);
            acc02 = AdvSimd.MultiplyWideningLowerAndAdd(acc02, w2, x.GetLower());
            acc03 = AdvSimd.MultiplyWideningUpperAndAdd(acc03, w23, x);
            x = WidenActivations<TInput>(a1 + k);
            acc10 = AdvSimd.MultiplyWideningLowerAndAdd(acc10, w0, x.GetLower());
            acc11 = AdvSimd.MultiplyWideningUpperAndAdd(acc11, w01, x);
            acc12 = AdvSimd.MultiplyWideningLowerAndAdd(acc12, w2, x.GetLower());
            acc13 = AdvSimd.MultiplyWideningUpperAndAdd(acc13, w23, x);
            x = WidenActivations<TInput>(a2 + k);
            acc20 = AdvSimd.MultiplyWideningLowerAndAdd(acc20, w0, x.GetLower());
            acc21 = AdvSimd.MultiplyWideningUpperAndAdd(acc21, w01, x);
            acc22 = AdvSimd.MultiplyWideningLowerAndAdd(acc22, w2, x.GetLower());
            acc23 = AdvSimd.MultiplyWideningUpperAndAdd(acc23, w23, x);
            x = WidenActivations<TInput>(a3 + k);
            acc30 = AdvSimd.MultiplyWideningLowerAndAdd(acc30, w0, x.GetLower());
            acc31 = AdvSimd.MultiplyWideningUpperAndAdd(acc31, w01, x);
            acc32 = AdvSimd.MultiplyWideningLowerAndAdd(acc32, w2, x.GetLower());
            acc33 = AdvSimd.MultiplyWideningUpperAndAdd(acc33, w23, x);
        }
        Store4(tile.C0 + block.Column, ChannelSums(acc00, acc01, acc02, acc03), tile.Term0, block, quarter);
        Store4(tile.C1 + block.Column, ChannelSums(acc10, acc11, acc12, acc13), tile.Term1, block, quarter);
        Store4(tile.C2 + block.Column, ChannelSums(acc20, acc21, acc22, acc23), tile.Term2, block, quarter);
        Store4(tile.C3 + block.Column, ChannelSums(acc30, acc31, acc32, acc33), tile.Term3, block, quarter);
    }

    /// <summary>The row's next four activations as uint8 (XOR 0x80 for int8 inputs), zero-extended to int16 and repeated: <c>[x0 x1 x2 x3 x0 x1 x2 x3]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> WidenActivations<TInput>(byte* row) where TInput : struct
    {
        var x = Vector64.Create(Unsafe.ReadUnaligned<int>(row)).AsByte();
        if (SignedActivations<TInput>()) x ^= Vector64.Create((byte)0x80);
        return AdvSimd.ZeroExtendWideningLower(x).AsInt16();
    }

    /// <summary><c>[Σ c0, Σ c1, Σ c2, Σ c3]</c>: each accumulator's four lanes added (<c>addp</c> twice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> ChannelSums(Vector128<int> c0, Vector128<int> c1, Vector128<int> c2, Vector128<int> c3) =>
        AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(c0, c1), AdvSimd.Arm64.AddPairwise(c2, c3));

    /// <summary>
    /// Stores one row × 16 channels from <c>sums[0..3]</c> (channels 0–3, 4–7, 8–11, 12–15, without the row and
    /// channel terms): requantize each (<see cref="Requantize"/>), narrow int32 → int16 → bytes (the values are
    /// already in the output range, so narrowing keeps the stored byte), store the block's real columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow16(byte* output, Vector128<int>* sums, int rowTerm, in Conv2DQ8Block block)
    {
        var low = Vector128.Narrow(Requantize(sums[0], rowTerm, block, 0), Requantize(sums[1], rowTerm, block, 4));
        var high = Vector128.Narrow(Requantize(sums[2], rowTerm, block, 8), Requantize(sums[3], rowTerm, block, 12));
        var bytes = Vector128.Narrow(low, high).AsByte();
        if (block.Columns >= 16) bytes.Store(output);
        else StorePartial(output, bytes, block.Columns);
    }

    /// <summary>Stores one row × 8 channels from <c>first</c> (channels 0–3) and <c>second</c> (4–7), as <see cref="StoreRow16"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow8(byte* output, Vector128<int> first, Vector128<int> second, int rowTerm, in Conv2DQ8Block block)
    {
        var shorts = Vector128.Narrow(Requantize(first, rowTerm, block, 0), Requantize(second, rowTerm, block, 4));
        var bytes = Vector128.Narrow(shorts, shorts).AsByte();
        if (block.Columns >= 8) Unsafe.WriteUnaligned(output, bytes.AsUInt64().ToScalar());
        else StorePartial(output, bytes, block.Columns);
    }

    /// <summary>
    /// Scalar, 4 rows × 16 channels: the plain statement of what every microkernel computes (see the class remarks).
    /// </summary>
    public static void Scalar4x16<TInput>(ref Conv2DTile tile, int depth, in Conv2DQ8Block block) where TInput : struct
    {
        int flip = SignedActivations<TInput>() ? 0x80 : 0;
        ScalarRow(tile.A0, tile.C0 + block.Column, tile.Term0, depth, block, flip);
        ScalarRow(tile.A1, tile.C1 + block.Column, tile.Term1, depth, block, flip);
        ScalarRow(tile.A2, tile.C2 + block.Column, tile.Term2, depth, block, flip);
        ScalarRow(tile.A3, tile.C3 + block.Column, tile.Term3, depth, block, flip);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarRow(byte* row, byte* output, int rowTerm, int depth, in Conv2DQ8Block block, int flip)
    {
        for (int c = 0; c < block.Columns; c++)
        {
            int acc = rowTerm + block.ChannelTerms[c];
            for (int k = 0; k < depth; k++)
            {
                acc += (row[k] ^ flip) * block.Weights[(k / 4 * GroupBytes) + (c * 4) + (k % 4)];
            }
            float scaled = acc * block.Scales[c];
            scaled = Math.Min(Math.Max(scaled, block.Low), block.High);
            output[c] = (byte)((int)MathF.Round(scaled, MidpointRounding.ToEven) + block.OutputZeroPoint);
        }
    }

    /// <summary>
    /// The 256-bit requantization up to the zero point, for channels <c>channel … channel+7</c> of accumulators that
    /// already include the row and channel terms: <c>cvtps2dq(min((float)acc · scale, High))</c>. <c>cvtps2dq</c>
    /// rounds half to even under the default rounding mode; a value too negative for int32 becomes
    /// <c>int.MinValue</c>, which the saturating packs and the final clamp of <see cref="PackRows"/> take to the
    /// output minimum, as the reference's float clamp does. The upper clamp stays in float so nothing overflows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> ScaleAndRound(Vector256<int> acc, in Conv2DQ8Block block, int channel)
    {
        var scaled = Vector256.ConvertToSingle(acc) * Vector256.Load(block.Scales + channel);
        return Avx.ConvertToVector256Int32(Vector256.MinNative(scaled, Vector256.Create(block.High)));
    }

    /// <summary>
    /// Finishes four vectors of 8 int32 (from <see cref="ScaleAndRound"/>) into 32 output bytes
    /// <c>[a[0..7], b[0..7], c[0..7], d[0..7]]</c>: <c>packssdw(a, b)</c> and <c>packssdw(c, d)</c>, add the zero
    /// point with int16 saturation, pack to bytes with saturation (unsigned for QU8, signed for QC8), clamp below at
    /// <see cref="Conv2DQ8Block.OutputMin"/>. The packs work per 128-bit lane, leaving the int32 groups as
    /// <c>[a0–3, b0–3, c0–3, d0–3 | a4–7, b4–7, c4–7, d4–7]</c>; <c>vpermd [0,4,1,5,2,6,3,7]</c> restores the order.
    /// </summary>
    /// <remarks>For in-range values (<c>Low ≤ round(s) ≤ High</c>) no step saturates and the result is
    /// <c>round(s) + OutputZeroPoint</c>; below range every step keeps the value at or under the minimum and the
    /// final clamp gives <see cref="Conv2DQ8Block.OutputMin"/>, like clamping before rounding.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> PackRows<TInput>(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d, in Conv2DQ8Block block)
        where TInput : struct
    {
        var zeroPoint = Vector256.Create((short)block.OutputZeroPoint);
        var ab = Avx2.AddSaturate(Avx2.PackSignedSaturate(a, b), zeroPoint);
        var cd = Avx2.AddSaturate(Avx2.PackSignedSaturate(c, d), zeroPoint);
        Vector256<byte> bytes = SignedActivations<TInput>()
            ? Avx2.Max(Avx2.PackSignedSaturate(ab, cd), Vector256.Create((sbyte)block.OutputMin)).AsByte()
            : Avx2.Max(Avx2.PackUnsignedSaturate(ab, cd), Vector256.Create((byte)block.OutputMin));
        return Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsByte();
    }

    /// <summary>
    /// Stores two rows × 16 channels from accumulators that include the row and channel terms: <c>sums[0..1]</c> are
    /// the first row's channels 0–7 and 8–15, <c>sums[2..3]</c> the second row's. After <see cref="PackRows"/> the low
    /// 128 bits are the first row's channels 0–15 and the high 128 bits the second row's. Only the block's real
    /// columns are stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows16<TInput>(byte* first, byte* second, Vector256<int>* sums, in Conv2DQ8Block block)
        where TInput : struct
    {
        var bytes = PackRows<TInput>(ScaleAndRound(sums[0], block, 0), ScaleAndRound(sums[1], block, 8),
            ScaleAndRound(sums[2], block, 0), ScaleAndRound(sums[3], block, 8), block);
        if (block.Columns >= 16)
        {
            bytes.GetLower().Store(first);
            bytes.GetUpper().Store(second);
        }
        else
        {
            StorePartial(first, bytes.GetLower(), block.Columns);
            StorePartial(second, bytes.GetUpper(), block.Columns);
        }
    }

    /// <summary>
    /// Stores four rows × channels <c>8·half … 8·half+7</c> from accumulators that include the row and channel terms:
    /// <c>sums[r]</c> is row r. After <see cref="PackRows"/> the four 64-bit quarters are rows 0–3. Only the block's
    /// real columns are stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows8<TInput>(ref Conv2DTile tile, Vector256<int>* sums, in Conv2DQ8Block block, int half)
        where TInput : struct
    {
        int channel = half * 8;
        nint offset = block.Column + channel;
        var rows = PackRows<TInput>(ScaleAndRound(sums[0], block, channel), ScaleAndRound(sums[1], block, channel),
            ScaleAndRound(sums[2], block, channel), ScaleAndRound(sums[3], block, channel), block).AsUInt64();
        int columns = block.Columns - channel;
        if (columns >= 8)
        {
            Unsafe.WriteUnaligned(tile.C0 + offset, rows.GetElement(0));
            Unsafe.WriteUnaligned(tile.C1 + offset, rows.GetElement(1));
            Unsafe.WriteUnaligned(tile.C2 + offset, rows.GetElement(2));
            Unsafe.WriteUnaligned(tile.C3 + offset, rows.GetElement(3));
        }
        else
        {
            StorePartial(tile.C0 + offset, Vector128.CreateScalar(rows.GetElement(0)).AsByte(), columns);
            StorePartial(tile.C1 + offset, Vector128.CreateScalar(rows.GetElement(1)).AsByte(), columns);
            StorePartial(tile.C2 + offset, Vector128.CreateScalar(rows.GetElement(2)).AsByte(), columns);
            StorePartial(tile.C3 + offset, Vector128.CreateScalar(rows.GetElement(3)).AsByte(), columns);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Requantize(Vector128<int> acc, int rowTerm, in Conv2DQ8Block block, int channel)
    {
        acc += Vector128.Load(block.ChannelTerms + channel) + Vector128.Create(rowTerm);
        var scaled = Vector128.ConvertToSingle(acc) * Vector128.Load(block.Scales + channel);
        scaled = Vector128.MinNative(Vector128.MaxNative(scaled, Vector128.Create(block.Low)), Vector128.Create(block.High));
        Vector128<int> rounded;
        if (Sse2.IsSupported) rounded = Sse2.ConvertToVector128Int32(scaled);
        else if (AdvSimd.IsSupported) rounded = AdvSimd.ConvertToInt32RoundToEven(scaled);
        else rounded = Vector128.ConvertToInt32(Vector128.Round(scaled));
        return rounded + Vector128.Create(block.OutputZeroPoint);
    }

    /// <summary>Stores channels <c>4·quarter</c> … <c>4·quarter+3</c> of a row (only those below the block's column count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(byte* output, Vector128<int> acc, int rowTerm, in Conv2DQ8Block block, int quarter)
    {
        var shorts = Vector128.Narrow(Requantize(acc, rowTerm, block, quarter * 4), Vector128<int>.Zero);
        var bytes = Vector128.Narrow(shorts, shorts).AsByte();
        int columns = block.Columns - (quarter * 4);
        if (columns >= 4) Unsafe.WriteUnaligned(output + (quarter * 4), bytes.AsUInt32().ToScalar());
        else StorePartial(output + (quarter * 4), bytes, columns);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StorePartial(byte* output, Vector128<byte> bytes, int count)
    {
        for (int i = 0; i < count; i++) output[i] = bytes.GetElement(i);
    }
}
