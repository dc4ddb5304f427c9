using DeepLite.Onnx;
using DeepLite.Runtime;

namespace DeepLite.Benchmarks.Peers;

/// <summary>
/// ONNX Runtime (native, from NuGet) on the same architecture: the .tflite graph exported to ONNX by
/// bench/DeepLite.Onnx, either as 8-bit QLinear operators with exactly TFLite's numbers (uint8
/// activations, weights stored as int8) or as float32. Times the inference call only.
/// </summary>
internal sealed class OnnxRuntimeEngine(OnnxExportFlavor flavor) : IPeerEngine
{
    public string Name => flavor == OnnxExportFlavor.Float32 ? "ONNX Runtime float32" : "ONNX Runtime 8-bit (u8×s8)";

    public string? WhyUnavailable() => null;

    public PeerTiming Measure(PeerRun run)
    {
        using var model = TfLiteModel.Load(run.ModelPath);
        bool quantized = model.MainSubgraph.Tensors[model.MainSubgraph.Inputs[0]].Type != TensorType.Float32;
        if (flavor != OnnxExportFlavor.Float32 && !quantized) throw new InvalidOperationException("an 8-bit export needs a quantized model");
        var export = OnnxExporter.Export(model, new OnnxExportOptions { Flavor = flavor });
        var timing = OnnxTiming.Measure(export.ModelBytes, run.Inputs, run.Threads, run.Warmup, run.Runs);
        return new PeerTiming(timing.MedianMs, timing.P90Ms, $"ONNX Runtime 1.31.1, session create {timing.SessionCreateMs:F0} ms, first run {timing.FirstRunMs:F1} ms");
    }
}
