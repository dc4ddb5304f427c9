using DeepLite.Runtime;
using DeepLite.Runtime.Format;

namespace DeepLite.Vision;

/// <summary>
/// What DeepLite uses from a model's TFLite Support metadata (the <c>TFLITE_METADATA</c> buffer, a
/// FlatBuffer of tflite-support's <c>metadata_schema.fbs</c>, root table <c>ModelMetadata</c>):
/// the <c>NormalizationOptions</c> (mean, std) among the process units of input 0, and the names of
/// the <c>TENSOR_AXIS_LABELS</c> files associated with output 0 (stored in a zip archive appended
/// to the model; see <see cref="ModelAssociatedFiles"/>).
/// </summary>
/// <remarks>Metadata is optional and advisory: reading never throws. Absent metadata gives
/// <see cref="None"/>; unreadable metadata gives empty values and a <see cref="Warning"/>.</remarks>
public sealed class ImageModelMetadata
{
    /// <summary>Name of the model metadata entry that holds TFLite Support metadata.</summary>
    public const string MetadataName = "TFLITE_METADATA";

    /// <summary>
    /// Name of a DeepLite model metadata entry holding <c>#rrggbb</c> (UTF-8): the colour transparent pixels were
    /// composited onto when the model was trained (<c>deeplite train</c> writes it), so inputs must be composited the same way.
    /// </summary>
    public const string BackgroundMetadataName = "DEEPLITE_ALPHA_BACKGROUND";

    /// <summary>
    /// Name of a DeepLite model metadata entry holding an <see cref="Vision.AlphaCrop"/> in its text form (UTF-8): images
    /// with alpha were cropped to their visible content this way before compositing when the model was trained, so
    /// inputs must be cropped the same way.
    /// </summary>
    public const string AlphaCropMetadataName = "DEEPLITE_ALPHA_CROP";

    // Field numbers (vtable slots) in metadata_schema.fbs; a union takes two slots: its type, then its value.
    private const int ModelMetadataName = 0;
    private const int ModelMetadataSubgraphs = 3;
    private const int SubgraphInputTensors = 2;
    private const int SubgraphOutputTensors = 3;
    private const int TensorProcessUnits = 4;
    private const int TensorAssociatedFiles = 6;
    private const int ProcessUnitOptionsType = 0;
    private const int ProcessUnitOptions = 1;
    private const byte OptionsNormalization = 1;
    private const int NormalizationMean = 0;
    private const int NormalizationStd = 1;
    private const int AssociatedFileName = 0;
    private const int AssociatedFileType = 2;
    private const byte FileTypeTensorAxisLabels = 2;

    private ImageModelMetadata(string? modelName, InputNormalization? normalization, IReadOnlyList<string> labelFiles, string? warning)
    {
        ModelName = modelName;
        InputNormalization = normalization;
        LabelFiles = labelFiles;
        Warning = warning;
    }

    /// <summary>No metadata.</summary>
    public static ImageModelMetadata None { get; } = new(null, null, [], null);

    /// <summary><c>ModelMetadata.name</c>, when present.</summary>
    public string? ModelName { get; }

    /// <summary>The normalization of input 0, or null when the metadata gives none.</summary>
    public InputNormalization? InputNormalization { get; }

    /// <summary>Names of output 0's label files (<c>TENSOR_AXIS_LABELS</c>), in metadata order.</summary>
    public IReadOnlyList<string> LabelFiles { get; }

    /// <summary>Why (part of) the metadata was ignored, or null.</summary>
    public string? Warning { get; }

    /// <summary>Reads the metadata of <paramref name="model"/>; <see cref="None"/> when it has none.</summary>
    public static ImageModelMetadata Read(TfLiteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entry = model.FindMetadata(MetadataName);
        return entry is null ? None : Parse(entry.Data);
    }

    /// <summary>The <see cref="BackgroundMetadataName"/> colour of <paramref name="model"/>, or null when absent or unreadable.</summary>
    public static RgbColor? ReadBackground(TfLiteModel model) =>
        ReadText(model, BackgroundMetadataName) is { } text && RgbColor.TryParse(text, out var color) ? color : null;

    /// <summary>The <see cref="AlphaCropMetadataName"/> crop of <paramref name="model"/>, or null when absent or unreadable.</summary>
    public static AlphaCrop? ReadAlphaCrop(TfLiteModel model) =>
        ReadText(model, AlphaCropMetadataName) is { } text && AlphaCrop.TryParse(text, out var crop) ? crop : null;

    /// <summary>The trimmed UTF-8 text of metadata entry <paramref name="name"/>, or null when absent or not UTF-8.</summary>
    private static string? ReadText(TfLiteModel model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entry = model.FindMetadata(name);
        if (entry is null) return null;
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(entry.Data.Span).Trim();
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Parses a <c>TFLITE_METADATA</c> buffer.</summary>
    public static ImageModelMetadata Parse(ReadOnlyMemory<byte> metadata)
    {
        string? modelName = null;
        try
        {
            var root = FlatTable.Root(metadata, MetadataName);
            modelName = root.String(ModelMetadataName);
            if (root.TableCount(ModelMetadataSubgraphs) == 0)
            {
                return new ImageModelMetadata(modelName, null, [], null);
            }
            var subgraph = root.TableAt(ModelMetadataSubgraphs, 0, $"{MetadataName} subgraph 0");

            InputNormalization? normalization = null;
            string? warning = null;
            if (subgraph.TableCount(SubgraphInputTensors) > 0)
            {
                var input = subgraph.TableAt(SubgraphInputTensors, 0, $"{MetadataName} input 0");
                (normalization, warning) = ReadNormalization(input);
            }

            var labelFiles = new List<string>();
            if (subgraph.TableCount(SubgraphOutputTensors) > 0)
            {
                var output = subgraph.TableAt(SubgraphOutputTensors, 0, $"{MetadataName} output 0");
                int fileCount = output.TableCount(TensorAssociatedFiles);
                for (int i = 0; i < fileCount; i++)
                {
                    var file = output.TableAt(TensorAssociatedFiles, i, $"{MetadataName} output 0 file {i}");
                    string? name = file.String(AssociatedFileName);
                    if (name is not null && file.Byte(AssociatedFileType) == FileTypeTensorAxisLabels) labelFiles.Add(name);
                }
            }
            return new ImageModelMetadata(modelName, normalization, labelFiles, warning);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ImageModelMetadata(modelName, null, [], $"The model's {MetadataName} metadata is unreadable and was ignored: {e.Message}");
        }
    }

    private static (InputNormalization? Normalization, string? Warning) ReadNormalization(FlatTable input)
    {
        int unitCount = input.TableCount(TensorProcessUnits);
        for (int i = 0; i < unitCount; i++)
        {
            var unit = input.TableAt(TensorProcessUnits, i, $"{MetadataName} input 0 process unit {i}");
            if (unit.Byte(ProcessUnitOptionsType) != OptionsNormalization) continue;
            var options = unit.Table(ProcessUnitOptions, $"{MetadataName} input 0 normalization");
            float[] mean = options.Vector<float>(NormalizationMean);
            float[] std = options.Vector<float>(NormalizationStd);
            try
            {
                return (new InputNormalization(Array.ConvertAll(mean, m => (double)m), Array.ConvertAll(std, s => (double)s)), null);
            }
            catch (ArgumentException e)
            {
                return (null, $"The model's normalization metadata (mean [{string.Join(", ", mean)}], std [{string.Join(", ", std)}]) was ignored: {e.Message}");
            }
        }
        return (null, null);
    }
}
