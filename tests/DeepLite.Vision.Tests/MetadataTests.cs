using DeepLite.Tests;
using System.IO.Compression;
using System.Text;
using DeepLite.Runtime;

namespace DeepLite.Vision.Tests;

/// <summary>Reads TFLite Support metadata built by hand with the slot numbers of tflite-support's metadata_schema.fbs.</summary>
public sealed class MetadataTests
{
    // ProcessUnitOptions union: NormalizationOptions = 1, ScoreCalibrationOptions = 2, ScoreThresholdingOptions = 3.
    // AssociatedFileType: DESCRIPTIONS = 1, TENSOR_AXIS_LABELS = 2.
    private static FlatTableBuilder ProcessUnit(byte optionsType, FlatTableBuilder options) =>
        new FlatTableBuilder().Byte(0, optionsType).Table(1, options);

    private static FlatTableBuilder Normalization(float[] mean, float[] std) =>
        new FlatTableBuilder().Floats(0, mean).Floats(1, std);

    private static FlatTableBuilder AssociatedFile(string name, byte type) =>
        new FlatTableBuilder().String(0, name).String(1, $"about {name}").Byte(2, type);

    private static byte[] Metadata(params FlatTableBuilder[] inputProcessUnits)
    {
        var input = new FlatTableBuilder().String(0, "image").String(1, "Input image").Tables(4, inputProcessUnits);
        var output = new FlatTableBuilder().String(0, "probability").Tables(6,
            AssociatedFile("readme.txt", 1),
            AssociatedFile("labels.txt", 2),
            AssociatedFile("labels_fr.txt", 2));
        var subgraph = new FlatTableBuilder().Tables(2, input).Tables(3, output);
        var model = new FlatTableBuilder().String(0, "MobileNet test").String(1, "hand-built").String(2, "v1").Tables(3, subgraph);
        return FlatBufferWriter.Write(model, "M001");
    }

    [Fact]
    public void Parse_ReadsNormalizationAndLabelFiles()
    {
        byte[] metadata = Metadata(
            ProcessUnit(3, new FlatTableBuilder()),
            ProcessUnit(1, Normalization([123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f])));

        var parsed = ImageModelMetadata.Parse(metadata);

        Assert.Null(parsed.Warning);
        Assert.Equal("MobileNet test", parsed.ModelName);
        Assert.NotNull(parsed.InputNormalization);
        Assert.Equal(new double[] { 123.675f, 116.28f, 103.53f }, parsed.InputNormalization.Mean);
        Assert.Equal(new double[] { 58.395f, 57.12f, 57.375f }, parsed.InputNormalization.Std);
        Assert.Equal(["labels.txt", "labels_fr.txt"], parsed.LabelFiles);
    }

    [Fact]
    public void Parse_SingleValueNormalization_FitsEveryChannelCount()
    {
        var parsed = ImageModelMetadata.Parse(Metadata(ProcessUnit(1, Normalization([127.5f], [127.5f]))));

        Assert.NotNull(parsed.InputNormalization);
        Assert.True(parsed.InputNormalization.Fits(3));
        Assert.True(parsed.InputNormalization.Fits(1));
        Assert.Equal(-1f, parsed.InputNormalization.Normalize(0, 2));
    }

    [Fact]
    public void Parse_NoNormalizationUnit_GivesNullWithoutWarning()
    {
        var parsed = ImageModelMetadata.Parse(Metadata(ProcessUnit(3, new FlatTableBuilder())));

        Assert.Null(parsed.InputNormalization);
        Assert.Null(parsed.Warning);
    }

    [Fact]
    public void Parse_ZeroStd_IsIgnoredWithWarning()
    {
        var parsed = ImageModelMetadata.Parse(Metadata(ProcessUnit(1, Normalization([127.5f], [0f]))));

        Assert.Null(parsed.InputNormalization);
        Assert.NotNull(parsed.Warning);
    }

    [Fact]
    public void Parse_CorruptMetadata_FallsBackWithWarning()
    {
        byte[] metadata = Metadata(ProcessUnit(1, Normalization([127.5f], [127.5f])));
        var random = new Random(11);
        byte[] noise = new byte[200];
        random.NextBytes(noise);

        foreach (byte[] broken in new[] { [], metadata[..6], metadata[..(metadata.Length / 2)], noise })
        {
            var parsed = ImageModelMetadata.Parse(broken);

            Assert.Null(parsed.InputNormalization);
            Assert.NotNull(parsed.Warning);
        }
    }

    [Fact]
    public void Parse_MutatedMetadata_NeverThrows()
    {
        byte[] metadata = Metadata(ProcessUnit(1, Normalization([127.5f], [127.5f])));
        var random = new Random(12);
        for (int i = 0; i < 500; i++)
        {
            byte[] mutated = (byte[])metadata.Clone();
            for (int e = random.Next(1, 4); e > 0; e--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);

            var parsed = ImageModelMetadata.Parse(mutated);

            Assert.True(parsed.Warning is not null || parsed.InputNormalization is null || parsed.InputNormalization.Std.All(s => s != 0));
        }
    }

    [Fact]
    public void Read_ModelWithoutMetadata_IsNone()
    {
        using var model = TfLiteModel.Load(TestData.File("models", "mobilenet_v1_0.25_128_float.tflite"));

        var metadata = ImageModelMetadata.Read(model);

        Assert.Same(ImageModelMetadata.None, metadata);
        Assert.Null(ModelAssociatedFiles.Read(model, "imagenet_labels.txt"));
    }

    public static TheoryData<string> ModelsWithMetadata() =>
        ["mobilenet_v1_0.25_128_quant.tflite", "mobilenet_v1_0.5_160_quant.tflite", "mobilenet_v1_0.75_192_quant.tflite", "mobilenet_v2_1.0_224_quant.tflite"];

    /// <summary>The quantized MobileNets of the test data carry real TFLite Support metadata and a packed label file.</summary>
    [Theory]
    [MemberData(nameof(ModelsWithMetadata))]
    public void Read_RealModelMetadata_GivesNormalizationAndPackedLabels(string file)
    {
        using var model = TfLiteModel.Load(TestData.File("models", file));

        var metadata = ImageModelMetadata.Read(model);

        Assert.Null(metadata.Warning);
        Assert.Equal("ImageClassifier", metadata.ModelName);
        Assert.NotNull(metadata.InputNormalization);
        Assert.Equal([127.5], metadata.InputNormalization.Mean);
        Assert.Equal([127.5], metadata.InputNormalization.Std);
        Assert.Equal(["imagenet_labels.txt"], metadata.LabelFiles);
        byte[]? packed = ModelAssociatedFiles.Read(model, "imagenet_labels.txt");
        Assert.NotNull(packed);
        Assert.Equal(Labels.Load(TestData.File("models", "imagenet_labels.txt")), Labels.Parse(Encoding.UTF8.GetString(packed)));
    }

    private static byte[] Zip(params (string Name, string Text)[] files)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
        }
        return stream.ToArray();
    }

    [Fact]
    public void AssociatedFiles_ZipAppendedToModel_AreRead()
    {
        byte[] model = File.ReadAllBytes(TestData.File("models", "mobilenet_v1_0.25_128_quant.tflite"));
        byte[] packed = [.. model, .. Zip(("labels.txt", "background\ncat\n"), ("readme.txt", "hello"))];

        Assert.Equal("background\ncat\n", Encoding.UTF8.GetString(ModelAssociatedFiles.Read(packed, "labels.txt", "test")!));
        Assert.Null(ModelAssociatedFiles.Read(packed, "missing.txt", "test"));
        using var loaded = TfLiteModel.FromBytes(packed);
        Assert.Equal("hello", Encoding.UTF8.GetString(ModelAssociatedFiles.Read(loaded, "readme.txt")!));
    }

    [Fact]
    public void AssociatedFiles_ZipWithOffsetsCountingThePrefix_AreRead()
    {
        using var stream = new MemoryStream();
        stream.Write(new byte[1000]);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("labels.txt").Open();
            entry.Write("a\nb\n"u8);
        }

        Assert.Equal("a\nb\n", Encoding.UTF8.GetString(ModelAssociatedFiles.Read(stream.ToArray(), "labels.txt", "test")!));
    }

    [Fact]
    public void AssociatedFiles_CorruptArchive_Throws()
    {
        byte[] zip = Zip(("labels.txt", "x\ny\n"));
        zip[0] ^= 0xFF; // local header signature of the only entry

        Assert.Throws<DeepLiteException>(() => ModelAssociatedFiles.Read(zip, "labels.txt", "test"));
    }
}
