using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DeepLite.Cli.Catalog;
using DeepLite.Toolchain.Evaluation;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite compare</c>: several image classifiers on the same images, side by side (float against quantized, say).</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model", "-m") { Description = "Model file or catalog name; give two or more.", Required = true, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var data = new Option<string>("--data", "-d") { Description = "Image folder: class sub-folders (labelled, accuracy reported) or images directly in it (unlabelled).", Required = true };
        var labels = new Option<string?>("--labels", "-l") { Description = "Label file for every model (default: each model's packed labels, or the catalog's labels for catalog models)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var topK = new Option<int>("--top-k", "-k") { Description = "k of the top-k accuracy.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads per operator.", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup", "-w") { Description = "Untimed runs of each model before timing.", DefaultValueFactory = _ => 3 };
        var skip = new Option<bool>("--skip-unreadable") { Description = "Leave out images that cannot be decoded (counted and listed) instead of stopping." };
        CommandSupport.AtLeast(topK, 1);
        CommandSupport.AtLeast(threads, 1);
        CommandSupport.AtLeast(warmup, 0);
        models.Validators.Add(result =>
        {
            if (result.Tokens.Count < 2) result.AddError($"compare needs at least two --model options (got {result.Tokens.Count}).");
        });
        var command = new Command("compare",
            "Run two or more image classifiers on the same images: pairwise top-1 agreement (share of images where both give the same label), "
            + "top-1/top-k accuracy when the folder has class sub-folders, file size, and median inference latency per image (Invoke only, after warm-up). "
            + "A progress bar is drawn only on an interactive terminal and never with --json.")
        {
            models, data, labels, json, topK, threads, warmup, skip,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            string? labelsPath = parse.GetValue(labels);
            var compared = parse.GetValue(models)!
                .Select(name => new ComparedModel(name, ModelCatalog.Resolve(name, error), CommandSupport.ResolveLabels(name, labelsPath, error)))
                .ToArray();
            var images = ImageSet.Load(parse.GetValue(data)!);
            bool asJson = parse.GetValue(json);
            var report = CommandSupport.WithProgress(!asJson && CommandSupport.IsInteractiveConsole(output), $"{images.Paths.Count} images x {compared.Length} models", progress =>
                EvalCommand.RunWithHint(() => ModelComparison.Run(compared, images, new ComparisonOptions
                {
                    TopK = parse.GetValue(topK),
                    Threads = parse.GetValue(threads),
                    Warmup = parse.GetValue(warmup),
                    SkipUnreadable = parse.GetValue(skip),
                    Progress = progress,
                })));
            if (asJson) output.WriteLine(Json.Write(w => WriteJson(w, report, images.Root)));
            else WriteText(output, report, images.Root);
            return 0;
        });
        return command;
    }

    private static void WriteText(TextWriter output, ComparisonReport r, string root)
    {
        output.WriteLine($"Images     {root}: {r.Images.Count} images, " + (r.Labelled ? "labelled by sub-folder" : "unlabelled (no class sub-folders, so no accuracy)"));
        EvalCommand.WriteSkipped(output, r.Skipped);
        output.WriteLine();
        string[] names = [.. r.Models.Select((m, i) => $"[{i}] {m.Name}")];
        int width = Math.Max("model".Length, names.Max(n => n.Length));
        string header = $"{"model".PadRight(width)}  {"size KB",9}  {"median ms",9}";
        if (r.Labelled) header += $"  {"top-1",7}  {"top-" + r.TopK.ToString(CultureInfo.InvariantCulture),7}";
        output.WriteLine(header);
        for (int m = 0; m < r.Models.Count; m++)
        {
            var s = r.Models[m];
            string line = $"{names[m].PadRight(width)}  {s.FileBytes / 1024.0,9:F1}  {s.MedianLatencyMilliseconds,9:F3}";
            if (r.Labelled) line += $"  {EvalCommand.Percent(s.Top1Accuracy),7}  {EvalCommand.Percent(s.TopKAccuracy),7}";
            output.WriteLine(line);
        }
        output.WriteLine();
        output.WriteLine("Top-1 agreement (share of images where both models give the same label)");
        string[] columns = [.. Enumerable.Range(0, r.Models.Count).Select(i => $"[{i}]")];
        output.WriteLine($"{"".PadRight(width)}" + string.Concat(columns.Select(c => $"  {c,7}")));
        for (int a = 0; a < r.Models.Count; a++)
        {
            output.WriteLine(names[a].PadRight(width) + string.Concat(Enumerable.Range(0, r.Models.Count).Select(b => $"  {EvalCommand.Percent(r.Agreement[a, b]),7}")));
        }
    }

    private static void WriteJson(Utf8JsonWriter w, ComparisonReport r, string root)
    {
        w.WriteStartObject();
        w.WriteString("data", root);
        w.WriteNumber("count", r.Images.Count);
        w.WriteBoolean("labelled", r.Labelled);
        w.WriteNumber("topK", r.TopK);
        w.WriteStartArray("models");
        foreach (var s in r.Models)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("path", s.Path);
            w.WriteNumber("bytes", s.FileBytes);
            w.WriteNumber("medianLatencyMs", Math.Round(s.MedianLatencyMilliseconds, 4));
            if (r.Labelled)
            {
                EvalCommand.WriteFraction(w, "top1", s.Top1Accuracy);
                EvalCommand.WriteFraction(w, $"top{r.TopK}", s.TopKAccuracy);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("agreement");
        for (int a = 0; a < r.Models.Count; a++)
        {
            w.WriteStartArray();
            for (int b = 0; b < r.Models.Count; b++) w.WriteNumberValue(Math.Round(r.Agreement[a, b], 6));
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteStartArray("images");
        for (int i = 0; i < r.Images.Count; i++)
        {
            w.WriteStartObject();
            w.WriteString("path", r.Images[i]);
            w.WriteStartArray("top1");
            foreach (var s in r.Models) w.WriteStringValue(s.Top1Labels[i]);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        EvalCommand.WriteSkipped(w, r.Skipped);
        w.WriteEndObject();
    }
}
