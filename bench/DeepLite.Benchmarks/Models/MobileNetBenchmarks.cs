using BenchmarkDotNet.Attributes;
using DeepLite.Cli.Benchmarking;
using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Benchmarks.Models;

/// <summary>A model of the shared test data, with the multiply-accumulates of one inference.</summary>
public sealed class ModelCase : IWorkload
{
    public ModelCase(string fileName)
    {
        FileName = fileName;
        using var model = TfLiteModel.Load(Path);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        MultiplyAccumulates = ModelStatistics.Compute(model, interpreter).MultiplyAccumulates;
    }

    public string FileName { get; }
    public string Path => TestData.Model(FileName);
    public long MultiplyAccumulates { get; }
    public long BytesTouched => 0;

    public override string ToString() => System.IO.Path.GetFileNameWithoutExtension(FileName);
}

/// <summary>
/// Whole-model inference: <see cref="Interpreter.Invoke"/> on the MobileNets of the shared test data with 1 and 2
/// threads, inputs seeded as <c>deeplite bench</c> seeds them (<see cref="RandomInputs"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class MobileNetBenchmarks
{
    private TfLiteModel? _model;
    private Interpreter? _interpreter;

    public static IEnumerable<ModelCase> Models() =>
    [
        new("mobilenet_v1_0.25_128_quant.tflite"),
        new("mobilenet_v1_0.25_128_float.tflite"),
        new("mobilenet_v2_1.0_224_quant.tflite"),
    ];

    [ParamsSource(nameof(Models))]
    public ModelCase Model { get; set; } = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = TfLiteModel.Load(Model.Path);
        _interpreter = new Interpreter(_model, new InterpreterOptions { Threads = Threads });
        _interpreter.AllocateTensors();
        RandomInputs.Fill(_interpreter, RandomInputs.DefaultSeed);
    }

    [Benchmark]
    public void Invoke() => _interpreter!.Invoke();

    [GlobalCleanup]
    public void Cleanup()
    {
        _interpreter?.Dispose();
        _model?.Dispose();
    }
}
