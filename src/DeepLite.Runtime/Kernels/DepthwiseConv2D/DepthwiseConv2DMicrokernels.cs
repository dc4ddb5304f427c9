using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepLite.Runtime.Kernels;

/// <summary>What a depthwise microkernel reads besides the input: packed weights and the output rule.</summary>
/// <param name="channels">C, the channels of one pixel (input = output channels, multiplier 1).</param>
/// <param name="taps">T = FilterHeight · FilterWidth.</param>
/// <param name="lanes">W, channels per block: 16, 8, 4 (vector rungs) or 1 (scalar); at most C.</param>
/// <param name="portable">Quantized 4-lane blocks use only portable Vector128 operations (as on Arm64), not SSE4.1.</param>
/// <param name="packed">The blocks, see <see cref="DepthwiseConv2DMicrokernels"/>.</param>
/// <param name="activationMin">F32 clamp.</param>
/// <param name="activationMax">F32 clamp.</param>
/// <param name="requantization">QU8/QC8 output rule.</param>
internal readonly unsafe struct DepthwiseMicrokernelArguments(
    int channels,
    int taps,
    int lanes,
    bool portable,
    void* packed,
    float activationMin,
    float activationMax,
    ChannelRequantization requantization)
{
    public int Channels { get; } = channels;
    public int Taps { get; } = taps;
    public int Lanes { get; } = lanes;
    public bool Portable { get; } = portable;
    public void* Packed { get; } = packed;
    public float ActivationMin { get; } = activationMin;
    public float ActivationMax { get; } = activationMax;
    public ChannelRequantization Requantization { get; } = requantization;

    /// <summary>Blocks per pixel, <c>⌈C / W⌉</c>.</summary>
    public int Blocks => (Channels + Lanes - 1) / Lanes;

    /// <summary>4-byte values per packed block: bias, T weights and, for quantized types, scales, W of each.</summary>
    public int BlockStride(bool quantized) => (Taps + (quantized ? 2 : 1)) * Lanes;

    /// <summary>First channel of block j: <c>j · W</c>, except that the last block ends at C (it may overlap the one before).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int BlockStart(int block) => Math.Min(block * Lanes, Channels - Lanes);
}

/// <summary>
/// Depthwise convolution microkernels over an indirection of tap pointers (XNNPACK's <c>dwconv</c> "unipass" shape):
/// output pixel p, channel c is <c>bias[c] + Σ_t input_t[c] · w[t][c]</c> where <c>input_t</c> is the pixel at byte
/// address <c>taps[t] + p · step</c>. Padded taps point at a buffer holding the input's zero (0.0f, or the input zero
/// point whose contribution the folded bias cancels), so there are no bounds checks here.
/// </summary>
/// <remarks>
/// <para>Packing: channels are cut into blocks of W (<see cref="DepthwiseMicrokernelArguments.Lanes"/>); block j covers
/// channels <c>[s, s + W)</c> with <c>s = BlockStart(j)</c>, so when W does not divide C the last block starts at
/// <c>C − W</c> and recomputes a few channels (same values, stored again). Block j is stored contiguously as
/// <c>bias[W] · w[0][W] · … · w[T−1][W]</c>, followed for QU8/QC8 by <c>scale[W]</c> (float32 bits): one pointer walks
/// all of a pixel's parameters. QU8/QC8 weights are int32 whose low 16 bits hold <c>w + FilterOffset</c> and whose high
/// 16 bits are 0, and the bias is the folded one (see <see cref="DepthwiseConv2DOptimized"/>).</para>
/// <para>Lane layout: lane i is channel <c>s + i</c>; channels are contiguous in NHWC, so every load and store is a plain
/// contiguous one. Quantized lanes widen 16/8/4 input bytes to int32 (vpmovzxbd for uint8, vpmovsxbd for int8) and
/// multiply with <c>pmaddwd</c>: the weight's high int16 is 0, so each lane is exactly <c>x · w</c> (|x|, |w| ≤ 255),
/// summed in wrapping int32 like the reference (any order gives the same sum). With AVX-VNNI the 8-lane multiply-add
/// is one <c>vpdpwssd</c> (non-saturating); the portable 4-lane form (Arm64) multiplies int32 lanes by the sign-extended
/// weight instead. F32 lanes start from the bias and fuse multiply-adds, so they round
/// differently from the reference (tap sum first, bias last, separate multiply and add) by a few float32 ulps.
/// The scalar lane type (W = 1) is the scalar equivalent of every vector form.</para>
/// <para>3×3 filters run an unrolled kernel with the nine tap pointers hoisted per pixel and two partial sums;
/// other filters loop over the taps.</para>
/// </remarks>
internal static unsafe class DepthwiseConv2DMicrokernels
{
    /// <summary>F32: <paramref name="count"/> pixels, pixel p written to <c>output + p · outputStep</c> (bytes).</summary>
    public static void F32(byte** taps, nint step, int count, byte* output, nint outputStep, in DepthwiseMicrokernelArguments a)
    {
        switch (a.Lanes)
        {
            case 16:
                FloatPixels<FloatLanes512, Vector512<float>>(taps, step, count, output, outputStep, a);
                break;
            case 8:
                FloatPixels<FloatLanes256, Vector256<float>>(taps, step, count, output, outputStep, a);
                break;
            case 4:
                FloatPixels<FloatLanes128, Vector128<float>>(taps, step, count, output, outputStep, a);
                break;
            default:
                FloatPixels<FloatLane, float>(taps, step, count, output, outputStep, a);
                break;
        }
    }

    /// <summary>
    /// QU8 (<typeparamref name="TInput"/> = byte) or QC8 (sbyte): <paramref name="count"/> pixels, pixel p written to
    /// <c>output + p · outputStep</c> (bytes), requantized per channel.
    /// </summary>
    public static void Quantized<TInput>(byte** taps, nint step, int count, byte* output, nint outputStep, in DepthwiseMicrokernelArguments a)
        where TInput : unmanaged
    {
        switch (a.Lanes)
        {
            case 16:
                QuantizedPixels<QuantizedLanes512<TInput>, Vector512<int>>(taps, step, count, output, outputStep, a);
                break;
            case 8:
                QuantizedPixels<QuantizedLanes256<TInput>, Vector256<int>>(taps, step, count, output, outputStep, a);
                break;
            case 4 when a.Portable:
                QuantizedPixels<PortableQuantizedLanes128<TInput>, Vector128<int>>(taps, step, count, output, outputStep, a);
                break;
            case 4:
                QuantizedPixels<QuantizedLanes128<TInput>, Vector128<int>>(taps, step, count, output, outputStep, a);
                break;
            default:
                QuantizedPixels<QuantizedLane<TInput>, int>(taps, step, count, output, outputStep, a);
                break;
        }
    }

    /// <summary>
    /// The widest lanes the machine runs for C channels with vectors at most <paramref name="maxVectorBits"/> wide, and
    /// whether quantized 4-lane blocks take the portable form: always without SSE4.1 (Arm64), and on request
    /// (<paramref name="portableOnly"/>, which also rules out the x86-only 8- and 16-lane quantized forms) so x86 tests run it.
    /// </summary>
    public static (int Lanes, bool Portable) ChooseLanes(bool quantized, int channels, int maxVectorBits, bool portableOnly)
    {
        bool x86 = !portableOnly && Sse41.IsSupported;
        if (maxVectorBits >= 512 && channels >= 16 && Vector512.IsHardwareAccelerated && (!quantized || (x86 && Avx512BW.IsSupported))) return (16, false);
        if (maxVectorBits >= 256 && channels >= 8 && (quantized ? x86 && Avx2.IsSupported : Vector256.IsHardwareAccelerated)) return (8, false);
        if (maxVectorBits >= 128 && channels >= 4 && Vector128.IsHardwareAccelerated) return (4, quantized && !x86);
        return (1, false);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FloatPixels<TLanes, TVector>(byte** taps, nint step, int count, byte* output, nint outputStep, in DepthwiseMicrokernelArguments a)
        where TLanes : struct, IFloatLanes<TVector>
    {
        int blocks = a.Blocks;
        int stride = a.BlockStride(quantized: false);
        int lastStart = a.Channels - TLanes.Count;
        float min = a.ActivationMin, max = a.ActivationMax;
        for (int p = 0; p < count; p++, output += outputStep)
        {
            nint offset = p * step;
            float* block = (float*)a.Packed;
            float* destination = (float*)output;
            if (a.Taps == 9)
            {
                float* i0 = (float*)(taps[0] + offset), i1 = (float*)(taps[1] + offset), i2 = (float*)(taps[2] + offset);
                float* i3 = (float*)(taps[3] + offset), i4 = (float*)(taps[4] + offset), i5 = (float*)(taps[5] + offset);
                float* i6 = (float*)(taps[6] + offset), i7 = (float*)(taps[7] + offset), i8 = (float*)(taps[8] + offset);
                for (int j = 0; j < blocks; j++, block += stride)
                {
                    int c = Math.Min(j * TLanes.Count, lastStart);
                    float* w = block + TLanes.Count;
                    var even = TLanes.MultiplyAdd(TLanes.Load(block), i0 + c, w);
                    var odd = TLanes.Multiply(i1 + c, w + TLanes.Count);
                    even = TLanes.MultiplyAdd(even, i2 + c, w + (2 * TLanes.Count));
                    odd = TLanes.MultiplyAdd(odd, i3 + c, w + (3 * TLanes.Count));
                    even = TLanes.MultiplyAdd(even, i4 + c, w + (4 * TLanes.Count));
                    odd = TLanes.MultiplyAdd(odd, i5 + c, w + (5 * TLanes.Count));
                    even = TLanes.MultiplyAdd(even, i6 + c, w + (6 * TLanes.Count));
                    odd = TLanes.MultiplyAdd(odd, i7 + c, w + (7 * TLanes.Count));
                    even = TLanes.MultiplyAdd(even, i8 + c, w + (8 * TLanes.Count));
                    TLanes.ClampAndStore(TLanes.Add(even, odd), min, max, destination + c);
                }
            }
            else
            {
                for (int j = 0; j < blocks; j++, block += stride)
                {
                    int c = Math.Min(j * TLanes.Count, lastStart);
                    float* w = block + TLanes.Count;
                    var acc = TLanes.Load(block);
                    for (int t = 0; t < a.Taps; t++, w += TLanes.Count)
                    {
                        acc = TLanes.MultiplyAdd(acc, (float*)(taps[t] + offset) + c, w);
                    }
                    TLanes.ClampAndStore(acc, min, max, destination + c);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuantizedPixels<TLanes, TAccumulator>(byte** taps, nint step, int count, byte* output, nint outputStep, in DepthwiseMicrokernelArguments a)
        where TLanes : struct, IQuantizedLanes<TAccumulator>
    {
        int blocks = a.Blocks;
        int stride = a.BlockStride(quantized: true);
        int lastStart = a.Channels - TLanes.Count;
        int scalesAt = (a.Taps + 1) * TLanes.Count;
        var requantization = a.Requantization;
        for (int p = 0; p < count; p++, output += outputStep)
        {
            nint offset = p * step;
            int* block = (int*)a.Packed;
            if (a.Taps == 9)
            {
                byte* i0 = taps[0] + offset, i1 = taps[1] + offset, i2 = taps[2] + offset;
                byte* i3 = taps[3] + offset, i4 = taps[4] + offset, i5 = taps[5] + offset;
                byte* i6 = taps[6] + offset, i7 = taps[7] + offset, i8 = taps[8] + offset;
                for (int j = 0; j < blocks; j++, block += stride)
                {
                    int c = Math.Min(j * TLanes.Count, lastStart);
                    int* w = block + TLanes.Count;
                    var even = TLanes.MultiplyAdd(TLanes.Load(block), i0 + c, w);
                    var odd = TLanes.Multiply(i1 + c, w + TLanes.Count);
                    even = TLanes.MultiplyAdd(even, i2 + c, w + (2 * TLanes.Count));
                    odd = TLanes.MultiplyAdd(odd, i3 + c, w + (3 * TLanes.Count));
                    even = TLanes.MultiplyAdd(even, i4 + c, w + (4 * TLanes.Count));
                    odd = TLanes.MultiplyAdd(odd, i5 + c, w + (5 * TLanes.Count));
                    even = TLanes.MultiplyAdd(even, i6 + c, w + (6 * TLanes.Count));
                    odd = TLanes.MultiplyAdd(odd, i7 + c, w + (7 * TLanes.Count));
                    even = TLanes.MultiplyAdd(even, i8 + c, w + (8 * TLanes.Count));
                    TLanes.RequantizeAndStore(TLanes.Add(even, odd), (float*)(block + scalesAt), requantization, output + c);
                }
            }
            else
            {
                for (int j = 0; j < blocks; j++, block += stride)
                {
                    int c = Math.Min(j * TLanes.Count, lastStart);
                    int* w = block + TLanes.Count;
                    var acc = TLanes.Load(block);
                    for (int t = 0; t < a.Taps; t++, w += TLanes.Count)
                    {
                        acc = TLanes.MultiplyAdd(acc, taps[t] + offset + c, w);
                    }
                    TLanes.RequantizeAndStore(acc, (float*)(block + scalesAt), requantization, output + c);
                }
            }
        }
    }

    /// <summary>W float32 channels held in a <typeparamref name="TVector"/>; lane i is channel i of the block.</summary>
    private interface IFloatLanes<TVector>
    {
        /// <summary>W, the channels per block.</summary>
        static abstract int Count { get; }

        static abstract TVector Load(float* source);

        /// <summary><c>x · w</c> lane by lane.</summary>
        static abstract TVector Multiply(float* x, float* w);

        /// <summary><c>acc + x · w</c> lane by lane, fused where the hardware has FMA.</summary>
        static abstract TVector MultiplyAdd(TVector acc, float* x, float* w);

        static abstract TVector Add(TVector left, TVector right);

        /// <summary>
        /// Stores <c>min(max(acc, min), max)</c> lane by lane. The vector forms pass <c>acc</c> second to the native
        /// max and min, which on x86 (<c>maxps</c>/<c>minps</c> return their second operand when either is NaN) keeps a
        /// NaN sum NaN like <see cref="Math.Max(float, float)"/>.
        /// </summary>
        static abstract void ClampAndStore(TVector acc, float min, float max, float* destination);
    }

    /// <summary>W quantized channels accumulated in int32 lanes of a <typeparamref name="TAccumulator"/>.</summary>
    private interface IQuantizedLanes<TAccumulator>
    {
        /// <summary>W, the channels per block.</summary>
        static abstract int Count { get; }

        static abstract TAccumulator Load(int* source);

        /// <summary>Lane i: input byte i (widened by the input's signedness) times the int16 weight in lane i.</summary>
        static abstract TAccumulator Multiply(byte* x, int* w);

        /// <summary><c>acc + Multiply(x, w)</c> in wrapping int32.</summary>
        static abstract TAccumulator MultiplyAdd(TAccumulator acc, byte* x, int* w);

        static abstract TAccumulator Add(TAccumulator left, TAccumulator right);

        /// <summary>Requantizes lane i with <c>scales[i]</c> and stores its byte at <c>destination[i]</c>.</summary>
        static abstract void RequantizeAndStore(TAccumulator acc, float* scales, in ChannelRequantization requantization, byte* destination);
    }

    private readonly struct FloatLanes512 : IFloatLanes<Vector512<float>>
    {
        public static int Count => 16;
        public static Vector512<float> Load(float* source) => Vector512.Load(source);
        public static Vector512<float> Multiply(float* x, float* w) => Vector512.Load(x) * Vector512.Load(w);
        public static Vector512<float> MultiplyAdd(Vector512<float> acc, float* x, float* w) => Vector512.MultiplyAddEstimate(Vector512.Load(x), Vector512.Load(w), acc);
        public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;
        public static void ClampAndStore(Vector512<float> acc, float min, float max, float* destination) =>
            Vector512.MinNative(Vector512.Create(max), Vector512.MaxNative(Vector512.Create(min), acc)).Store(destination);
    }

    private readonly struct FloatLanes256 : IFloatLanes<Vector256<float>>
    {
        public static int Count => 8;
        public static Vector256<float> Load(float* source) => Vector256.Load(source);
        public static Vector256<float> Multiply(float* x, float* w) => Vector256.Load(x) * Vector256.Load(w);
        public static Vector256<float> MultiplyAdd(Vector256<float> acc, float* x, float* w) => Vector256.MultiplyAddEstimate(Vector256.Load(x), Vector256.Load(w), acc);
        public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;
        public static void ClampAndStore(Vector256<float> acc, float min, float max, float* destination) =>
            Vector256.MinNative(Vector256.Create(max), Vector256.MaxNative(Vector256.Create(min), acc)).Store(destination);
    }

    private readonly struct FloatLanes128 : IFloatLanes<Vector128<float>>
    {
        public static int Count => 4;
        public static Vector128<float> Load(float* source) => Vector128.Load(source);
        public static Vector128<float> Multiply(float* x, float* w) => Vector128.Load(x) * Vector128.Load(w);
        public static Vector128<float> MultiplyAdd(Vector128<float> acc, float* x, float* w) => Vector128.MultiplyAddEstimate(Vector128.Load(x), Vector128.Load(w), acc);
        public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;
        public static void ClampAndStore(Vector128<float> acc, float min, float max, float* destination) =>
            Vector128.MinNative(Vector128.Create(max), Vector128.MaxNative(Vector128.Create(min), acc)).Store(destination);
    }

    private readonly struct FloatLane : IFloatLanes<float>
    {
        public static int Count => 1;
        public static float Load(float* source) => *source;
        public static float Multiply(float* x, float* w) => *x * *w;
        public static float MultiplyAdd(float acc, float* x, float* w) => acc + (*x * *w);
        public static float Add(float left, float right) => left + right;
        public static void ClampAndStore(float acc, float min, float max, float* destination) => *destination = Math.Min(Math.Max(acc, min), max);
    }

    private readonly struct QuantizedLanes512<TInput> : IQuantizedLanes<Vector512<int>>
        where TInput : unmanaged
    {
        public static int Count => 16;
        public static Vector512<int> Load(int* source) => Vector512.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Multiply(byte* x, int* w)
        {
            var bytes = Vector128.Load(x);
            var widened = typeof(TInput) == typeof(byte) ? Avx512F.ConvertToVector512Int32(bytes) : Avx512F.ConvertToVector512Int32(bytes.AsSByte());
            return Avx512BW.MultiplyAddAdjacent(widened.AsInt16(), Vector512.Load(w).AsInt16());
        }

        public static Vector512<int> MultiplyAdd(Vector512<int> acc, byte* x, int* w) => acc + Multiply(x, w);
        public static Vector512<int> Add(Vector512<int> left, Vector512<int> right) => left + right;
        public static void RequantizeAndStore(Vector512<int> acc, float* scales, in ChannelRequantization requantization, byte* destination) =>
            ChannelRequantization.Store(requantization.Apply(acc, Vector512.Load(scales)), destination);
    }

    private readonly struct QuantizedLanes256<TInput> : IQuantizedLanes<Vector256<int>>
        where TInput : unmanaged
    {
        public static int Count => 8;
        public static Vector256<int> Load(int* source) => Vector256.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<short> Widen(byte* x) =>
            (typeof(TInput) == typeof(byte) ? Avx2.ConvertToVector256Int32(x) : Avx2.ConvertToVector256Int32((sbyte*)x)).AsInt16();

        public static Vector256<int> Multiply(byte* x, int* w) => Avx2.MultiplyAddAdjacent(Widen(x), Vector256.Load(w).AsInt16());

        public static Vector256<int> MultiplyAdd(Vector256<int> acc, byte* x, int* w) => AvxVnni.IsSupported
            ? AvxVnni.MultiplyWideningAndAdd(acc, Widen(x), Vector256.Load(w).AsInt16())
            : acc + Multiply(x, w);

        public static Vector256<int> Add(Vector256<int> left, Vector256<int> right) => left + right;
        public static void RequantizeAndStore(Vector256<int> acc, float* scales, in ChannelRequantization requantization, byte* destination) =>
            ChannelRequantization.Store(requantization.Apply(acc, Vector256.Load(scales)), destination);
    }

    private readonly struct QuantizedLanes128<TInput> : IQuantizedLanes<Vector128<int>>
        where TInput : unmanaged
    {
        public static int Count => 4;
        public static Vector128<int> Load(int* source) => Vector128.Load(source);

        /// <summary>SSE4.1 widening (pmovzxbd / pmovsxbd) and SSE2 <c>pmaddwd</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> Multiply(byte* x, int* w)
        {
            var widened = typeof(TInput) == typeof(byte) ? Sse41.ConvertToVector128Int32(x) : Sse41.ConvertToVector128Int32((sbyte*)x);
            return Sse2.MultiplyAddAdjacent(widened.AsInt16(), Vector128.Load(w).AsInt16());
        }

        public static Vector128<int> MultiplyAdd(Vector128<int> acc, byte* x, int* w) => acc + Multiply(x, w);
        public static Vector128<int> Add(Vector128<int> left, Vector128<int> right) => left + right;
        public static void RequantizeAndStore(Vector128<int> acc, float* scales, in ChannelRequantization requantization, byte* destination) =>
            ChannelRequantization.Store(requantization.Apply(acc, Vector128.Load(scales)), destination);
    }

    /// <summary>4 lanes with portable operations only (the Arm64 path): widening loads and an int32 multiply by the weight's sign-extended low 16 bits.</summary>
    private readonly struct PortableQuantizedLanes128<TInput> : IQuantizedLanes<Vector128<int>>
        where TInput : unmanaged
    {
        public static int Count => 4;
        public static Vector128<int> Load(int* source) => Vector128.Load(source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<int> Multiply(byte* x, int* w)
        {
            var packed = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(x));
            var input = typeof(TInput) == typeof(byte)
                ? Vector128.WidenLower(Vector128.WidenLower(packed.AsByte())).AsInt32()
                : Vector128.WidenLower(Vector128.WidenLower(packed.AsSByte()));
            return input * Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(Vector128.Load(w), 16), 16);
        }

        public static Vector128<int> MultiplyAdd(Vector128<int> acc, byte* x, int* w) => acc + Multiply(x, w);
        public static Vector128<int> Add(Vector128<int> left, Vector128<int> right) => left + right;
        public static void RequantizeAndStore(Vector128<int> acc, float* scales, in ChannelRequantization requantization, byte* destination) =>
            ChannelRequantization.Store(requantization.Apply(acc, Vector128.Load(scales)), destination);
    }

    private readonly struct QuantizedLane<TInput> : IQuantizedLanes<int>
        where TInput : unmanaged
    {
        public static int Count => 1;
        public static int Load(int* source) => *source;
        public static int Multiply(byte* x, int* w) => (typeof(TInput) == typeof(byte) ? *x : *(sbyte*)x) * (short)*w;
        public static int MultiplyAdd(int acc, byte* x, int* w) => acc + Multiply(x, w);
        public static int Add(int left, int right) => left + right;
        public static void RequantizeAndStore(int acc, float* scales, in ChannelRequantization requantization, byte* destination) =>
            *destination = (byte)requantization.Apply(acc, *scales);
    }
}
