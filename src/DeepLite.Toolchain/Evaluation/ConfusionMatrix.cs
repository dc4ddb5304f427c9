using System.Globalization;
using System.Text;

namespace DeepLite.Toolchain.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) over the data set's classes. Row <c>t</c> is the true class; column
/// <c>p &lt; ClassCount</c> the top-1 prediction when it is data set class <c>p</c>, and column <c>ClassCount</c>
/// (<see cref="OtherColumn"/>) a top-1 prediction outside the data set's classes. Each image adds 1 to exactly one cell,
/// so the sum of row <c>t</c> is the number of evaluated images of class <c>t</c>.
/// </summary>
public sealed class ConfusionMatrix
{
    /// <summary>Name of the last column: predictions that are none of the data set's classes.</summary>
    public const string OtherColumn = "other";

    private readonly int[,] _counts;

    public ConfusionMatrix(IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        Classes = classes;
        _counts = new int[classes.Count, classes.Count + 1];
    }

    /// <summary>The row classes; the columns are these followed by <see cref="OtherColumn"/>.</summary>
    public IReadOnlyList<string> Classes { get; }

    public int ClassCount => Classes.Count;

    /// <summary>Images of class <paramref name="trueClass"/> predicted as column <paramref name="predictedColumn"/> (0 … <see cref="ClassCount"/>).</summary>
    public int this[int trueClass, int predictedColumn] => _counts[trueClass, predictedColumn];

    /// <summary>Counts one image; <paramref name="predictedClass"/> is a data set class or -1 for "other".</summary>
    public void Add(int trueClass, int predictedClass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trueClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trueClass, ClassCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(predictedClass, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(predictedClass, ClassCount);
        _counts[trueClass, predictedClass < 0 ? ClassCount : predictedClass]++;
    }

    /// <summary>Row <paramref name="trueClass"/>: <see cref="ClassCount"/> + 1 counts.</summary>
    public int[] Row(int trueClass) => [.. Enumerable.Range(0, ClassCount + 1).Select(p => _counts[trueClass, p])];

    /// <summary>
    /// An aligned table: a header row of column numbers <c>[0] [1] …</c> and <c>other</c>, then one row per true class
    /// headed <c>[t] name</c>, counts right-aligned. Columns are numbered rather than named so that long class names
    /// keep the table narrow; the row headers say which class each number is. Lines end with '\n'.
    /// </summary>
    public string ToText()
    {
        string[] rowHeads = [.. Classes.Select((name, t) => $"[{t}] {name}")];
        string[] columnHeads = [.. Enumerable.Range(0, ClassCount).Select(p => $"[{p}]"), OtherColumn];
        const string Corner = "true \\ predicted";
        int headWidth = Math.Max(Corner.Length, rowHeads.Length == 0 ? 0 : rowHeads.Max(h => h.Length));
        int[] widths = new int[columnHeads.Length];
        for (int p = 0; p < columnHeads.Length; p++)
        {
            widths[p] = columnHeads[p].Length;
            for (int t = 0; t < ClassCount; t++) widths[p] = Math.Max(widths[p], Count(t, p).Length);
        }
        var text = new StringBuilder();
        text.Append(Corner.PadRight(headWidth));
        for (int p = 0; p < columnHeads.Length; p++) text.Append("  ").Append(columnHeads[p].PadLeft(widths[p]));
        text.Append('\n');
        for (int t = 0; t < ClassCount; t++)
        {
            text.Append(rowHeads[t].PadRight(headWidth));
            for (int p = 0; p < columnHeads.Length; p++) text.Append("  ").Append(Count(t, p).PadLeft(widths[p]));
            text.Append('\n');
        }
        return text.ToString();
    }

    private string Count(int trueClass, int column) => _counts[trueClass, column].ToString(CultureInfo.InvariantCulture);
}
