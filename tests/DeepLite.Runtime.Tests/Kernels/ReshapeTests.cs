using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime.Tests.Kernels;

public sealed class ReshapeTests
{
    [Fact]
    public void Reshape_ResolveShape_InfersTheMinusOneDimension()
    {
        Assert.Equal([2, 3, 4], ReshapeReference.ResolveShape([2, -1, 4], 24, out _)!);
        Assert.Equal([24], ReshapeReference.ResolveShape([-1], 24, out _)!);
        Assert.Equal([1, 1001], ReshapeReference.ResolveShape([1, 1001], 1001, out _)!);
        Assert.Equal([0, 5], ReshapeReference.ResolveShape([0, 5], 0, out _)!);
    }

    [Theory]
    [InlineData(new[] { -1, -1 }, 6)]
    [InlineData(new[] { 4, -1 }, 6)]
    [InlineData(new[] { 0, -1 }, 6)]
    [InlineData(new[] { 2, 2 }, 6)]
    [InlineData(new[] { -2, -3 }, 6)]
    public void Reshape_ResolveShape_RejectsImpossibleShapes(int[] requested, long elements)
    {
        Assert.Null(ReshapeReference.ResolveShape(requested, elements, out string error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Reshape_F32_ShapeFromConstantInput_CopiesInOrder()
    {
        var input = ShapeOpTesting.Floats([1, 2, 3], 1, 2, 3, 4, 5, 6);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new ReshapeKernel(), BuiltinOperator.RESHAPE, [input, ShapeOpTesting.Ints([2], 3, -1)], [output]);
        Assert.Equal([3, 2], output.Shape.ToArray());
        Assert.Equal([1f, 2, 3, 4, 5, 6], output.ToArray<float>());
    }

    [Fact]
    public void Reshape_QU8_ShapeFromOption_KeepsBytes()
    {
        var q = new QuantizationParameters([0.5f], [3], 0);
        var input = ShapeOpTesting.Bytes([1, 1, 1, 4], q, 9, 8, 7, 6);
        var output = Tensor.Create(TensorType.UInt8, [1], q);
        ShapeOpTesting.Run(new ReshapeKernel(), BuiltinOperator.RESHAPE, [input], [output], ShapeOpTesting.Options((0, new[] { 1, 4 })));
        Assert.Equal([1, 4], output.Shape.ToArray());
        Assert.Equal([9, 8, 7, 6], output.ToArray<byte>());
    }

    [Fact]
    public void Reshape_LegacyZeroOption_MeansScalar()
    {
        var input = ShapeOpTesting.Floats([1, 1], 42);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new ReshapeKernel(), BuiltinOperator.RESHAPE, [input], [output], ShapeOpTesting.Options((0, new[] { 0 })));
        Assert.Equal(0, output.Rank);
        Assert.Equal([42f], output.ToArray<float>());
    }

    [Fact]
    public void Reshape_Int64_FourElementsToTwoByTwo()
    {
        var input = Tensor.Create(TensorType.Int64, [4]);
        input.CopyFrom<long>([long.MinValue, -1, 1, long.MaxValue]);
        var output = Tensor.Create(TensorType.Int64, [1]);
        ShapeOpTesting.Run(new ReshapeKernel(), BuiltinOperator.RESHAPE, [input, ShapeOpTesting.Ints([2], 2, 2)], [output]);
        Assert.Equal([2, 2], output.Shape.ToArray());
        Assert.Equal([long.MinValue, -1, 1, long.MaxValue], output.ToArray<long>());
    }

    [Fact]
    public void Reshape_Prepare_RejectsElementCountChange()
    {
        var input = ShapeOpTesting.Floats([2, 3], new float[6]);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new ReshapeKernel(), BuiltinOperator.RESHAPE, [input, ShapeOpTesting.Ints([2], 4, 2)], [output]));
    }

    [Fact]
    public void Reshape_Prepare_RejectsRequantization()
    {
        var input = ShapeOpTesting.Bytes([2], new QuantizationParameters([0.5f], [3], 0), 1, 2);
        var output = Tensor.Create(TensorType.UInt8, [2], new QuantizationParameters([0.25f], [3], 0));
        Assert.Throws<UnsupportedOperatorException>(() =>
            ShapeOpTesting.Run(new ReshapeKernel(), BuiltinOperator.RESHAPE, [input, ShapeOpTesting.Ints([1], 2)], [output]));
    }

    [Fact]
    public void Reshape_Prepare_RejectsTypeChange()
    {
        var input = ShapeOpTesting.Floats([2], 1, 2);
        var output = Tensor.Create(TensorType.Int32, [2]);
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new ReshapeKernel(), BuiltinOperator.RESHAPE, [input, ShapeOpTesting.Ints([1], 2)], [output]));
    }

    [Fact]
    public void Reshape_Prepare_RejectsShapeComputedAtRunTime()
    {
        var input = ShapeOpTesting.Floats([2], 1, 2);
        var shape = Tensor.Create(TensorType.Int32, [1]);
        var output = Tensor.Create(TensorType.Float32, [2]);
        Assert.Throws<UnsupportedOperatorException>(() =>
            ShapeOpTesting.Run(new ReshapeKernel(), BuiltinOperator.RESHAPE, [input, shape], [output]));
    }

    [Fact]
    public void Squeeze_SqueezeShape_DropsAllOnesOrTheListedAxes()
    {
        Assert.Equal([3, 2], ReshapeReference.SqueezeShape([1, 3, 1, 2, 1], []));
        Assert.Equal([3, 1, 2, 1], ReshapeReference.SqueezeShape([1, 3, 1, 2, 1], [0]));
        Assert.Equal([1, 3, 2], ReshapeReference.SqueezeShape([1, 3, 1, 2, 1], [2, 4]));
        Assert.Empty(ReshapeReference.SqueezeShape([1, 1], []));
    }

    [Fact]
    public void Squeeze_F32_NegativeAxes()
    {
        var input = ShapeOpTesting.Floats([1, 1, 1, 3], 1, 2, 3);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new SqueezeKernel(), BuiltinOperator.SQUEEZE, [input], [output], ShapeOpTesting.Options((0, new[] { -3, -2 })));
        Assert.Equal([1, 3], output.Shape.ToArray());
        Assert.Equal([1f, 2, 3], output.ToArray<float>());
    }

    [Fact]
    public void Squeeze_EmptyList_DropsEverySizeOneAxis()
    {
        var input = ShapeOpTesting.Floats([1, 1, 1, 3], 1, 2, 3);
        var output = Tensor.Create(TensorType.Float32, [1]);
        ShapeOpTesting.Run(new SqueezeKernel(), BuiltinOperator.SQUEEZE, [input], [output]);
        Assert.Equal([3], output.Shape.ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(-5)]
    public void Squeeze_Prepare_RejectsAxesThatAreNotSizeOneOrOutOfRange(int axis)
    {
        var input = ShapeOpTesting.Floats([1, 1, 1, 3], 1, 2, 3);
        var output = Tensor.Create(TensorType.Float32, [1]);
        Assert.Throws<ModelFormatException>(() =>
            ShapeOpTesting.Run(new SqueezeKernel(), BuiltinOperator.SQUEEZE, [input], [output], ShapeOpTesting.Options((0, new[] { axis }))));
    }
}

/// <summary>Builds tensors, option tables and contexts for the shape-operator kernel tests.</summary>
internal static class ShapeOpTesting
{
    public static Tensor Floats(int[] shape, params float[] values)
    {
        var tensor = Tensor.Create(TensorType.Float32, shape);
        tensor.CopyFrom<float>(values);
        return tensor;
    }

    public static Tensor Bytes(int[] shape, QuantizationParameters? quantization, params byte[] values)
    {
        var tensor = Tensor.Create(TensorType.UInt8, shape, quantization);
        tensor.CopyFrom<byte>(values);
        return tensor;
    }

    public static Tensor SBytes(int[] shape, QuantizationParameters? quantization, params sbyte[] values)
    {
        var tensor = Tensor.Create(TensorType.Int8, shape, quantization);
        tensor.CopyFrom<sbyte>(values);
        return tensor;
    }

    public static Tensor Int32s(int[] shape, params int[] values)
    {
        var tensor = Tensor.Create(TensorType.Int32, shape);
        tensor.CopyFrom<int>(values);
        return tensor;
    }

    /// <summary>A constant int32 tensor, as the model's shape, axis, perm and paddings operands are.</summary>
    public static Tensor Ints(int[] shape, params int[] values) =>
        Tensor.CreateConstant(TensorType.Int32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>
    /// A FlatBuffers options table with the given fields: int, byte and bool scalars and int vectors.
    /// Layout: the vtable at byte 0, the table after it with one 4-byte slot per field index, then the vectors.
    /// </summary>
    public static FlatTable Options(params (int Field, object Value)[] fields)
    {
        int fieldCount = fields.Length == 0 ? 0 : fields.Max(f => f.Field) + 1;
        int vtableLength = 4 + (2 * fieldCount);
        int tablePosition = (vtableLength + 3) & ~3;
        int tableLength = 4 + (4 * fieldCount);
        var vectors = fields.Where(f => f.Value is int[]).ToArray();
        int total = tablePosition + tableLength + vectors.Sum(f => 4 + (4 * ((int[])f.Value).Length));
        var buffer = new byte[total];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)vtableLength);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(2), (ushort)tableLength);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(tablePosition), tablePosition);
        int vectorPosition = tablePosition + tableLength;
        foreach (var (field, value) in fields)
        {
            int slot = 4 + (4 * field);
            BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4 + (2 * field)), (ushort)slot);
            int at = tablePosition + slot;
            switch (value)
            {
                case int i:
                    BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), i);
                    break;
                case bool b:
                    buffer[at] = b ? (byte)1 : (byte)0;
                    break;
                case byte b:
                    buffer[at] = b;
                    break;
                case int[] vector:
                    BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), (uint)(vectorPosition - at));
                    BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(vectorPosition), vector.Length);
                    for (int k = 0; k < vector.Length; k++) BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(vectorPosition + 4 + (4 * k)), vector[k]);
                    vectorPosition += 4 + (4 * vector.Length);
                    break;
                default:
                    throw new ArgumentException($"unsupported option value {value}.", nameof(fields));
            }
        }
        return new FlatTable(buffer, tablePosition, "test options");
    }

    /// <summary>Prepares the kernel, gives each output memory for its new shape, and evaluates it.</summary>
    public static void Run(OperatorKernel kernel, BuiltinOperator op, Tensor?[] inputs, Tensor[] outputs, FlatTable options = default)
    {
        var context = KernelContext.ForTensors(new OperatorCode(op, null, 1), inputs, outputs, options);
        kernel.Prepare(context);
        foreach (var output in outputs)
        {
            if (!output.HasData) output.Bind(new byte[output.ByteLength]);
        }
        kernel.Eval(context);
    }
}
