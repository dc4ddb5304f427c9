using DeepLite.Runtime;

namespace DeepLite.Modeling.Tests;

/// <summary>Compares two loaded models and runs them on the same input.</summary>
internal static class ModelAssert
{
    /// <summary>Same tensors (name, type, shape, data, quantization), operators (code, version, inputs,
    /// outputs, options bytes), graph inputs, outputs, signatures and metadata.</summary>
    public static void SameModel(TfLiteModel expected, TfLiteModel actual)
    {
        var e = expected.MainSubgraph;
        var a = actual.MainSubgraph;
        Assert.Equal(e.Tensors.Count, a.Tensors.Count);
        for (int i = 0; i < e.Tensors.Count; i++)
        {
            var (x, y) = (e.Tensors[i], a.Tensors[i]);
            Assert.Equal(x.Name, y.Name);
            Assert.Equal(x.Type, y.Type);
            Assert.Equal(x.Shape, y.Shape);
            Assert.Equal(x.ShapeSignature, y.ShapeSignature);
            Assert.True(x.Data.Span.SequenceEqual(y.Data.Span), $"tensor {i} '{x.Name}' data differs");
            Assert.Equal(x.Quantization?.Scales, y.Quantization?.Scales);
            Assert.Equal(x.Quantization?.ZeroPoints, y.Quantization?.ZeroPoints);
            if (x.Quantization?.IsPerChannel == true) Assert.Equal(x.Quantization.QuantizedDimension, y.Quantization!.QuantizedDimension);
            Assert.Equal(x.IsVariable, y.IsVariable);
        }
        Assert.Equal(e.Inputs, a.Inputs);
        Assert.Equal(e.Outputs, a.Outputs);
        Assert.Equal(e.Operators.Count, a.Operators.Count);
        for (int i = 0; i < e.Operators.Count; i++)
        {
            var (x, y) = (e.Operators[i], a.Operators[i]);
            Assert.Equal(x.Code.Builtin, y.Code.Builtin);
            Assert.Equal(x.Code.CustomName, y.Code.CustomName);
            Assert.Equal(x.Code.Version, y.Code.Version);
            Assert.Equal(x.Inputs, y.Inputs);
            Assert.Equal(x.Outputs, y.Outputs);
            Assert.Equal(x.BuiltinOptionsType, y.BuiltinOptionsType);
            Assert.Equal(OptionsFingerprint(x), OptionsFingerprint(y));
        }
        Assert.Equal(expected.Signatures.Select(s => (s.Key, string.Join(",", s.Inputs), string.Join(",", s.Outputs))),
            actual.Signatures.Select(s => (s.Key, string.Join(",", s.Inputs), string.Join(",", s.Outputs))));
        Assert.Equal(expected.Metadata.Select(m => (m.Name, Convert.ToHexString(m.Data.Span))), actual.Metadata.Select(m => (m.Name, Convert.ToHexString(m.Data.Span))));
        Assert.Equal(expected.Description, actual.Description);
    }

    /// <summary>The options as the typed record the library reads them into (records compare by value;
    /// array fields are spelled out).</summary>
    private static string OptionsFingerprint(OperatorInfo op)
    {
        var options = OperatorOptions.Read(op, "test");
        return options switch
        {
            null => "none",
            ReshapeOptions r => $"Reshape [{(r.NewShape is null ? "null" : string.Join(",", r.NewShape))}]",
            SqueezeOptions s => $"Squeeze [{(s.SqueezeDims is null ? "null" : string.Join(",", s.SqueezeDims))}]",
            _ => options.ToString(),
        };
    }

    /// <summary>Runs the model on the given input bytes (one array per input) and returns each output's bytes.</summary>
    public static byte[][] Run(TfLiteModel model, params byte[][] inputs)
    {
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        for (int i = 0; i < inputs.Length; i++) interpreter.Inputs[i].CopyFromBytes(inputs[i]);
        interpreter.Invoke();
        return interpreter.Outputs.Select(o => o.AsReadOnlyBytes().ToArray()).ToArray();
    }

    /// <summary>The golden input files of <paramref name="goldenCase"/> (e.g. <c>conv.float32__seed1</c>).</summary>
    public static byte[][] GoldenInputs(string goldenCase)
    {
        string single = Path.Combine(DeepLite.Tests.TestData.Golden, goldenCase + ".input.bin");
        if (File.Exists(single)) return [File.ReadAllBytes(single)];
        var inputs = new List<byte[]>();
        for (int i = 0; File.Exists(Path.Combine(DeepLite.Tests.TestData.Golden, $"{goldenCase}.input.{i}.bin")); i++)
        {
            inputs.Add(File.ReadAllBytes(Path.Combine(DeepLite.Tests.TestData.Golden, $"{goldenCase}.input.{i}.bin")));
        }
        Assert.NotEmpty(inputs);
        return inputs.ToArray();
    }
}
