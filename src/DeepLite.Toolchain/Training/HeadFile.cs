using DeepLite.Modeling;
using System.Text.Json;

namespace DeepLite.Toolchain.Training;

/// <summary>
/// Writes a trained head as JSON (<c>NAME.head.json</c>, beside the models <see cref="TrainedModelWriter"/> emits):
/// <c>{"format":"deeplite-head/1","labels","embedding":{"tensorIndex","tensorName","type","size","scale","zeroPoint"},
/// "preprocessing":{"background":"#rrggbb","alphaCrop":"alpha&gt;T,margin=M" (when used),"resize":"bilinear"},"float":{"weights":[[...] per class],"bias"},
/// "quantized":{"weights":[[...] per class],"weightScale","weightZeroPoint","bias","biasScale","inputScale",
/// "inputZeroPoint","outputScale","outputZeroPoint"},"metrics":{...}}</c>. Floats are written as their shortest
/// round-trip text, so reading them back gives the same float32 values.
/// </summary>
public static class HeadFile
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Write(string path, TransferLearningResult result) => AtomicFile.Write(path, ToBytes(result));

    /// <summary>The JSON text of <paramref name="result"/>, UTF-8.</summary>
    public static byte[] ToBytes(TransferLearningResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var head = result.Head;
            var quantized = result.QuantizedHead;
            w.WriteStartObject();
            w.WriteString("format", "deeplite-head/1");
            w.WriteStartArray("labels");
            foreach (string label in head.Labels) w.WriteStringValue(label);
            w.WriteEndArray();

            w.WriteStartObject("embedding");
            w.WriteNumber("tensorIndex", head.Embedding.TensorIndex);
            w.WriteString("tensorName", head.Embedding.TensorName);
            w.WriteString("type", head.Embedding.Type.ToString());
            w.WriteNumber("size", head.Embedding.Size);
            if (head.Embedding.Quantization is { } q)
            {
                w.WriteNumber("scale", q.Scale);
                w.WriteNumber("zeroPoint", q.ZeroPoint);
            }
            w.WriteEndObject();

            w.WriteStartObject("preprocessing");
            w.WriteString("background", result.Background.ToString());
            if (result.AlphaCrop is { } crop) w.WriteString("alphaCrop", crop.ToString());
            w.WriteString("resize", "bilinear");
            w.WriteEndObject();

            w.WriteStartObject("float");
            w.WriteStartArray("weights");
            for (int c = 0; c < head.ClassCount; c++)
            {
                w.WriteStartArray();
                for (int i = 0; i < head.Embedding.Size; i++) w.WriteNumberValue(head.Weights[c, i]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartArray("bias");
            foreach (float b in head.Bias) w.WriteNumberValue(b);
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("quantized");
            w.WriteStartArray("weights");
            for (int c = 0; c < head.ClassCount; c++)
            {
                w.WriteStartArray();
                for (int i = 0; i < head.Embedding.Size; i++) w.WriteNumberValue(quantized.Weights[c, i]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteNumber("weightScale", quantized.WeightQuantization.Scale);
            w.WriteNumber("weightZeroPoint", quantized.WeightQuantization.ZeroPoint);
            w.WriteStartArray("bias");
            foreach (int b in quantized.Bias) w.WriteNumberValue(b);
            w.WriteEndArray();
            w.WriteNumber("biasScale", quantized.BiasScale);
            w.WriteNumber("inputScale", quantized.InputQuantization.Scale);
            w.WriteNumber("inputZeroPoint", quantized.InputQuantization.ZeroPoint);
            w.WriteNumber("outputScale", quantized.OutputQuantization.Scale);
            w.WriteNumber("outputZeroPoint", quantized.OutputQuantization.ZeroPoint);
            w.WriteEndObject();

            w.WriteStartObject("metrics");
            w.WriteNumber("holdoutTop1Float", result.HoldoutTop1Float);
            w.WriteNumber("holdoutTop1Quantized", result.HoldoutTop1Quantized);
            w.WriteNumber("agreement", result.FloatQuantizedAgreement);
            w.WriteNumber("bestEpoch", head.BestEpoch);
            w.WriteBoolean("refitOnTrainAndValidation", head.Refit);
            w.WriteNumber("epochsRun", head.History.Count);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }
}
