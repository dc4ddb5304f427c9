using DeepLite.Runtime;

namespace DeepLite.Vision;

/// <summary>Reads label files: one label per line, line <c>i</c> (from 0) naming class <c>i</c>.</summary>
public static class Labels
{
    /// <summary>Reads a UTF-8 label file; see <see cref="Parse"/>.</summary>
    public static IReadOnlyList<string> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path));
    }

    /// <summary>
    /// Splits <paramref name="text"/> into labels at line feeds, removing a carriage return before each
    /// line feed and a leading byte-order mark. A final line feed does not start an extra label; empty
    /// lines elsewhere are kept so that indices stay aligned.
    /// </summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var lines = text.Split('\n');
        int count = lines.Length;
        if (count > 0 && lines[^1].Length == 0) count--;
        var labels = new string[count];
        for (int i = 0; i < count; i++) labels[i] = lines[i].TrimEnd('\r');
        return labels;
    }
}

/// <summary>
/// Names the classes of a model output. A label list with one entry per class maps index i to label i.
/// ImageNet label files have 1001 lines with "background" first: with a 1001-class model index i is
/// label i; with a 1000-class model (no background output) index i is label i + 1.
/// </summary>
public sealed class LabelMap
{
    private readonly IReadOnlyList<string>? _labels;

    private LabelMap(IReadOnlyList<string>? labels, int classCount, int offset)
    {
        _labels = labels;
        ClassCount = classCount;
        Offset = offset;
    }

    /// <summary>Number of model output classes.</summary>
    public int ClassCount { get; }

    /// <summary>Label index minus class index: 1 when a leading "background" label is skipped, else 0.</summary>
    public int Offset { get; }

    /// <summary>True when the classes have real labels, false when they are named by their index.</summary>
    public bool HasLabels => _labels is not null;

    /// <summary>Labels for <paramref name="classCount"/> classes.</summary>
    /// <exception cref="DeepLiteException">The label count fits neither rule.</exception>
    public static LabelMap Create(IReadOnlyList<string> labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (labels.Count == classCount) return new LabelMap(labels, classCount, 0);
        if (labels.Count == classCount + 1 && string.Equals(labels[0].Trim(), "background", StringComparison.OrdinalIgnoreCase))
        {
            return new LabelMap(labels, classCount, 1);
        }
        throw new DeepLiteException($"The model has {classCount} output classes but the label list has {labels.Count} entries"
            + (labels.Count == classCount + 1 ? $" and does not start with \"background\" (first is \"{labels[0]}\")." : "."));
    }

    /// <summary>Classes named by their index ("0", "1", ...).</summary>
    public static LabelMap Unlabelled(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        return new LabelMap(null, classCount, 0);
    }

    /// <summary>The label of class <paramref name="classIndex"/> (0 ≤ index &lt; <see cref="ClassCount"/>).</summary>
    public string this[int classIndex]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, ClassCount);
            return _labels is null ? classIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) : _labels[classIndex + Offset];
        }
    }
}
