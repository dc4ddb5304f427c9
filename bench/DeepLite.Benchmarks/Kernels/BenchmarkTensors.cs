using DeepLite.Runtime;

namespace DeepLite.Benchmarks.Kernels;

/// <summary>The data types the kernel benchmarks cover.</summary>
public enum KernelDataType
{
    /// <summary>float32 activations, weights and bias.</summary>
    F32,

    /// <summary>uint8 asymmetric per-tensor activations and weights, int32 bias (MobileNet v1/v2 quant).</summary>
    QU8,
}

/// <summary>
/// Tensors for the kernel benchmarks, filled with seeded random values: float32 in [−1, 1); uint8 over its whole
/// range; int32 bias in [−1000, 1000]. uint8 quantization is typical of the uint8 MobileNets: <see cref="Activation"/>
/// by default, weights with scale 0.02 and zero point 128.
/// </summary>
internal static class BenchmarkTensors
{
    public const int Seed = 1;

    public static readonly KernelDataType[] DataTypes = [KernelDataType.F32, KernelDataType.QU8];

    /// <summary>An activation after ReLU6: scale 6/255, zero point 0.</summary>
    public static QuantizationParameters Activation => new([6f / 255], [0], 0);

    /// <summary>The image input: scale 1/128, zero point 128.</summary>
    public static QuantizationParameters Image => new([1f / 128], [128], 0);

    private static QuantizationParameters WeightQuantization => new([0.02f], [128], 0);

    public static int ElementSize(KernelDataType type) => type == KernelDataType.F32 ? 4 : 1;

    public static long Elements(params int[] shape) => shape.Aggregate(1L, (product, d) => product * d);

    /// <summary>A random activation tensor; uint8 ones get <paramref name="quantization"/> (default <see cref="Activation"/>).</summary>
    public static Tensor Input(KernelDataType type, int[] shape, Random random, QuantizationParameters? quantization = null)
    {
        var tensor = Output(type, shape, quantization);
        Fill(tensor.AsBytes(), type, random);
        return tensor;
    }

    /// <summary>An output tensor; uint8 ones get <paramref name="quantization"/> (default <see cref="Activation"/>).</summary>
    public static Tensor Output(KernelDataType type, int[] shape, QuantizationParameters? quantization = null) => type == KernelDataType.F32
        ? Tensor.Create(TensorType.Float32, shape)
        : Tensor.Create(TensorType.UInt8, shape, quantization ?? Activation);

    /// <summary>Random constant weights.</summary>
    public static Tensor Weights(KernelDataType type, int[] shape, Random random)
    {
        var bytes = new byte[Elements(shape) * ElementSize(type)];
        Fill(bytes, type, random);
        return type == KernelDataType.F32
            ? Tensor.CreateConstant(TensorType.Float32, shape, bytes)
            : Tensor.CreateConstant(TensorType.UInt8, shape, bytes, WeightQuantization);
    }

    /// <summary>Random constant bias of <paramref name="count"/> channels: float32, or int32 with scale input scale × weights scale.</summary>
    public static Tensor Bias(KernelDataType type, Tensor input, Tensor weights, int count, Random random)
    {
        if (type == KernelDataType.F32) return Weights(type, [count], random);
        var values = new int[count];
        for (int i = 0; i < count; i++) values[i] = random.Next(-1000, 1001);
        var bytes = new byte[count * sizeof(int)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        float scale = input.Quantization!.Scale * weights.Quantization!.Scale;
        return Tensor.CreateConstant(TensorType.Int32, [count], bytes, new QuantizationParameters([scale], [0], 0));
    }

    private static void Fill(Span<byte> bytes, KernelDataType type, Random random)
    {
        if (type == KernelDataType.QU8)
        {
            random.NextBytes(bytes);
            return;
        }
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
        for (int i = 0; i < floats.Length; i++) floats[i] = (random.NextSingle() * 2) - 1;
    }
}
