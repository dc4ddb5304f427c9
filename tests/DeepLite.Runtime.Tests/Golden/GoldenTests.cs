using System.Runtime.InteropServices;
using DeepLite.Tests;
#if !XUNIT_V3
using Xunit.Abstractions;
#endif

namespace DeepLite.Runtime.Tests.Golden;

/// <summary>
/// Runs every golden case through DeepLite and compares with real TensorFlow Lite (XNNPACK):
/// quantized outputs within 2 steps, float outputs within 1e-4 absolute or 1e-3 relative, and the
/// same top-1 class wherever TFLite's winner leads its runner-up by more than 2 steps.
/// </summary>
public sealed class GoldenTests(ITestOutputHelper output)
{
    public const double QuantizedStepTolerance = 2;
    public const double FloatAbsoluteTolerance = 1e-4;
    public const double FloatRelativeTolerance = 1e-3;

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var c in GoldenCase.All) data.Add(c.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Output_MatchesTensorFlowLite(string caseId)
    {
        var golden = GoldenCase.Get(caseId);
        using var model = TfLiteModel.Load(golden.ModelPath);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        Assert.Equal(golden.Inputs.Count, interpreter.Inputs.Count);
        for (int i = 0; i < golden.Inputs.Count; i++)
        {
            Assert.Equal(golden.Inputs[i].Shape, interpreter.Inputs[i].Shape.ToArray());
            interpreter.Inputs[i].CopyFromBytes(File.ReadAllBytes(golden.Inputs[i].File));
        }
        interpreter.Invoke();

        Assert.Equal(golden.Outputs.Count, interpreter.Outputs.Count);
        for (int o = 0; o < golden.Outputs.Count; o++)
        {
            var expected = golden.Outputs[o];
            var actual = interpreter.Outputs[o];
            Assert.Equal(expected.Shape, actual.Shape.ToArray());
            Assert.Equal(expected.DType, actual.Type.Name());
            double[] ours = ReadValues(actual);
            var deviation = Compare(expected, ours, out string? failure);
            output.WriteLine($"{caseId} output {o} '{expected.Name}': max deviation {deviation.Max:G4}, mean {deviation.Mean:G4} {(expected.Quantized ? "steps" : "abs")} over {deviation.Count} values");
            Assert.True(failure is null, failure);
            CheckTopOne(expected, ours);
        }
    }

    internal static double[] ReadValues(Tensor tensor) => tensor.Type switch
    {
        TensorType.Float32 => tensor.AsReadOnlySpan<float>().ToArray().Select(v => (double)v).ToArray(),
        TensorType.UInt8 => tensor.AsReadOnlySpan<byte>().ToArray().Select(v => (double)v).ToArray(),
        TensorType.Int8 => tensor.AsReadOnlySpan<sbyte>().ToArray().Select(v => (double)v).ToArray(),
        TensorType.Int32 => tensor.AsReadOnlySpan<int>().ToArray().Select(v => (double)v).ToArray(),
        TensorType.Int64 => tensor.AsReadOnlySpan<long>().ToArray().Select(v => (double)v).ToArray(),
        TensorType.Int16 => tensor.AsReadOnlySpan<short>().ToArray().Select(v => (double)v).ToArray(),
        TensorType.Bool => tensor.AsReadOnlyBytes().ToArray().Select(v => (double)v).ToArray(),
        _ => throw new NotSupportedException(tensor.Type.Name()),
    };

    internal readonly record struct Deviation(double Max, double Mean, int Count);

    internal static Deviation Compare(GoldenOutput expected, double[] ours, out string? failure)
    {
        failure = null;
        double max = 0, sum = 0;
        int count = 0;
        for (int k = 0; k < expected.Values.Length; k++)
        {
            long i = (long)k * expected.Stride;
            if (i >= ours.Length)
            {
                failure = $"output '{expected.Name}' has {ours.Length} values; TFLite's has more.";
                break;
            }
            double e = expected.Values[k], a = ours[i];
            double diff = Math.Abs(e - a);
            if (double.IsNaN(e) && double.IsNaN(a)) diff = 0;
            bool ok = expected.Quantized
                ? diff <= QuantizedStepTolerance
                : diff <= FloatAbsoluteTolerance || diff <= FloatRelativeTolerance * Math.Abs(e) || (double.IsInfinity(e) && e == a);
            if (!ok && failure is null)
            {
                failure = $"output '{expected.Name}' element {i}: TFLite {e:R}, DeepLite {a:R} (difference {diff:G4}).";
            }
            max = Math.Max(max, double.IsNaN(diff) ? double.PositiveInfinity : diff);
            sum += double.IsNaN(diff) ? 0 : diff;
            count++;
        }
        return new Deviation(max, count == 0 ? 0 : sum / count, count);
    }

    private static void CheckTopOne(GoldenOutput expected, double[] ours)
    {
        if (expected.Stride != 1 || expected.Values.Length < 2 || expected.Shape.Length > 2) return;
        int best = 0, second = -1;
        for (int i = 1; i < expected.Values.Length; i++)
        {
            if (expected.Values[i] > expected.Values[best]) { second = best; best = i; }
            else if (second < 0 || expected.Values[i] > expected.Values[second]) second = i;
        }
        double step = expected.Quantized ? 1 : FloatAbsoluteTolerance;
        if (expected.Values[best] - expected.Values[second] <= 2 * step) return;
        int ourBest = 0;
        for (int i = 1; i < ours.Length; i++)
        {
            if (ours[i] > ours[ourBest]) ourBest = i;
        }
        Assert.True(best == ourBest, $"top-1 differs: TFLite {best}, DeepLite {ourBest}.");
    }
}
