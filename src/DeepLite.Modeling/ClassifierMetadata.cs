using System.Text;
using DeepLite.Modeling.FlatBuffers;

namespace DeepLite.Modeling;

/// <summary>
/// TFLite Support metadata for an image classifier: the <c>TFLITE_METADATA</c> buffer (a FlatBuffer
/// of tflite-support's <c>metadata_schema.fbs</c>, file identifier <c>M001</c>, root <c>ModelMetadata</c>)
/// with one subgraph whose input 0 is an RGB image normalised as <c>(pixel - Mean) / Std</c> per channel,
/// and whose output 0 names a label file (<c>TENSOR_AXIS_LABELS</c>) packed into the model as an
/// associated file. Field numbers follow the schema; a union takes two slots, its type then its value.
/// </summary>
public sealed class ClassifierMetadata
{
    /// <summary>Name of the model metadata entry that holds TFLite Support metadata.</summary>
    public const string MetadataName = "TFLITE_METADATA";

    // ModelMetadata, SubGraphMetadata, TensorMetadata, Content, ProcessUnit, NormalizationOptions, AssociatedFile fields.
    private const int ModelName = 0, ModelDescription = 1, ModelVersion = 2, ModelSubgraphs = 3, ModelAuthor = 4, ModelLicense = 5, ModelMinParserVersion = 7;
    private const int SubgraphInputs = 2, SubgraphOutputs = 3;
    private const int TensorName = 0, TensorDescription = 1, TensorContent = 3, TensorProcessUnits = 4, TensorAssociatedFiles = 6;
    private const int ContentPropertiesType = 0, ContentProperties = 1;
    private const byte ContentFeature = 1, ContentImage = 2;
    private const int ImageColorSpace = 0;
    private const byte ColorSpaceRgb = 1;
    private const int ProcessUnitOptionsType = 0, ProcessUnitOptions = 1;
    private const byte OptionsNormalization = 1;
    private const int NormalizationMean = 0, NormalizationStd = 1;
    private const int FileName = 0, FileDescription = 1, FileType = 2;
    private const byte FileTypeTensorAxisLabels = 2;
    /// <summary>Lowest metadata parser version that understands every field written here.</summary>
    private const string MinParserVersion = "1.0.0";

    public ClassifierMetadata(IReadOnlyList<string> labels, float[] mean, float[] std)
    {
        Labels = labels;
        Mean = mean;
        Std = std;
    }

    public string Name { get; init; } = "image classifier";
    public string? Description { get; init; }
    public string? Version { get; init; }
    public string? Author { get; init; }
    public string? License { get; init; }
    /// <summary>Per-channel (or one shared) mean subtracted from 0..255 pixels.</summary>
    public float[] Mean { get; }
    /// <summary>Per-channel (or one shared) divisor applied after subtracting <see cref="Mean"/>.</summary>
    public float[] Std { get; }
    /// <summary>Class names; line i of the label file names output element i. Empty: no label file.</summary>
    public IReadOnlyList<string> Labels { get; }
    /// <summary>Name of the label file inside the model's associated files.</summary>
    public string LabelFileName { get; init; } = "labels.txt";

    /// <summary>The <c>TFLITE_METADATA</c> FlatBuffer.</summary>
    public byte[] ToFlatBuffer()
    {
        var input = new TableBuilder()
            .String(TensorName, "image")
            .String(TensorDescription, "Input image, RGB, normalised as (pixel - mean) / std.")
            .Table(TensorContent, new TableBuilder()
                .Byte(ContentPropertiesType, ContentImage)
                .Table(ContentProperties, new TableBuilder().Byte(ImageColorSpace, ColorSpaceRgb)))
            .Tables(TensorProcessUnits, [new TableBuilder()
                .Byte(ProcessUnitOptionsType, OptionsNormalization)
                .Table(ProcessUnitOptions, new TableBuilder().Vector<float>(NormalizationMean, Mean).Vector<float>(NormalizationStd, Std))]);
        var output = new TableBuilder()
            .String(TensorName, "probability")
            .String(TensorDescription, "Class scores.")
            .Table(TensorContent, new TableBuilder()
                .Byte(ContentPropertiesType, ContentFeature)
                .Table(ContentProperties, new TableBuilder()));
        if (Labels.Count > 0)
        {
            output.Tables(TensorAssociatedFiles, [new TableBuilder()
                .String(FileName, LabelFileName)
                .String(FileDescription, "Class names, one per line.")
                .Byte(FileType, FileTypeTensorAxisLabels)]);
        }
        var root = new TableBuilder()
            .String(ModelName, Name)
            .String(ModelDescription, Description)
            .String(ModelVersion, Version)
            .Tables(ModelSubgraphs, [new TableBuilder().Tables(SubgraphInputs, [input]).Tables(SubgraphOutputs, [output])])
            .String(ModelAuthor, Author)
            .String(ModelLicense, License)
            .String(ModelMinParserVersion, MinParserVersion);
        return FlatBufferBuilder.Finish(root, "M001");
    }

    /// <summary>The label file: one label per line, UTF-8, each line ended by '\n'.</summary>
    public byte[] LabelFile() => Encoding.UTF8.GetBytes(string.Concat(Labels.Select(l => l + "\n")));

    /// <summary>Sets the <c>TFLITE_METADATA</c> entry of <paramref name="graph"/> and packs the label file
    /// (when there are labels) as an associated file, replacing earlier ones of the same names.</summary>
    public void ApplyTo(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.SetMetadata(MetadataName, ToFlatBuffer());
        if (Labels.Count > 0) graph.SetAssociatedFile(LabelFileName, LabelFile());
    }
}
