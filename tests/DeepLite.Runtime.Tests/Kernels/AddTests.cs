using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>ADD and the broadcasting driver shared by the binary kernels.</summary>
public sealed class AddTests
{
    private static FlatTable Activation(FusedActivation activation) => Options((0, (byte)activation));

    public static TheoryData<int[], int[]> ShapePairs() => new()
    {
        { [], [] },
        { [5], [5] },
        { [1], [7] },
        { [7], [1] },
        { [2, 3, 4], [4] },
        { [2, 3, 4], [3, 1] },
        { [2, 1, 4], [1, 3, 1] },
        { [1, 1, 5, 9], [1, 1, 1, 9] },
        { [3, 1, 2, 1, 17], [1, 4, 1, 5, 17] },
        { [2, 3, 1, 4, 1, 3], [1, 3, 5, 1, 2, 1] },
        { [4, 1, 1], [1, 1, 1] },
        { [8, 9], [8, 9] },
        { [2, 0, 3], [1, 1, 3] },
        { [1, 33], [33, 1] },
    };

    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void Add_F32_Optimized_MatchesReference(int[] shapeA, int[] shapeB)
    {
        var a = RandomFloats(Product(shapeA), 1);
        var b = RandomFloats(Product(shapeB), 2);
        var shape = BroadcastReference.OutputShape(shapeA, shapeB);
        var expected = new float[Product(shape)];
        AddReference.F32(shapeA, a, shapeB, b, expected, 0f, 6f);
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [Float(shapeA, a), Float(shapeB, b)], Float([1]), Activation(FusedActivation.Relu6));
        Assert.Equal(shape, output.Shape.ToArray());
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void Add_QU8_Optimized_MatchesReference(int[] shapeA, int[] shapeB)
    {
        var a = RandomBytes(Product(shapeA), 3);
        var b = RandomBytes(Product(shapeB), 4);
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [UInt8(shapeA, 0.02f, 120, a), UInt8(shapeB, 0.05f, 7, b)], UInt8([1], 0.04f, 90),
            Activation(FusedActivation.Relu6));
        var (min, max) = QuantizedRange.ForActivation(FusedActivation.Relu6, TensorType.UInt8, 0.04f, 90);
        var p = XnnpackAddParameters.TryCreate(new(0.02f, 120), new(0.05f, 7), new(0.04f, 90), false, min, max)!.Value;
        var expected = new byte[output.ElementCount];
        AddReference.Quantized<byte>(shapeA, a, shapeB, b, expected, p);
        Assert.Equal(expected, output.ToArray<byte>());
    }

    [Fact]
    public void Add_F32_Kernel_MatchesHandComputed_WithBroadcastAndRelu6()
    {
        var a = Float([2, 1, 3], 1, 2, 3, -4, 5, 6);
        var b = Float([1, 2, 1], 0.5f, -1f);
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [a, b], Float([1]), Activation(FusedActivation.Relu6));
        Assert.Equal([2, 2, 3], output.Shape.ToArray());
        Assert.Equal(new[] { 1.5f, 2.5f, 3.5f, 0f, 1f, 2f, 0f, 5.5f, 6f, 0f, 4f, 5f }, output.ToArray<float>());
    }

    [Fact]
    public void Add_Int32_Kernel_AddsAndClamps()
    {
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [Int32([3], 1, -5, 10), Int32([1], 2)], Int32([3]), Activation(FusedActivation.Relu));
        Assert.Equal(new[] { 3, 0, 12 }, output.ToArray<int>());
    }

    [Fact]
    public void QuantizedAdd_Reference_MatchesHandComputed()
    {
        // Equal scales, zero points 0: the sum of stored values, saturating.
        var p = QuantizedAddParameters.Create(new(0.5f, 0), new(0.5f, 0), new(0.5f, 0), false, 0, 255);
        Assert.Equal(30, p.Apply(10, 20));
        Assert.Equal(255, p.Apply(200, 100));
        // 3 · 0.1 + 8 · 0.2 = 1.9 real; at output scale 0.5 with zero point 10: 3.8 → 4 → 14.
        var q = QuantizedAddParameters.Create(new(0.1f, 0), new(0.2f, 0), new(0.5f, 10), false, 0, 255);
        Assert.Equal(14, q.Apply(3, 8));
        var x = XnnpackAddParameters.TryCreate(new(0.1f, 0), new(0.2f, 0), new(0.5f, 10), false, 0, 255)!.Value;
        Assert.Equal(14, x.Apply(3, 8));
    }

    [Fact]
    public void QuantizedAdd_XnnpackRule_IsWithinOneStepOfReferenceRule()
    {
        var in1 = new QuantizedOperand(0.0235f, 131);
        var in2 = new QuantizedOperand(0.0178f, 120);
        var output = new QuantizedOperand(0.0311f, 125);
        var reference = QuantizedAddParameters.Create(in1, in2, output, false, 0, 255);
        var xnnpack = XnnpackAddParameters.TryCreate(in1, in2, output, false, 0, 255)!.Value;
        int differing = 0;
        for (int a = 0; a < 256; a++)
        {
            for (int b = 0; b < 256; b++)
            {
                int r = reference.Apply(a, b), x = xnnpack.Apply(a, b);
                Assert.True(Math.Abs(r - x) <= 1, $"{a}+{b}: reference {r}, XNNPACK {x}");
                double exact = Math.Clamp(((0.0235 * (a - 131)) + (0.0178 * (b - 120))) / 0.0311 + 125, 0, 255);
                Assert.True(Math.Abs(x - exact) <= 0.5 + 1e-4, $"{a}+{b}: XNNPACK {x}, exact {exact}");
                if (r != x) differing++;
            }
        }
        Assert.True(differing < 256 * 256 / 100, $"{differing} of 65536 sums differ");
    }

    [Fact]
    public void Add_QU8_FallsBackToReferenceRule_WhenXnnpackDeclinesTheScales()
    {
        // Input/output scale ratio 1/2000 is below XNNPACK's 2^-10 limit.
        Assert.Null(XnnpackAddParameters.TryCreate(new(0.001f, 0), new(1f, 0), new(2f, 0), false, 0, 255));
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [UInt8([2], 0.001f, 0, 200, 255), UInt8([2], 1f, 0, 4, 7)], UInt8([2], 2f, 0),
            Activation(FusedActivation.None));
        var p = QuantizedAddParameters.Create(new(0.001f, 0), new(1f, 0), new(2f, 0), false, 0, 255);
        Assert.Equal(new[] { (byte)p.Apply(200, 4), (byte)p.Apply(255, 7) }, output.ToArray<byte>());
        Assert.Equal(new byte[] { 2, 4 }, output.ToArray<byte>());
    }

    [Fact]
    public void Add_QS8_Optimized_MatchesReference_WithScalarBroadcast()
    {
        var a = RandomSBytes(37, 9);
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [Int8([37], 0.1f, -3, a), Int8([], 0.2f, 4, 50)], Int8([1], 0.15f, 1),
            Activation(FusedActivation.Relu));
        var (min, max) = QuantizedRange.ForActivation(FusedActivation.Relu, TensorType.Int8, 0.15f, 1);
        var p = XnnpackAddParameters.TryCreate(new(0.1f, -3), new(0.2f, 4), new(0.15f, 1), false, min, max)!.Value;
        var expected = new sbyte[37];
        AddReference.Quantized<sbyte>([37], a, [], [(sbyte)50], expected, p);
        Assert.Equal(expected, output.ToArray<sbyte>());
        Assert.All(output.ToArray<sbyte>(), v => Assert.True(v >= 1));
    }

    [Fact]
    public void Add_Prepare_RejectsIncompatibleShapes()
    {
        var context = Context(BuiltinOperator.ADD, [Float([2, 3]), Float([2])], Float([2, 3]), Activation(FusedActivation.None));
        Assert.Throws<ModelFormatException>(() => new AddKernel().Prepare(context));
    }

    [Fact]
    public void Add_Prepare_RejectsRankAboveSix()
    {
        var context = Context(BuiltinOperator.ADD, [Float([1, 1, 1, 1, 1, 1, 2]), Float([2])], Float([2]), Activation(FusedActivation.None));
        Assert.Throws<UnsupportedOperatorException>(() => new AddKernel().Prepare(context));
    }

    [Fact]
    public void Add_Prepare_RejectsMixedTypes()
    {
        var context = Context(BuiltinOperator.ADD, [Float([2]), Int32([2])], Float([2]), Activation(FusedActivation.None));
        Assert.Throws<ModelFormatException>(() => new AddKernel().Prepare(context));
    }

    [Fact]
    public void Add_Prepare_RejectsUnsupportedFusedActivation()
    {
        var context = Context(BuiltinOperator.ADD, [Float([2]), Float([2])], Float([2]), Activation(FusedActivation.Tanh));
        Assert.Throws<UnsupportedOperatorException>(() => new AddKernel().Prepare(context));
    }

    [Fact]
    public void VectorLoop_MatchesScalarLoop_AtEveryLengthUpTo256()
    {
        for (int length = 1; length <= 256; length++)
        {
            var a = RandomFloats(length, length);
            var b = RandomFloats(length, 1000 + length);
            a[0] = float.NaN;
            var scalarOnly = new float[] { b[^1] };
            foreach (var (x, y) in new[] { (a, b), (a, scalarOnly), (scalarOnly, b) })
            {
                AssertSameLoops(x, y, length, new AddOperator(-1f, 2f));
                AssertSameLoops(x, y, length, new SubtractOperator(float.NegativeInfinity, float.PositiveInfinity));
                AssertSameLoops(x, y, length, new MultiplyOperator(0f, 6f));
                AssertSameLoops(x, y, length, default(SquaredDifferenceOperator));
                AssertSameLoops(x, y, length, default(PreluOperator));
            }
        }
    }

    private static void AssertSameLoops<TOperator>(float[] a, float[] b, int length, TOperator op) where TOperator : struct, IVectorBinaryOperator
    {
        var scalar = new float[length];
        var vector = new float[length];
        new ScalarLoop<float, TOperator>(op).Run(a, b, scalar);
        new VectorLoop<TOperator>(op).Run(a, b, vector);
        Assert.Equal(scalar, vector);
    }

    [Fact]
    public void BroadcastPlan_MergesDimensions()
    {
        Assert.Equal(1, BroadcastPlan.TryCreate([2, 3, 4], [2, 3, 4], out _)!.LoopRank);
        Assert.Equal(2, BroadcastPlan.TryCreate([1, 5, 5, 8], [8], out _)!.LoopRank);
        Assert.Equal(0, BroadcastPlan.TryCreate([1, 1], [1], out _)!.LoopRank);
        Assert.Null(BroadcastPlan.TryCreate([3], [4], out string? error));
        Assert.NotNull(error);
    }
}
