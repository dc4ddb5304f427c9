using DeepLite.Runtime;
using DeepLite.Vision;

namespace DeepLite.Toolchain.Evaluation;

/// <summary>An evaluation cannot run: the classes do not fit the model, the model is not a classifier, or no image was read.</summary>
public sealed class EvaluationException(string message) : DeepLiteException(message);

/// <summary>
/// Which model outputs stand for each data set class. With labels, class <c>c</c> maps to every output whose label
/// equals the class name exactly; when none does, to every output whose label equals it ignoring case (ordinal).
/// Several outputs per class happen when a label file repeats a name (ImageNet has two "crane").
/// Without labels, and only when the model has exactly as many outputs as there are classes, class <c>c</c> maps to
/// output <c>c</c> (<see cref="ByIndex"/>).
/// </summary>
public sealed class ClassMapping
{
    /// <summary>How many close label names an error message lists.</summary>
    public const int SuggestionCount = 5;

    private readonly int[][] _outputsOfClass;
    private readonly Dictionary<int, int> _classOfOutput;

    private ClassMapping(IReadOnlyList<string> classes, int[][] outputsOfClass, bool byIndex)
    {
        Classes = classes;
        _outputsOfClass = outputsOfClass;
        ByIndex = byIndex;
        _classOfOutput = [];
        for (int c = 0; c < outputsOfClass.Length; c++)
        {
            foreach (int output in outputsOfClass[c]) _classOfOutput[output] = c;
        }
    }

    /// <summary>The data set's class names, in class-index order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>True when classes map to outputs by position because the model has no labels.</summary>
    public bool ByIndex { get; }

    /// <summary>The model outputs of class <paramref name="classIndex"/> (at least one), ascending.</summary>
    public IReadOnlyList<int> OutputsOf(int classIndex) => _outputsOfClass[classIndex];

    /// <summary>The data set class that model output <paramref name="outputIndex"/> stands for, or -1 when it is none of them.</summary>
    public int ClassOf(int outputIndex) => _classOfOutput.TryGetValue(outputIndex, out int c) ? c : -1;

    /// <summary>Maps <paramref name="classes"/> onto the outputs named by <paramref name="labels"/>.</summary>
    /// <exception cref="EvaluationException">A class matches no label (the message lists the closest labels), two classes
    /// match the same output, or the model has no labels and a different number of outputs than there are classes.</exception>
    public static ClassMapping Create(IReadOnlyList<string> classes, LabelMap labels)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(labels);
        if (!labels.HasLabels)
        {
            if (labels.ClassCount != classes.Count)
            {
                throw new EvaluationException(
                    $"The model has no labels and {labels.ClassCount} outputs, but the data has {classes.Count} classes; give a label file so that class names can be matched.");
            }
            return new ClassMapping(classes, [.. Enumerable.Range(0, classes.Count).Select(i => new[] { i })], byIndex: true);
        }

        var outputs = new int[classes.Count][];
        for (int c = 0; c < classes.Count; c++)
        {
            string name = classes[c];
            int[] exact = Matching(labels, name, StringComparison.Ordinal);
            outputs[c] = exact.Length > 0 ? exact : Matching(labels, name, StringComparison.OrdinalIgnoreCase);
            if (outputs[c].Length == 0)
            {
                string close = string.Join("; ", ClosestLabels(labels, name, SuggestionCount).Select(l => $"\"{l}\""));
                throw new EvaluationException($"Class '{name}' matches no label of the model; closest labels: {close}. Rename the class folder to one of the model's labels.");
            }
        }
        for (int a = 0; a < classes.Count; a++)
        {
            for (int b = a + 1; b < classes.Count; b++)
            {
                if (outputs[a].Intersect(outputs[b]).Any())
                {
                    throw new EvaluationException($"Classes '{classes[a]}' and '{classes[b]}' both match the label \"{labels[outputs[a].Intersect(outputs[b]).First()]}\"; merge or rename one of them.");
                }
            }
        }
        return new ClassMapping(classes, outputs, byIndex: false);
    }

    private static int[] Matching(LabelMap labels, string name, StringComparison comparison) =>
        [.. Enumerable.Range(0, labels.ClassCount).Where(i => string.Equals(labels[i], name, comparison))];

    /// <summary>The <paramref name="count"/> labels nearest to <paramref name="name"/>: the smallest case-insensitive edit distance
    /// to the whole label or to one of its comma-separated names, ties in output order; distinct labels only.</summary>
    internal static IReadOnlyList<string> ClosestLabels(LabelMap labels, string name, int count)
    {
        string wanted = name.Trim().ToLowerInvariant();
        return Enumerable.Range(0, labels.ClassCount)
            .Select(i => labels[i])
            .Distinct(StringComparer.Ordinal)
            .Select(label => (Label: label, Distance: label.Split(',').Select(part => part.Trim().ToLowerInvariant()).Append(label.ToLowerInvariant())
                .Min(candidate => EditDistance(wanted, candidate))))
            .OrderBy(x => x.Distance)
            .Take(count)
            .Select(x => x.Label)
            .ToArray();
    }

    /// <summary>Levenshtein distance: the fewest single-character insertions, deletions and substitutions from <paramref name="a"/> to <paramref name="b"/>.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
