using System.Text;
using DeepLite.Tests;

namespace DeepLite.Runtime.Tests.Interpreting;

/// <summary>
/// A model written by hand with the test FlatBuffer writer: two subgraphs (ADD; MUL by a constant
/// stored past the FlatBuffer by offset and size), a signature for each, and a metadata entry.
/// </summary>
public sealed class SignatureRunnerTests
{
    private const int ExternalDataOffset = 4096;

    private static FlatTableBuilder Tensor(string name, int buffer = 0) =>
        new FlatTableBuilder().Ints(0, 2).Byte(1, (byte)TensorType.Float32).Int(2, buffer).String(3, name);

    private static FlatTableBuilder Map(string name, int tensor) => new FlatTableBuilder().String(0, name).Int(1, tensor);

    internal static byte[] BuildModel()
    {
        var add = new FlatTableBuilder()
            .Tables(0, Tensor("x"), Tensor("y"), Tensor("sum"))
            .Ints(1, 0, 1).Ints(2, 2)
            .Tables(3, new FlatTableBuilder().Int(0, 0).Ints(1, 0, 1).Ints(2, 2))
            .String(4, "add");
        var scale = new FlatTableBuilder()
            .Tables(0, Tensor("p"), Tensor("factors", buffer: 1), Tensor("out"))
            .Ints(1, 0).Ints(2, 2)
            .Tables(3, new FlatTableBuilder().Int(0, 1).Ints(1, 0, 1).Ints(2, 2))
            .String(4, "scale");
        var model = new FlatTableBuilder()
            .Int(0, 3)
            .Tables(1, new FlatTableBuilder().Byte(0, (byte)BuiltinOperator.ADD).Int(2, 1),
                       new FlatTableBuilder().Byte(0, (byte)BuiltinOperator.MUL).Int(2, 1))
            .Tables(2, add, scale)
            .String(3, "hand-built test model")
            .Tables(4, new FlatTableBuilder(),
                       new FlatTableBuilder().Long(1, ExternalDataOffset).Long(2, 8),
                       new FlatTableBuilder().Bytes(0, Encoding.UTF8.GetBytes("1.5.0")))
            .Tables(6, new FlatTableBuilder().String(0, "min_runtime_version").Int(1, 2))
            .Tables(7,
                new FlatTableBuilder().Tables(0, Map("a", 0), Map("b", 1)).Tables(1, Map("total", 2)).String(2, "add_fn").Int(4, 0),
                new FlatTableBuilder().Tables(0, Map("value", 0)).Tables(1, Map("scaled", 2)).String(2, "scale_fn").Int(4, 1));
        byte[] flatBuffer = FlatBufferWriter.Write(model, "TFL3");
        Assert.True(flatBuffer.Length < ExternalDataOffset);
        byte[] file = new byte[ExternalDataOffset + 8];
        flatBuffer.CopyTo(file, 0);
        BitConverter.TryWriteBytes(file.AsSpan(ExternalDataOffset), 2f);
        BitConverter.TryWriteBytes(file.AsSpan(ExternalDataOffset + 4), 3f);
        return file;
    }

    [Fact]
    public void Reader_HandBuiltModel_ReadsSignaturesMetadataAndExternalBuffers()
    {
        using var model = TfLiteModel.FromBytes(BuildModel());
        Assert.Equal("hand-built test model", model.Description);
        Assert.Equal(2, model.Subgraphs.Count);
        Assert.Equal(["add_fn", "scale_fn"], model.Signatures.Select(s => s.Key));
        Assert.Equal("1.5.0", Encoding.UTF8.GetString(model.FindMetadata("min_runtime_version")!.Data.Span));
        var factors = model.Subgraphs[1].Tensors[1];
        Assert.True(factors.IsConstant);
        Assert.Equal(8, factors.Data.Length);
    }

    [Fact]
    public void SignatureRunner_RunsEachSubgraphByAlias()
    {
        using var model = TfLiteModel.FromBytes(BuildModel());
        using var interpreter = new Interpreter(model);

        var add = interpreter.GetSignatureRunner("add_fn");
        Assert.Equal(["a", "b"], add.InputNames);
        add.AllocateTensors();
        add.Input("a").CopyFrom<float>([1, 2]);
        add.Input("b").CopyFrom<float>([10, 20]);
        add.Invoke();
        Assert.Equal([11f, 22f], add.Output("total").ToArray<float>());

        var scale = interpreter.GetSignatureRunner("scale_fn");
        scale.AllocateTensors();
        scale.Input("value").CopyFrom<float>([5, 7]);
        scale.Invoke();
        Assert.Equal([10f, 21f], scale.Output("scaled").ToArray<float>());

        Assert.Throws<KeyNotFoundException>(() => interpreter.GetSignatureRunner("nope"));
        Assert.Throws<KeyNotFoundException>(() => add.Input("value"));
    }

    [Fact]
    public void ExternalBuffer_PastTheEndOfTheFile_IsRejected()
    {
        byte[] file = BuildModel();
        var e = Assert.Throws<ModelFormatException>(() => TfLiteModel.FromBytes(file.AsMemory(0, ExternalDataOffset + 4)));
        Assert.Contains("outside the file", e.Message);
    }
}
