using DeepLite.Runtime;
using DeepLite.Tests;

namespace DeepLite.Modeling.Tests;

/// <summary>read → <see cref="ModelGraph"/> → write → read keeps the model and its outputs bit for bit.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<string, string> Models()
    {
        var data = new TheoryData<string, string>();
        foreach (string path in Directory.GetFiles(TestData.Models, "*.tflite").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (name.StartsWith("invalid", StringComparison.Ordinal)) continue;
            data.Add(Path.Combine("models", name + ".tflite"), $"{name}__grace_hopper__bilinear");
        }
        foreach (string op in new[] { "conv.uint8", "conv-relu.float32", "depthwise-conv.uint8", "fullyconnected-relu6.float32", "avgpool-concat.float32",
                     "maxpooling.float32", "add-broadcast.float32", "mul.float32", "sub.float32", "softmax.float32", "reshape.float32", "mean-keepdims.float32",
                     "padding.float32", "mirror-pad.int32", "resize-bilinear.float32", "stridedslice-beginmask.float32", "split.float32", "conv-quant-fp16.float32",
                     "conv-transpose_relu.float32", "prelu.float32" })
        {
            data.Add(Path.Combine("ops", op + ".tflite"), $"{op}__seed1");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ReadWriteRead_KeepsModelAndOutputs(string model, string goldenCase)
    {
        using var original = TfLiteModel.Load(TestData.File(model));
        byte[] written = TfLiteWriter.Write(ModelGraph.From(original));
        using var copy = TfLiteModel.FromBytes(written, "written");

        ModelAssert.SameModel(original, copy);
        var input = ModelAssert.GoldenInputs(goldenCase);
        var expected = ModelAssert.Run(original, input);
        var actual = ModelAssert.Run(copy, input);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"output {i} differs");
    }

    [Fact]
    public void Write_ConstantData_Is16ByteAlignedAndBufferZeroIsEmpty()
    {
        using var original = TfLiteModel.Load(TestData.Model("mobilenet_v1_0.25_128_quant.tflite"));
        byte[] written = TfLiteWriter.Write(ModelGraph.From(original));
        using var copy = TfLiteModel.FromBytes(written);
        Assert.Equal("TFL3"u8.ToArray(), written[4..8]);
        Assert.True(copy.Buffers[0].IsEmpty);
        unsafe
        {
            fixed (byte* start = written)
            {
                foreach (var buffer in copy.Buffers.Where(b => !b.IsEmpty))
                {
                    fixed (byte* data = buffer.Span) Assert.Equal(0, (data - start) % TfLiteWriter.BufferAlignment);
                }
            }
        }
    }
}
