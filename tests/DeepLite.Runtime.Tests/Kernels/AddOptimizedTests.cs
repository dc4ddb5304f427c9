using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;
using static DeepLite.Runtime.Tests.Kernels.ElementwiseTestSupport;
using static DeepLite.Runtime.Tests.Kernels.OptimizedKernelTestSupport;

namespace DeepLite.Runtime.Tests.Kernels;

/// <summary>The vectorized 8-bit ADD/SUB microkernels and the ADD kernel against the reference, at every tier, length and broadcast.</summary>
public sealed class AddOptimizedTests
{
    /// <summary>(input 1, input 2, output) quantizations with ratios from 2^-9 to 2^7, including XNNPACK's largest shift.</summary>
    private static readonly (QuantizedOperand A, QuantizedOperand B, QuantizedOperand Output)[] Scales =
    [
        (new(0.02f, 120), new(0.05f, 7), new(0.04f, 90)),
        (new(0.0235f, 131), new(0.0178f, 120), new(0.0311f, 125)),
        (new(0.5f, 0), new(0.001f, 255), new(0.9f, 3)),
        (new(3f, 200), new(2.5f, 10), new(0.024f, 128)),
    ];

    private static IEnumerable<XnnpackAddParameters> Parameters(TensorType type)
    {
        foreach (var (a, b, output) in Scales)
        {
            var (sa, sb, so) = type == TensorType.UInt8 ? (a, b, output) : (a with { ZeroPoint = a.ZeroPoint - 128 }, b with { ZeroPoint = b.ZeroPoint - 128 }, output with { ZeroPoint = output.ZeroPoint - 128 });
            foreach (bool subtract in new[] { false, true })
            {
                foreach (var activation in new[] { FusedActivation.None, FusedActivation.Relu6 })
                {
                    var (min, max) = QuantizedRange.ForActivation(activation, type, so.Scale, so.ZeroPoint);
                    yield return XnnpackAddParameters.TryCreate(sa, sb, so, subtract, min, max) ?? throw new InvalidOperationException("XNNPACK declined test scales.");
                }
            }
        }
    }

    [Fact]
    public void Add_QU8_Optimized_MatchesReference() => AssertMicrokernelsMatchApply(TensorType.UInt8, RandomBytes);

    [Fact]
    public void Add_QS8_Optimized_MatchesReference() => AssertMicrokernelsMatchApply(TensorType.Int8, RandomSBytes);

    private static void AssertMicrokernelsMatchApply<T>(TensorType type, Func<int, int, T[]> random)
        where T : unmanaged
    {
        foreach (var p in Parameters(type))
        {
            foreach (int length in Lengths)
            {
                var a = random(length, length);
                var b = random(length, length + 7919);
                var constant = random(1, length + 31)[0];
                var expected = new T[length];
                var expectedFirst = new T[length];
                var expectedSecond = new T[length];
                for (int i = 0; i < length; i++)
                {
                    expected[i] = ByteLanes.FromInt32<T>(p.Apply(ByteLanes.ToInt32(a[i]), ByteLanes.ToInt32(b[i])));
                    expectedFirst[i] = ByteLanes.FromInt32<T>(p.Apply(ByteLanes.ToInt32(constant), ByteLanes.ToInt32(a[i])));
                    expectedSecond[i] = ByteLanes.FromInt32<T>(p.Apply(ByteLanes.ToInt32(a[i]), ByteLanes.ToInt32(constant)));
                }
                foreach (var tier in Tiers)
                {
                    var actual = new T[length];
                    XnnpackAddMicrokernels.Elementwise<T>(a, b, actual, p, tier);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"vadd {tier} length {length} {p}");
                    XnnpackAddMicrokernels.WithConstant<T>(a, constant, constantIsFirst: true, actual, p, tier);
                    Assert.True(expectedFirst.AsSpan().SequenceEqual(actual), $"vaddc (constant first) {tier} length {length} {p}");
                    XnnpackAddMicrokernels.WithConstant<T>(a, constant, constantIsFirst: false, actual, p, tier);
                    Assert.True(expectedSecond.AsSpan().SequenceEqual(actual), $"vaddc (constant second) {tier} length {length} {p}");
                }
            }
        }
    }

    /// <summary>Broadcast pairs whose inner run is below, at or above each vector width.</summary>
    public static TheoryData<int[], int[]> BroadcastShapes()
    {
        var data = new TheoryData<int[], int[]>();
        foreach (int c in Channels)
        {
            data.Add([2, 3, c], [c]);
            data.Add([c], [2, 3, c]);
            data.Add([2, 3, c], [2, 3, c]);
            data.Add([2, 1, c], [1, 3, 1]);
            data.Add([1], [3, c]);
            data.Add([3, c, 2], [3, 1, 2]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Add_QU8_Optimized_MatchesReference_WithBroadcast(int[] shapeA, int[] shapeB)
    {
        var (qa, qb, qo) = Scales[0];
        var a = RandomBytes(Product(shapeA), 3);
        var b = RandomBytes(Product(shapeB), 4);
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [UInt8(shapeA, qa.Scale, qa.ZeroPoint, a), UInt8(shapeB, qb.Scale, qb.ZeroPoint, b)],
            UInt8([1], qo.Scale, qo.ZeroPoint), Options((0, (byte)FusedActivation.Relu6)));
        var (min, max) = QuantizedRange.ForActivation(FusedActivation.Relu6, TensorType.UInt8, qo.Scale, qo.ZeroPoint);
        var expected = new byte[output.ElementCount];
        AddReference.Quantized<byte>(shapeA, a, shapeB, b, expected, XnnpackAddParameters.TryCreate(qa, qb, qo, false, min, max)!.Value);
        Assert.Equal(expected, output.ToArray<byte>());
    }

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Add_QS8_Optimized_MatchesReference_WithBroadcast(int[] shapeA, int[] shapeB)
    {
        var (qa, qb, qo) = (new QuantizedOperand(0.1f, -3), new QuantizedOperand(0.2f, 4), new QuantizedOperand(0.15f, 1));
        var a = RandomSBytes(Product(shapeA), 5);
        var b = RandomSBytes(Product(shapeB), 6);
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [Int8(shapeA, qa.Scale, qa.ZeroPoint, a), Int8(shapeB, qb.Scale, qb.ZeroPoint, b)],
            Int8([1], qo.Scale, qo.ZeroPoint), Options((0, (byte)FusedActivation.None)));
        var expected = new sbyte[output.ElementCount];
        AddReference.Quantized<sbyte>(shapeA, a, shapeB, b, expected, XnnpackAddParameters.TryCreate(qa, qb, qo, false, -128, 127)!.Value);
        Assert.Equal(expected, output.ToArray<sbyte>());
    }

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Add_F32_Optimized_MatchesReference(int[] shapeA, int[] shapeB)
    {
        var a = RandomFloats(Product(shapeA), 7);
        var b = RandomFloats(Product(shapeB), 8);
        var output = Run(new AddKernel(), BuiltinOperator.ADD, [Float(shapeA, a), Float(shapeB, b)], Float([1]), Options((0, (byte)FusedActivation.Relu)));
        var expected = new float[output.ElementCount];
        AddReference.F32(shapeA, a, shapeB, b, expected, 0f, float.PositiveInfinity);
        Assert.Equal(expected, output.ToArray<float>());
    }

    [Theory]
    [InlineData(new[] { 1, 70, 33, 32 }, new[] { 1, 70, 33, 32 })]
    [InlineData(new[] { 1, 70, 33, 32 }, new int[0])]
    [InlineData(new[] { 1 }, new[] { 2, 35, 33, 33 })]
    public void Add_QU8_Optimized_MatchesReference_SplitAcrossWorkers(int[] shapeA, int[] shapeB)
    {
        var (qa, qb, qo) = Scales[1];
        var a = RandomBytes(Product(shapeA), 9);
        var b = RandomBytes(Product(shapeB), 10);
        var output = RunWithThreads(new AddKernel(), BuiltinOperator.ADD, [UInt8(shapeA, qa.Scale, qa.ZeroPoint, a), UInt8(shapeB, qb.Scale, qb.ZeroPoint, b)],
            UInt8([1], qo.Scale, qo.ZeroPoint), Options((0, (byte)FusedActivation.None)), threads: 2);
        Assert.True(output.ElementCount >= AddOrSubtractKernel.MinimumParallelElements);
        var expected = new byte[output.ElementCount];
        AddReference.Quantized<byte>(shapeA, a, shapeB, b, expected, XnnpackAddParameters.TryCreate(qa, qb, qo, false, 0, 255)!.Value);
        Assert.Equal(expected, output.ToArray<byte>());
    }

    [Fact]
    public void Add_F32_Optimized_MatchesReference_SplitAcrossWorkers()
    {
        int[] shape = [3, 100, 250];
        var a = RandomFloats(Product(shape), 11);
        var b = RandomFloats(Product(shape), 12);
        var output = RunWithThreads(new AddKernel(), BuiltinOperator.ADD, [Float(shape, a), Float(shape, b)], Float([1]), Options((0, (byte)FusedActivation.Relu6)), threads: 2);
        var expected = new float[output.ElementCount];
        AddReference.F32(shape, a, shape, b, expected, 0f, 6f);
        Assert.Equal(expected, output.ToArray<float>());
    }
}
