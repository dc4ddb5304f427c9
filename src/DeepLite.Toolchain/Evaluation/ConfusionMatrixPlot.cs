using System.Globalization;
using ScottPlot;

namespace DeepLite.Toolchain.Evaluation;

/// <summary>Draws a <see cref="ConfusionMatrix"/> as a PNG heat-map with ScottPlot.</summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Longest row name drawn; longer class names are cut and end with '…'.</summary>
    public const int MaxNameLength = 28;

    /// <summary>
    /// Writes a PNG of <paramref name="width"/> × <paramref name="height"/> pixels (default: grows with the class count,
    /// at least 640 × 480). Each cell's colour is its share of its row (the row's images of that true class), from 0
    /// to 1, so that classes with few images stand out as much as large ones; the cell's count is written on it.
    /// Rows are the true classes, top to bottom in class order, named <c>[t] name</c>; columns are numbered
    /// <c>[p]</c> like the text table, with <see cref="ConfusionMatrix.OtherColumn"/> last.
    /// </summary>
    public static void SavePng(ConfusionMatrix matrix, string path, int? width = null, int? height = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        int rows = matrix.ClassCount, columns = rows + 1;
        int pixelsWide = width ?? Math.Max(640, 320 + (56 * columns));
        int pixelsHigh = height ?? Math.Max(480, 160 + (40 * rows));
        ArgumentOutOfRangeException.ThrowIfLessThan(pixelsWide, 64, nameof(width));
        ArgumentOutOfRangeException.ThrowIfLessThan(pixelsHigh, 64, nameof(height));

        var shares = new double[rows, columns];
        for (int t = 0; t < rows; t++)
        {
            int total = matrix.Row(t).Sum();
            for (int p = 0; p < columns; p++) shares[t, p] = total == 0 ? 0 : (double)matrix[t, p] / total;
        }

        using var plot = new Plot();
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "share of the true class's images";

        // ScottPlot draws row 0 of the intensities at the top: row t is centred at y = rows - 1 - t, column p at x = p.
        for (int t = 0; t < rows; t++)
        {
            for (int p = 0; p < columns; p++)
            {
                var text = plot.Add.Text(matrix[t, p].ToString(CultureInfo.InvariantCulture), p, rows - 1 - t);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 14;
                text.LabelFontColor = shares[t, p] > 0.6 ? Colors.Black : Colors.White;
            }
        }

        double[] xs = [.. Enumerable.Range(0, columns).Select(p => (double)p)];
        string[] xNames = [.. Enumerable.Range(0, rows).Select(p => $"[{p}]"), ConfusionMatrix.OtherColumn];
        double[] ys = [.. Enumerable.Range(0, rows).Select(t => (double)(rows - 1 - t))];
        string[] yNames = [.. matrix.Classes.Select((name, t) => $"[{t}] {Shorten(name)}")];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, xNames);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ys, yNames);
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.Title("Confusion matrix");
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        plot.SavePng(path, pixelsWide, pixelsHigh);
    }

    private static string Shorten(string name) => name.Length <= MaxNameLength ? name : string.Concat(name.AsSpan(0, MaxNameLength - 1), "…");
}
