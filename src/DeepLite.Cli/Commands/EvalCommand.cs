using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DeepLite.Cli.Catalog;
using DeepLite.Runtime;
using DeepLite.Toolchain.Data;
using DeepLite.Toolchain.Evaluation;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite eval</c>: accuracy, per-class recall and precision and the confusion matrix of an image classifier on a labelled folder.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file or catalog name.", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "Labelled image folder: one sub-folder per class, named after the model's label.", Required = true };
        var labels = new Option<string?>("--labels", "-l") { Description = "Label file, one class per line (default: the model's packed labels, or the catalog's labels for catalog models)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var png = new Option<string?>("--confusion-png") { Description = "Also write the confusion matrix as a PNG heat-map to this file." };
        var topK = new Option<int>("--top-k", "-k") { Description = "k of the top-k accuracy.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads per operator.", DefaultValueFactory = _ => 1 };
        var skip = new Option<bool>("--skip-unreadable") { Description = "Leave out images that cannot be decoded (counted and listed) instead of stopping." };
        CommandSupport.AtLeast(topK, 1);
        CommandSupport.AtLeast(threads, 1);
        var command = new Command("eval",
            "Evaluate an image classifier on a labelled folder: top-1 and top-k accuracy, per-class recall and precision, confusion matrix. "
            + "Class folders match the model's labels exactly, else ignoring case; a model without labels maps classes by position when the counts agree. "
            + "A progress bar is drawn only on an interactive terminal and never with --json.")
        {
            model, data, labels, json, png, topK, threads, skip,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            string modelName = parse.GetValue(model)!;
            string path = ModelCatalog.Resolve(modelName, error);
            var dataset = ImageFolderDataset.Load(parse.GetValue(data)!);
            bool asJson = parse.GetValue(json);
            var report = CommandSupport.WithProgress(!asJson && CommandSupport.IsInteractiveConsole(output), $"{dataset.Images.Count} images", progress =>
                RunWithHint(() => ClassifierEvaluation.Run(path, dataset, new EvaluationOptions
                {
                    TopK = parse.GetValue(topK),
                    Threads = parse.GetValue(threads),
                    Labels = CommandSupport.ResolveLabels(modelName, parse.GetValue(labels), error),
                    SkipUnreadable = parse.GetValue(skip),
                    Progress = progress,
                })));
            string? pngPath = parse.GetValue(png);
            if (pngPath is not null) ConfusionMatrixPlot.SavePng(report.Confusion, pngPath);
            if (asJson) output.WriteLine(Json.Write(w => WriteJson(w, report)));
            else WriteText(output, report, pngPath);
            return 0;
        });
        return command;
    }

    /// <summary>Runs <paramref name="work"/>, adding to an unreadable-image error how to go on without the image.</summary>
    internal static T RunWithHint<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (UnreadableImageException e)
        {
            throw new DeepLiteException($"{e.Message} Use --skip-unreadable to leave such images out (they are counted and listed).", e);
        }
    }

    /// <summary>A fraction as a percentage with one decimal ("71.4%"), or "-" when it is undefined (NaN).</summary>
    internal static string Percent(double? fraction) =>
        fraction is not { } f || double.IsNaN(f) ? "-" : (f * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static void WriteText(TextWriter output, EvaluationReport r, string? pngPath)
    {
        output.WriteLine($"Model      {r.ModelPath}");
        output.WriteLine($"Data       {r.DataRoot}: {r.Count} images in {r.Confusion.ClassCount} classes");
        output.WriteLine(r.Mapping.ByIndex
            ? "Mapping    by index: the model has no labels, so class folder i (in name order) is output i"
            : "Mapping    class folders matched to the model's labels");
        output.WriteLine($"Top-1      {Percent(r.Top1Accuracy)} ({r.Images.Count(i => i.Top1Correct)} of {r.Count})");
        output.WriteLine($"Top-{r.TopK,-6} {Percent(r.TopKAccuracy)} ({r.Images.Count(i => i.TopKCorrect)} of {r.Count})");
        WriteSkipped(output, r.Skipped);
        foreach (string warning in r.Warnings) output.WriteLine($"Warning    {warning}");
        output.WriteLine();
        int width = Math.Max("class".Length, r.PerClass.Max(c => c.Name.Length));
        output.WriteLine($"{"class".PadRight(width)}  {"count",5}  {"recall",7}  {"precision",9}");
        foreach (var c in r.PerClass)
        {
            output.WriteLine($"{c.Name.PadRight(width)}  {c.Count,5}  {Percent(c.Recall),7}  {Percent(c.Precision),9}");
        }
        output.WriteLine();
        output.WriteLine($"Confusion matrix (rows: true class; columns: top-1 prediction; {ConfusionMatrix.OtherColumn}: a label outside the data's classes)");
        output.Write(r.Confusion.ToText());
        if (pngPath is not null) output.WriteLine($"Heat-map   {pngPath}");
    }

    private static void WriteJson(Utf8JsonWriter w, EvaluationReport r)
    {
        w.WriteStartObject();
        w.WriteString("model", r.ModelPath);
        w.WriteString("data", r.DataRoot);
        w.WriteNumber("count", r.Count);
        w.WriteNumber("top1", Math.Round(r.Top1Accuracy, 6));
        w.WriteNumber("topK", r.TopK);
        if (r.TopK != 1) w.WriteNumber($"top{r.TopK}", Math.Round(r.TopKAccuracy, 6));
        w.WriteString("mapping", r.Mapping.ByIndex ? "index" : "labels");
        w.WriteStartObject("perClass");
        foreach (var c in r.PerClass)
        {
            w.WriteStartObject(c.Name);
            WriteFraction(w, "recall", c.Recall);
            WriteFraction(w, "precision", c.Precision);
            w.WriteNumber("count", c.Count);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("confusion");
        w.WriteStartArray("classes");
        foreach (string name in r.Confusion.Classes) w.WriteStringValue(name);
        w.WriteEndArray();
        w.WriteString("otherColumn", ConfusionMatrix.OtherColumn);
        w.WriteStartArray("matrix");
        for (int t = 0; t < r.Confusion.ClassCount; t++) Json.WriteInts(w, null, r.Confusion.Row(t));
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("images");
        foreach (var image in r.Images)
        {
            w.WriteStartObject();
            w.WriteString("path", image.Path);
            w.WriteString("class", r.Confusion.Classes[image.TrueClass]);
            w.WriteNumber("index", image.Top[0].Index);
            w.WriteString("label", image.Top[0].Label);
            w.WriteNumber("score", Math.Round(image.Top[0].Score, 6));
            w.WriteBoolean("top1Correct", image.Top1Correct);
            w.WriteBoolean("topKCorrect", image.TopKCorrect);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteSkipped(w, r.Skipped);
        w.WriteStartArray("warnings");
        foreach (string warning in r.Warnings) w.WriteStringValue(warning);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Lists the unreadable images left out, under a "Skipped" heading; nothing when there are none.</summary>
    internal static void WriteSkipped(TextWriter output, IReadOnlyList<SkippedImage> skipped)
    {
        if (skipped.Count == 0) return;
        output.WriteLine($"Skipped    {skipped.Count} unreadable image(s):");
        foreach (var s in skipped) output.WriteLine($"           {s.Path}: {s.Reason}");
    }

    /// <summary>The unreadable images left out, as <c>"skipped":[{"path","reason"}]</c>.</summary>
    internal static void WriteSkipped(Utf8JsonWriter w, IReadOnlyList<SkippedImage> skipped)
    {
        w.WriteStartArray("skipped");
        foreach (var s in skipped)
        {
            w.WriteStartObject();
            w.WriteString("path", s.Path);
            w.WriteString("reason", s.Reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>A fraction rounded to 6 decimals, or null when it is undefined (NaN).</summary>
    internal static void WriteFraction(Utf8JsonWriter w, string name, double? value)
    {
        if (value is not { } v || double.IsNaN(v)) w.WriteNull(name);
        else w.WriteNumber(name, Math.Round(v, 6));
    }
}
