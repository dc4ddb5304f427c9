using DeepLite.Tests;
using Xunit.Abstractions;

namespace DeepLite.Runtime.Tests.Format;

/// <summary>
/// Mutates real models (bit flips, overwritten words, truncation) thousands of times with a fixed
/// seed and runs each mutant through load, allocation and one inference. Every outcome must be
/// success or a <see cref="DeepLiteException"/>: never an out-of-range access, a crash or a huge allocation.
/// </summary>
public sealed class ModelFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Corpus =
    [
        "models/mobilenet_v1_0.25_128_quant.tflite",
        "models/mobilenet_v1_0.25_128_float.tflite",
        "models/invalid_model_invoking_error.tflite",
        "ops/conv.uint8.tflite",
        "ops/depthwise-conv.uint8.tflite",
        "ops/add-broadcast.float32.tflite",
        "ops/concat.float32.tflite",
        "ops/stridedslice.float32.tflite",
        "ops/transposeconv-samepad-stride2.float32.tflite",
        "ops/mean-keepdims.float32.tflite",
        "ops/conv-quant-fp16.float32.tflite",
        "ops/split.float32.tflite",
        "ops/mirror-pad.int32.tflite",
        "ops/resize-bilinear.float32.tflite",
        "ops/softmax.float32.tflite",
        "ops/transpose.float32.tflite",
    ];

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("DEEPLITE_FUZZ_ITERATIONS"), out int n) ? n : 10000;

    [Fact]
    public void MutatedModels_GiveOnlyCleanErrorsOrSuccess()
    {
        var seeds = Corpus.Select(f => (Name: f, Bytes: File.ReadAllBytes(Path.Combine(TestData.Root, f)), Structure: StructureRanges(Path.Combine(TestData.Root, f)))).ToArray();
        var random = new Random(20261125);
        int succeeded = 0, rejected = 0;
        var failures = new List<string>();
        var messages = new Dictionary<string, int>();
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var seed = seeds[iteration % seeds.Length];
            byte[] mutant = Mutate(seed.Bytes, seed.Structure, random, out string mutation);
            try
            {
                RunOnce(mutant);
                succeeded++;
            }
            catch (DeepLiteException e)
            {
                rejected++;
                string key = e.GetType().Name + ": " + new string(e.Message.Where(c => !char.IsDigit(c)).Take(60).ToArray());
                messages[key] = messages.GetValueOrDefault(key) + 1;
            }
            catch (Exception e)
            {
                failures.Add($"iteration {iteration} ({seed.Name}, {mutation}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
        output.WriteLine($"{Iterations} mutants: {succeeded} ran, {rejected} rejected cleanly, {failures.Count} unclean.");
        foreach (var (message, count) in messages.OrderByDescending(p => p.Value).Take(15)) output.WriteLine($"  {count,5} × {message}");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)));
    }

    private static void RunOnce(byte[] bytes)
    {
        using var model = TfLiteModel.FromBytes(bytes, "mutant");
        using var interpreter = new Interpreter(model, new InterpreterOptions { MaxArenaBytes = 8 << 20 });
        interpreter.AllocateTensors();
        foreach (var input in interpreter.Inputs) input.AsBytes().Fill(1);
        interpreter.Invoke();
    }

    /// <summary>Byte ranges of the FlatBuffer structure (everything but constant tensor data), where mutations matter most.</summary>
    private static List<(int Start, int End)> StructureRanges(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        using var model = TfLiteModel.FromBytes(bytes);
        var data = model.Buffers.Where(b => b.Length > 64)
            .Select(b => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(b, out var s) ? (s.Offset, s.Offset + s.Count) : (0, 0))
            .OrderBy(r => r.Item1).ToList();
        var ranges = new List<(int, int)>();
        int position = 0;
        foreach (var (start, end) in data)
        {
            if (start > position) ranges.Add((position, start));
            position = Math.Max(position, end);
        }
        if (position < bytes.Length) ranges.Add((position, bytes.Length));
        return ranges;
    }

    private static byte[] Mutate(byte[] original, List<(int Start, int End)> structure, Random random, out string mutation)
    {
        int Position()
        {
            if (random.Next(10) == 0) return random.Next(original.Length);
            var (start, end) = structure[random.Next(structure.Count)];
            return random.Next(start, end);
        }
        switch (random.Next(4))
        {
            case 0:
            {
                int length = random.Next(original.Length);
                mutation = $"truncated to {length}";
                return original.AsSpan(0, length).ToArray();
            }
            case 1:
            {
                byte[] copy = (byte[])original.Clone();
                int flips = 1 + random.Next(8);
                for (int i = 0; i < flips; i++)
                {
                    int p = Position();
                    copy[p] ^= (byte)(1 << random.Next(8));
                }
                mutation = $"{flips} bit flips";
                return copy;
            }
            case 2:
            {
                byte[] copy = (byte[])original.Clone();
                int p = Math.Min(Position(), copy.Length - 4) & ~3;
                int[] interesting = [0, -1, 1, int.MaxValue, int.MinValue, 0x7FFF, 0xFFFF, copy.Length, copy.Length - 4, 1 << 20, random.Next()];
                int value = interesting[random.Next(interesting.Length)];
                BitConverter.TryWriteBytes(copy.AsSpan(p, 4), value);
                mutation = $"word at {p} = {value}";
                return copy;
            }
            default:
            {
                byte[] copy = (byte[])original.Clone();
                int p = Position();
                int length = Math.Min(1 + random.Next(16), copy.Length - p);
                random.NextBytes(copy.AsSpan(p, length));
                mutation = $"{length} random bytes at {p}";
                return copy;
            }
        }
    }
}
