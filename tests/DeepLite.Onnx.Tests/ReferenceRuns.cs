using System.Runtime.InteropServices;
using DeepLite.Runtime;

namespace DeepLite.Onnx.Tests;

/// <summary>One output tensor: its type, quantization and bytes.</summary>
internal sealed record TensorValues(string Name, TensorType Type, int[] Shape, QuantizationParameters? Quantization, byte[] Bytes)
{
    /// <summary>Real values: float32 as stored, uint8/int8 as <c>scale · (q − zeroPoint)</c>.</summary>
    public float[] Real() => Type switch
    {
        TensorType.Float32 => MemoryMarshal.Cast<byte, float>(Bytes).ToArray(),
        TensorType.UInt8 => Bytes.Select(b => Quantization!.Scale * (b - Quantization.ZeroPoint)).ToArray(),
        TensorType.Int8 => Bytes.Select(b => Quantization!.Scale * ((sbyte)b - Quantization.ZeroPoint)).ToArray(),
        _ => throw new NotSupportedException(Type.Name()),
    };
}

/// <summary>Runs models in DeepLite's own interpreter (the reference the ONNX export must match) and
/// loads the shared golden input bytes.</summary>
internal static class ReferenceRuns
{
    public static TensorValues[] Interpreter(string modelPath, IReadOnlyList<byte[]> inputs)
    {
        using var model = TfLiteModel.Load(modelPath);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        for (int i = 0; i < inputs.Count; i++) interpreter.Inputs[i].CopyFromBytes(inputs[i]);
        interpreter.Invoke();
        return interpreter.Outputs
            .Select(o => new TensorValues(o.Name, o.Type, o.Shape.ToArray(), o.Quantization, o.AsReadOnlyBytes().ToArray()))
            .ToArray();
    }

    /// <summary>The seeded random inputs TFLite's goldens used for an op model (<c>&lt;name&gt;__seed1.input.N.bin</c>).</summary>
    public static byte[][] SeedInputs(string modelName, int count) =>
        Enumerable.Range(0, count).Select(i => File.ReadAllBytes(DeepLite.Tests.TestData.File("golden", $"{modelName}__seed1.input.{i}.bin"))).ToArray();

    /// <summary>The cat image preprocessed for an image model (<c>&lt;model&gt;__cat__bilinear.input.bin</c>).</summary>
    public static byte[] CatInput(string modelName) => File.ReadAllBytes(DeepLite.Tests.TestData.File("golden", $"{modelName}__cat__bilinear.input.bin"));

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }
        return best;
    }

    public static int ArgMax(ReadOnlySpan<byte> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }
        return best;
    }

    public static float MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    public static int MaxAbsDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        int max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
