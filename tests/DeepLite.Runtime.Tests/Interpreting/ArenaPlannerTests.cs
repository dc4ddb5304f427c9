using DeepLite.Runtime.Planning;
using DeepLite.Tests;
using Xunit.Abstractions;

namespace DeepLite.Runtime.Tests.Interpreting;

public sealed class ArenaPlannerTests(ITestOutputHelper output)
{
    [Fact]
    public void Plan_DisjointLifetimes_ShareMemory()
    {
        var plan = ArenaPlanner.Plan([new(0, 1000, 0, 1), new(1, 1000, 2, 3), new(2, 500, 1, 2)]);
        Assert.Equal(plan.Offsets[0], plan.Offsets[1]);
        Assert.NotEqual(plan.Offsets[0], plan.Offsets[2]);
        Assert.Equal(2500, plan.NaiveBytes);
        Assert.True(plan.ArenaBytes < plan.NaiveBytes);
    }

    [Fact]
    public void Plan_RandomGraphs_NeverOverlapLiveTensors()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var tensors = Enumerable.Range(0, 30).Select(i =>
            {
                int first = random.Next(-1, 20);
                return new TensorLifetime(i, random.Next(1, 5000), first, first + random.Next(0, 6));
            }).ToList();
            var plan = ArenaPlanner.Plan(tensors);
            foreach (var a in tensors)
            {
                long offset = plan.Offsets[a.TensorIndex];
                Assert.Equal(0, offset % ArenaPlanner.Alignment);
                Assert.True(offset + a.Bytes <= plan.ArenaBytes);
                foreach (var b in tensors)
                {
                    if (a.TensorIndex >= b.TensorIndex || !a.Overlaps(b)) continue;
                    long other = plan.Offsets[b.TensorIndex];
                    Assert.True(offset + a.Bytes <= other || other + b.Bytes <= offset, $"tensors {a.TensorIndex} and {b.TensorIndex} overlap");
                }
            }
        }
    }

    [Fact]
    public void MobileNetV2_ArenaIsAtMostFortyPercentOfNaive()
    {
        using var model = TfLiteModel.Load(TestData.Model("mobilenet_v2_1.0_224_quant.tflite"));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var plan = interpreter.MemoryPlan!;
        double ratio = (double)plan.ArenaBytes / plan.NaiveBytes;
        output.WriteLine($"MobileNet v2 quant: arena {plan.ArenaBytes:N0} bytes, naive {plan.NaiveBytes:N0} bytes ({ratio:P1}).");
        Assert.True(ratio <= 0.40, $"arena is {ratio:P1} of the naive sum");
    }

    [Fact]
    public void ResizeInput_ReplansAndRuns()
    {
        using var model = TfLiteModel.Load(Path.Combine(TestData.Ops, "add.float32.tflite"));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        long before = interpreter.MemoryPlan!.ArenaBytes;
        interpreter.ResizeInput(0, [1, 2, 2, 1]);
        interpreter.ResizeInput(1, [1, 2, 2, 1]);
        Assert.Throws<InvalidOperationException>(() => interpreter.Invoke());
        interpreter.AllocateTensors();
        Assert.True(interpreter.MemoryPlan!.ArenaBytes < before);
        interpreter.Inputs[0].CopyFrom<float>([1, 2, 3, 4]);
        interpreter.Inputs[1].CopyFrom<float>([10, 20, 30, 40]);
        interpreter.Invoke();
        Assert.Equal([11f, 22f, 33f, 44f], interpreter.Outputs[0].ToArray<float>());
    }

    [Fact]
    public void Tensors_WrongTypeOrSize_GiveClearErrors()
    {
        using var model = TfLiteModel.Load(TestData.Model("mobilenet_v1_0.25_128_quant.tflite"));
        using var interpreter = new Interpreter(model);
        Assert.Contains("AllocateTensors", Assert.Throws<InvalidOperationException>(() => interpreter.Inputs[0].AsSpan<byte>()).Message);
        interpreter.AllocateTensors();
        Assert.Contains("uint8", Assert.Throws<InvalidOperationException>(() => interpreter.Inputs[0].AsSpan<float>()).Message);
        Assert.Contains("49152", Assert.Throws<ArgumentException>(() => interpreter.Inputs[0].CopyFrom<byte>(new byte[10])).Message);
        Assert.Equal("input", interpreter.GetInput("input").Name);
        Assert.Throws<KeyNotFoundException>(() => interpreter.GetInput("nope"));
    }
}
