using DeepLite.Runtime.Threading;
using DeepLite.Tests;

namespace DeepLite.Runtime.Tests.Interpreting;

[Collection("allocation counting")]
public sealed class WorkerPoolTests
{
    private sealed class Marker(int length) : IParallelWork
    {
        public int[] Hits { get; } = new int[length];

        public void Run(int begin, int end)
        {
            for (int i = begin; i < end; i++) Interlocked.Increment(ref Hits[i]);
        }
    }

    private sealed class Failing : IParallelWork
    {
        public void Run(int begin, int end)
        {
            if (begin > 0) throw new InvalidOperationException("chunk failed");
        }
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 1000)]
    [InlineData(4, 5)]
    public void Run_CoversEveryItemExactlyOnce(int threads, int count)
    {
        using var pool = new WorkerPool(threads);
        for (int repeat = 0; repeat < 50; repeat++)
        {
            var work = new Marker(count);
            pool.Run(work, count);
            Assert.All(work.Hits, h => Assert.Equal(1, h));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Run_AcrossSpinAndSleep_NeverLosesAWakeUp(int threads)
    {
        // Gaps of 0, ~spin length and well past it between runs: workers are caught spinning, just falling asleep
        // and asleep. A lost wake-up would hang, so the loop runs on another thread under a deadline.
        var loop = Task.Run(() =>
        {
            using var pool = new WorkerPool(threads);
            var random = new Random(7);
            for (int repeat = 0; repeat < 600; repeat++)
            {
                var work = new Marker(threads * 3);
                pool.Run(work, work.Hits.Length);
                Assert.All(work.Hits, h => Assert.Equal(1, h));
                switch (random.Next(4))
                {
                    case 0: break;
                    case 1: Thread.SpinWait(random.Next(1, 20_000)); break;
                    case 2: Thread.Sleep(0); break;
                    default: Thread.Sleep(1); break;
                }
            }
        });
        var finished = await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == loop, "WorkerPool.Run did not return: a worker missed its wake-up");
        await loop;
    }

    [Fact]
    public void Run_WorkerException_IsRethrownOnTheCaller()
    {
        using var pool = new WorkerPool(2);
        var e = Assert.Throws<AggregateException>(() => pool.Run(new Failing(), 10));
        Assert.IsType<InvalidOperationException>(e.InnerException);
        var work = new Marker(10);
        pool.Run(work, 10);
        Assert.All(work.Hits, h => Assert.Equal(1, h));
    }

    [Theory]
    [InlineData("mobilenet_v1_0.25_128_quant.tflite")]
    [InlineData("mobilenet_v1_0.25_128_float.tflite")]
    [InlineData("mobilenet_v2_1.0_224_quant.tflite")]
    public void Invoke_HundredTimes_AllocatesNothing(string file)
    {
        using var model = TfLiteModel.Load(TestData.Model(file));
        foreach (int threads in new[] { 1, 2 })
        {
            using var interpreter = new Interpreter(model, new InterpreterOptions { Threads = threads });
            interpreter.AllocateTensors();
            interpreter.Inputs[0].AsBytes().Fill(100);
            // The calling thread's allocations: process-wide counts include the runtime's own
            // background threads (tiered JIT, timers), which are not ours to control.
            AllocationAssert.SteadyStateAllocatesNothing(interpreter.Invoke, $"{file} with {threads} threads: Invoke");
        }
    }

    [Fact]
    public void Threads_TwoOrOne_GiveIdenticalOutputs()
    {
        using var model = TfLiteModel.Load(TestData.Model("mobilenet_v1_0.25_128_quant.tflite"));
        byte[] input = File.ReadAllBytes(Path.Combine(TestData.Golden, "mobilenet_v1_0.25_128_quant__cat__bilinear.input.bin"));
        byte[] Run(int threads)
        {
            using var interpreter = new Interpreter(model, new InterpreterOptions { Threads = threads });
            interpreter.AllocateTensors();
            interpreter.Inputs[0].CopyFromBytes(input);
            interpreter.Invoke();
            return interpreter.Outputs[0].AsReadOnlyBytes().ToArray();
        }
        Assert.Equal(Run(1), Run(2));
    }
}

/// <summary>Allocation counts are process-wide, so these tests run alone, after the parallel ones.</summary>
[CollectionDefinition("allocation counting", DisableParallelization = true)]
public sealed class AllocationCountingCollection;
