using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Dot-product microkernels of the optimized FULLY_CONNECTED: one input row against a tile of
/// <see cref="TileUnits"/> weight rows, <c>sums[j] = Σ_{k &lt; depth} x[k] · w[j · depth + k]</c>, with
/// <c>depth</c> a multiple of the widest step (the packing pads rows with zeros).
/// </summary>
/// <remarks>
/// Lane layout: vectors run along k; each of the four units keeps its own accumulator, which is reduced across lanes
/// after the loop, and one input load serves all four units. Quantized kernels take uint8 inputs and int8 weights
/// (see <see cref="FullyConnectedOptimized"/> for how QU8 and QC8 are brought to that form) and sum exact products in
/// wrapping int32, so any order gives the reference's sum: AVX-VNNI <c>vpdpbusd</c> adds four u8·s8 products into each
/// int32 lane (non-saturating); the other rungs widen both operands to int16 and use <c>pmaddwd</c> (two exact products
/// per lane; never <c>pmaddubsw</c>, which saturates). Float kernels fuse multiply-adds along k, so their sums round
/// differently from the reference's sequential sum. The scalar loops are the scalar equivalent of every rung.
/// </remarks>
internal static unsafe class FullyConnectedMicrokernels
{
    /// <summary>Weight rows per tile.</summary>
    public const int TileUnits = 4;

    /// <summary>Padding granule of a quantized row: the widest quantized step (32 bytes) twice.</summary>
    public const int QuantizedDepthGranule = 64;

    /// <summary>Padding granule of a float row: the widest float step (16 floats).</summary>
    public const int FloatDepthGranule = 16;

    /// <summary>The instructions a quantized dot product runs on.</summary>
    public enum QuantizedRung
    {
        Scalar,
        /// <summary>Portable Vector128 operations only (the Arm64 path).</summary>
        PortableVector128,
        Vector128,
        Vector256,
        Vector512,
        AvxVnni,
    }

    /// <summary>
    /// The best quantized rung with vectors at most <paramref name="maxVectorBits"/> wide, AVX-VNNI only when
    /// <paramref name="useVnni"/>, and only the portable rung when <paramref name="portableOnly"/> or without SSE4.1 (Arm64).
    /// </summary>
    public static QuantizedRung ChooseQuantizedRung(int maxVectorBits, bool useVnni, bool portableOnly)
    {
        bool x86 = !portableOnly && Sse41.IsSupported;
        if (x86 && useVnni && maxVectorBits >= 256 && AvxVnni.IsSupported) return QuantizedRung.AvxVnni;
        if (x86 && maxVectorBits >= 512 && Avx512BW.IsSupported && Vector512.IsHardwareAccelerated) return QuantizedRung.Vector512;
        if (x86 && maxVectorBits >= 256 && Avx2.IsSupported) return QuantizedRung.Vector256;
        if (maxVectorBits >= 128 && Vector128.IsHardwareAccelerated) return x86 ? QuantizedRung.Vector128 : QuantizedRung.PortableVector128;
        return QuantizedRung.Scalar;
    }

    /// <summary>The widest float vector (512, 256, 128, or 0 for scalar) at most <paramref name="maxVectorBits"/> wide.</summary>
    public static int ChooseFloatBits(int maxVectorBits)
    {
        if (maxVectorBits >= 512 && Vector512.IsHardwareAccelerated) return 512;
        if (maxVectorBits >= 256 && Vector256.IsHardwareAccelerated) return 256;
        if (maxVectorBits >= 128 && Vector128.IsHardwareAccelerated) return 128;
        return 0;
    }

    /// <summary>Quantized tile: <c>sums[j] = Σ_k x[k] · w[j · depth + k]</c> for j &lt; 4; depth a multiple of 64.</summary>
    public static void QuantizedDot(QuantizedRung rung, byte* x, sbyte* w, int depth, int* sums)
    {
        switch (rung)
        {
            case QuantizedRung.AvxVnni:
                QuantizedDot<AvxVnniLanes, Vector256<byte>, Vector256<int>>(x, w, depth, sums);
                break;
            case QuantizedRung.Vector512:
                QuantizedDot<Avx512Lanes, Vector512<short>, Vector512<int>>(x, w, depth, sums);
                break;
            case QuantizedRung.Vector256:
                QuantizedDot<Avx2Lanes, Vector256<short>, Vector256<int>>(x, w, depth, sums);
                break;
            case QuantizedRung.Vector128:
                QuantizedDot<Sse41Lanes, Vector128<short>, Vector128<int>>(x, w, depth, sums);
                break;
            case QuantizedRung.PortableVector128:
                QuantizedDot<PortableLanes128, Vector128<short>, Vector128<int>>(x, w, depth, sums);
                break;
            default:
                QuantizedDot<QuantizedLane, int, int>(x, w, depth, sums);
                break;
        }
    }

    /// <summary>Float tile: <c>sums[j] = Σ_k x[k] · w[j · depth + k]</c> for j &lt; 4; depth a multiple of 16.</summary>
    public static void FloatDot(int vectorBits, float* x, float* w, int depth, float* sums)
    {
        switch (vectorBits)
        {
            case 512:
                FloatDot<FloatLanes512, Vector512<float>>(x, w, depth, sums);
                break;
            case 256:
                FloatDot<FloatLanes256, Vector256<float>>(x, w, depth, sums);
                break;
            case 128:
                FloatDot<FloatLanes128, Vector128<float>>(x, w, depth, sums);
                break;
            default:
                FloatDot<FloatLane, float>(x, w, depth, sums);
                break;
        }
    }

    /// <summary>The one quantized loop: <see cref="IQuantizedDotLanes{TInput, TAccumulator}.Step"/> k per step, one input load for four units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuantizedDot<TLanes, TInput, TAccumulator>(byte* x, sbyte* w, int depth, int* sums)
        where TLanes : struct, IQuantizedDotLanes<TInput, TAccumulator>
        where TAccumulator : struct
    {
        sbyte* w1 = w + depth, w2 = w1 + depth, w3 = w2 + depth;
        TAccumulator acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (int k = 0; k < depth; k += TLanes.Step)
        {
            var input = TLanes.LoadInput(x + k);
            acc0 = TLanes.MultiplyAdd(acc0, input, w + k);
            acc1 = TLanes.MultiplyAdd(acc1, input, w1 + k);
            acc2 = TLanes.MultiplyAdd(acc2, input, w2 + k);
            acc3 = TLanes.MultiplyAdd(acc3, input, w3 + k);
        }
        sums[0] = TLanes.Sum(acc0);
        sums[1] = TLanes.Sum(acc1);
        sums[2] = TLanes.Sum(acc2);
        sums[3] = TLanes.Sum(acc3);
    }

    /// <summary>The one float loop: <see cref="IFloatDotLanes{TVector}.Step"/> k per step, one input load for four units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FloatDot<TLanes, TVector>(float* x, float* w, int depth, float* sums)
        where TLanes : struct, IFloatDotLanes<TVector>
        where TVector : struct
    {
        float* w1 = w + depth, w2 = w1 + depth, w3 = w2 + depth;
        TVector acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        for (int k = 0; k < depth; k += TLanes.Step)
        {
            var input = TLanes.Load(x + k);
            acc0 = TLanes.MultiplyAdd(acc0, input, w + k);
            acc1 = TLanes.MultiplyAdd(acc1, input, w1 + k);
            acc2 = TLanes.MultiplyAdd(acc2, input, w2 + k);
            acc3 = TLanes.MultiplyAdd(acc3, input, w3 + k);
        }
        sums[0] = TLanes.Sum(acc0);
        sums[1] = TLanes.Sum(acc1);
        sums[2] = TLanes.Sum(acc2);
        sums[3] = TLanes.Sum(acc3);
    }

    /// <summary>uint8 inputs (as <typeparamref name="TInput"/>) against int8 weights, summed exactly in int32 lanes of <typeparamref name="TAccumulator"/>.</summary>
    private interface IQuantizedDotLanes<TInput, TAccumulator>
    {
        /// <summary>k consumed per step.</summary>
        static abstract int Step { get; }

        static abstract TInput LoadInput(byte* x);

        /// <summary>Adds the products of the step's inputs and the int8 weights at <c>w</c> into <paramref name="acc"/>, in wrapping int32.</summary>
        static abstract TAccumulator MultiplyAdd(TAccumulator acc, TInput input, sbyte* w);

        /// <summary>Wrapping int32 sum of the lanes.</summary>
        static abstract int Sum(TAccumulator acc);
    }

    /// <summary>float32 products summed in lanes of <typeparamref name="TVector"/> (lane i gathers k ≡ i modulo the step).</summary>
    private interface IFloatDotLanes<TVector>
    {
        /// <summary>k consumed per step.</summary>
        static abstract int Step { get; }

        static abstract TVector Load(float* x);

        /// <summary><c>acc + input · w</c> lane by lane, fused where the hardware has FMA.</summary>
        static abstract TVector MultiplyAdd(TVector acc, TVector input, float* w);

        static abstract float Sum(TVector acc);
    }

    /// <summary>32 k per step: lane i gathers k ≡ 4i..4i+3 (mod 32), four u8·s8 products per <c>vpdpbusd</c>.</summary>
    private readonly struct AvxVnniLanes : IQuantizedDotLanes<Vector256<byte>, Vector256<int>>
    {
        public static int Step => 32;
        public static Vector256<byte> LoadInput(byte* x) => Vector256.Load(x);
        public static Vector256<int> MultiplyAdd(Vector256<int> acc, Vector256<byte> input, sbyte* w) => AvxVnni.MultiplyWideningAndAdd(acc, input, Vector256.Load(w));
        public static int Sum(Vector256<int> acc) => Vector256.Sum(acc);
    }

    /// <summary>32 k per step, both widened to int16 (vpmovzxbw / vpmovsxbw): lane i sums k ≡ 2i, 2i+1 (mod 32) with <c>pmaddwd</c>.</summary>
    private readonly struct Avx512Lanes : IQuantizedDotLanes<Vector512<short>, Vector512<int>>
    {
        public static int Step => 32;
        public static Vector512<short> LoadInput(byte* x) => Avx512BW.ConvertToVector512Int16(Vector256.Load(x)).AsInt16();
        public static Vector512<int> MultiplyAdd(Vector512<int> acc, Vector512<short> input, sbyte* w) =>
            acc + Avx512BW.MultiplyAddAdjacent(input, Avx512BW.ConvertToVector512Int16(Vector256.Load(w)));
        public static int Sum(Vector512<int> acc) => Vector512.Sum(acc);
    }

    /// <summary>16 k per step: as <see cref="Avx512Lanes"/> with AVX2.</summary>
    private readonly struct Avx2Lanes : IQuantizedDotLanes<Vector256<short>, Vector256<int>>
    {
        public static int Step => 16;
        public static Vector256<short> LoadInput(byte* x) => Avx2.ConvertToVector256Int16(x).AsInt16();
        public static Vector256<int> MultiplyAdd(Vector256<int> acc, Vector256<short> input, sbyte* w) =>
            acc + Avx2.MultiplyAddAdjacent(input, Avx2.ConvertToVector256Int16(w));
        public static int Sum(Vector256<int> acc) => Vector256.Sum(acc);
    }

    /// <summary>8 k per step: as <see cref="Avx512Lanes"/> with SSE4.1 widening and SSE2 <c>pmaddwd</c>.</summary>
    private readonly struct Sse41Lanes : IQuantizedDotLanes<Vector128<short>, Vector128<int>>
    {
        public static int Step => 8;
        public static Vector128<short> LoadInput(byte* x) => Sse41.ConvertToVector128Int16(x).AsInt16();
        public static Vector128<int> MultiplyAdd(Vector128<int> acc, Vector128<short> input, sbyte* w) =>
            acc + Sse2.MultiplyAddAdjacent(input, Sse41.ConvertToVector128Int16(w));
        public static int Sum(Vector128<int> acc) => Vector128.Sum(acc);
    }

    /// <summary>8 k per step with portable operations only (the Arm64 path): both operands widened to int32 lanes, multiplied and added pairwise.</summary>
    private readonly struct PortableLanes128 : IQuantizedDotLanes<Vector128<short>, Vector128<int>>
    {
        public static int Step => 8;
        public static Vector128<short> LoadInput(byte* x) => Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(ulong*)x).AsByte()).AsInt16();

        public static Vector128<int> MultiplyAdd(Vector128<int> acc, Vector128<short> input, sbyte* w)
        {
            var weights = Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(ulong*)w).AsSByte());
            var (inputLow, inputHigh) = Vector128.Widen(input);
            var (weightsLow, weightsHigh) = Vector128.Widen(weights);
            return acc + (inputLow * weightsLow) + (inputHigh * weightsHigh);
        }

        public static int Sum(Vector128<int> acc) => Vector128.Sum(acc);
    }

    /// <summary>One k per step: the scalar equivalent of every quantized rung.</summary>
    private readonly struct QuantizedLane : IQuantizedDotLanes<int, int>
    {
        public static int Step => 1;
        public static int LoadInput(byte* x) => *x;
        public static int MultiplyAdd(int acc, int input, sbyte* w) => acc + (input * *w);
        public static int Sum(int acc) => acc;
    }

    private readonly struct FloatLanes512 : IFloatDotLanes<Vector512<float>>
    {
        public static int Step => 16;
        public static Vector512<float> Load(float* x) => Vector512.Load(x);
        public static Vector512<float> MultiplyAdd(Vector512<float> acc, Vector512<float> input, float* w) => Vector512.MultiplyAddEstimate(input, Vector512.Load(w), acc);
        public static float Sum(Vector512<float> acc) => Vector512.Sum(acc);
    }

    private readonly struct FloatLanes256 : IFloatDotLanes<Vector256<float>>
    {
        public static int Step => 8;
        public static Vector256<float> Load(float* x) => Vector256.Load(x);
        public static Vector256<float> MultiplyAdd(Vector256<float> acc, Vector256<float> input, float* w) => Vector256.MultiplyAddEstimate(input, Vector256.Load(w), acc);
        public static float Sum(Vector256<float> acc) => Vector256.Sum(acc);
    }

    private readonly struct FloatLanes128 : IFloatDotLanes<Vector128<float>>
    {
        public static int Step => 4;
        public static Vector128<float> Load(float* x) => Vector128.Load(x);
        public static Vector128<float> MultiplyAdd(Vector128<float> acc, Vector128<float> input, float* w) => Vector128.MultiplyAddEstimate(input, Vector128.Load(w), acc);
        public static float Sum(Vector128<float> acc) => Vector128.Sum(acc);
    }

    /// <summary>One k per step: the scalar equivalent of every float rung.</summary>
    private readonly struct FloatLane : IFloatDotLanes<float>
    {
        public static int Step => 1;
        public static float Load(float* x) => *x;
        public static float MultiplyAdd(float acc, float input, float* w) => acc + (input * *w);
        public static float Sum(float acc) => acc;
    }
}
