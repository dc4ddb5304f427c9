using System.Text;
using System.Text.Json;
using DeepLite.Runtime;

namespace DeepLite.Cli.Commands;

/// <summary>Writes JSON with <see cref="Utf8JsonWriter"/> (no reflection, so it trims and AOT-compiles).</summary>
internal static class Json
{
    public static string Write(Action<Utf8JsonWriter> body, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            body(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>An array of integers: a property named <paramref name="name"/>, or an array value when it is null.</summary>
    public static void WriteInts(Utf8JsonWriter writer, string? name, ReadOnlySpan<int> values)
    {
        if (name is null) writer.WriteStartArray();
        else writer.WriteStartArray(name);
        foreach (int v in values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }

    /// <summary>The stored numbers of a tensor: raw integers for integer and quantized tensors, floats for float tensors.</summary>
    public static void WriteTensorValues(Utf8JsonWriter writer, string? name, Tensor tensor)
    {
        if (name is null) writer.WriteStartArray();
        else writer.WriteStartArray(name);
        switch (tensor.Type)
        {
            case TensorType.Float32:
                foreach (float v in tensor.AsReadOnlySpan<float>()) WriteFloat(writer, v);
                break;
            case TensorType.UInt8:
                foreach (byte v in tensor.AsReadOnlySpan<byte>()) writer.WriteNumberValue(v);
                break;
            case TensorType.Int8:
                foreach (sbyte v in tensor.AsReadOnlySpan<sbyte>()) writer.WriteNumberValue(v);
                break;
            case TensorType.Int16:
                foreach (short v in tensor.AsReadOnlySpan<short>()) writer.WriteNumberValue(v);
                break;
            case TensorType.Int32:
                foreach (int v in tensor.AsReadOnlySpan<int>()) writer.WriteNumberValue(v);
                break;
            case TensorType.Int64:
                foreach (long v in tensor.AsReadOnlySpan<long>()) writer.WriteNumberValue(v);
                break;
            case TensorType.Bool:
                foreach (byte v in tensor.AsReadOnlyBytes()) writer.WriteBooleanValue(v != 0);
                break;
            case TensorType.Float16:
                foreach (Half v in tensor.AsReadOnlySpan<Half>()) WriteFloat(writer, (float)v);
                break;
            default:
                throw new InvalidOperationException($"Output '{tensor.Name}' has type {tensor.Type.Name()}, which cannot be printed.");
        }
        writer.WriteEndArray();
    }

    /// <summary>Finite floats as the shortest round-trip text; NaN and infinities as strings.</summary>
    public static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    public static void WriteQuantization(Utf8JsonWriter writer, Tensor tensor)
    {
        var q = tensor.Quantization;
        if (q is null) return;
        if (q.IsPerChannel)
        {
            writer.WriteStartArray("scale");
            foreach (float s in q.Scales) writer.WriteNumberValue(s);
            writer.WriteEndArray();
            writer.WriteStartArray("zeroPoint");
            foreach (long z in q.ZeroPoints) writer.WriteNumberValue(z);
            writer.WriteEndArray();
            writer.WriteNumber("quantizedDimension", q.QuantizedDimension);
        }
        else
        {
            writer.WriteNumber("scale", q.Scale);
            writer.WriteNumber("zeroPoint", q.ZeroPoint);
        }
    }
}
