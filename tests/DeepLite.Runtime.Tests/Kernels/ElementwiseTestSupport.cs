using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DeepLite.Runtime.Format;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>Builders shared by the pooling, activation, reduction and elementwise kernel tests.</summary>
internal static class ElementwiseTestSupport
{
    /// <summary>An options table with the given scalar fields: values are byte, bool, int or float.</summary>
    public static FlatTable Options(params (int Field, object Value)[] fields)
    {
        int fieldCount = fields.Length == 0 ? 0 : fields.Max(f => f.Field) + 1;
        int vtableLength = 4 + (2 * fieldCount);
        int tablePosition = (vtableLength + 3) / 4 * 4;
        int tableLength = 4 + (4 * fields.Length);
        var bytes = new byte[tablePosition + tableLength];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(0), (ushort)vtableLength);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), (ushort)tableLength);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(tablePosition), tablePosition);
        for (int i = 0; i < fields.Length; i++)
        {
            var (field, value) = fields[i];
            int offset = 4 + (4 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4 + (2 * field)), (ushort)offset);
            var slot = bytes.AsSpan(tablePosition + offset);
            switch (value)
            {
                case byte b: slot[0] = b; break;
                case bool flag: slot[0] = flag ? (byte)1 : (byte)0; break;
                case int n: BinaryPrimitives.WriteInt32LittleEndian(slot, n); break;
                case float f: BinaryPrimitives.WriteSingleLittleEndian(slot, f); break;
                default: throw new ArgumentException($"Unsupported option value {value}.");
            }
        }
        return new FlatTable(bytes, tablePosition, "test options");
    }

    public static Tensor Float(int[] shape, params float[] values)
    {
        var tensor = Tensor.Create(TensorType.Float32, shape);
        if (values.Length > 0) tensor.CopyFrom<float>(values);
        return tensor;
    }

    public static Tensor Int32(int[] shape, params int[] values)
    {
        var tensor = Tensor.Create(TensorType.Int32, shape);
        if (values.Length > 0) tensor.CopyFrom<int>(values);
        return tensor;
    }

    public static Tensor UInt8(int[] shape, float scale, int zeroPoint, params byte[] values)
    {
        var tensor = Tensor.Create(TensorType.UInt8, shape, new QuantizationParameters([scale], [zeroPoint], 0));
        if (values.Length > 0) tensor.CopyFrom<byte>(values);
        return tensor;
    }

    public static Tensor Int8(int[] shape, float scale, int zeroPoint, params sbyte[] values)
    {
        var tensor = Tensor.Create(TensorType.Int8, shape, new QuantizationParameters([scale], [zeroPoint], 0));
        if (values.Length > 0) tensor.CopyFrom<sbyte>(values);
        return tensor;
    }

    /// <summary>A constant tensor (as a model's weights or axes would be) holding <paramref name="values"/>.</summary>
    public static Tensor Constant<T>(TensorType type, int[] shape, T[] values, QuantizationParameters? quantization = null) where T : unmanaged =>
        Tensor.CreateConstant(type, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), quantization);

    public static KernelContext Context(BuiltinOperator op, Tensor?[] inputs, Tensor output, FlatTable options = default) =>
        KernelContext.ForTensors(new OperatorCode(op, null, 1), inputs, [output], options);

    /// <summary>Prepares and runs <paramref name="kernel"/> once on the context.</summary>
    public static void Run(OperatorKernel kernel, KernelContext context)
    {
        kernel.Prepare(context);
        kernel.Eval(context);
    }

    /// <summary>Prepares (which may resize the output) and runs a kernel on free-standing tensors; returns the output.</summary>
    public static Tensor Run(OperatorKernel kernel, BuiltinOperator op, Tensor?[] inputs, Tensor output, FlatTable options = default)
    {
        var context = Context(op, inputs, output, options);
        kernel.Prepare(context);
        var resized = context.Output(0);
        if (!resized.HasData) resized.Bind(new byte[resized.ByteLength]);
        kernel.Eval(context);
        return resized;
    }

    /// <summary>Seeded uniform float32 values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static float[] RandomFloats(int count, int seed, float low = -4f, float high = 4f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = low + ((high - low) * random.NextSingle());
        return values;
    }

    /// <summary>Seeded uniform bytes.</summary>
    public static byte[] RandomBytes(int count, int seed)
    {
        var values = new byte[count];
        new Random(seed).NextBytes(values);
        return values;
    }

    public static sbyte[] RandomSBytes(int count, int seed) => RandomBytes(count, seed).Select(b => unchecked((sbyte)b)).ToArray();

    public static int Product(int[] shape) => shape.Aggregate(1, (a, b) => a * b);
}
