using System.CommandLine;
using System.Globalization;
using DeepLite.Cli.Catalog;
using DeepLite.Vision;
#if !DEEPLITE_EDGE
using Spectre.Console;
#endif

namespace DeepLite.Cli.Commands;

/// <summary>What several commands share: option checks, the progress bar rule, model and label resolution.</summary>
internal static class CommandSupport
{
    /// <summary>Rejects a given value below <paramref name="minimum"/> as a usage error; text that is not a number is
    /// left to the option's own conversion error.</summary>
    public static void AtLeast(Option<int> option, int minimum) => option.Validators.Add(result =>
    {
        if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value < minimum)
        {
            result.AddError($"{option.Name} must be at least {minimum} (got {value}).");
        }
    });

#if DEEPLITE_EDGE
    /// <summary>The edge build has no progress bars (no Spectre.Console), so it never draws one.</summary>
    public static bool IsInteractiveConsole(TextWriter output) => false;
#else
    /// <summary>True when <paramref name="output"/> is this process's console and a person is watching it.</summary>
    public static bool IsInteractiveConsole(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, drawing a progress bar titled <paramref name="title"/> fed by the
    /// (done, total) callback it is given when <paramref name="show"/>; otherwise the callback does nothing.</summary>
    public static T WithProgress<T>(bool show, string title, Func<Action<int, int>, T> work)
    {
        if (!show) return work((_, _) => { });
        var progress = AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn());
        progress.RefreshRate = TimeSpan.FromMilliseconds(250);
        return progress.Start(context =>
        {
            var task = context.AddTask(title, maxValue: 1);
            return work((done, total) =>
            {
                task.MaxValue = total;
                task.Value = done;
            });
        });
    }
#endif

    /// <summary>The labels to use for <paramref name="modelName"/>: the file <paramref name="labelsPath"/> when given; else the
    /// catalog's label file for a catalog model (not a local file of that name); else null, meaning the model's own labels.</summary>
    public static IReadOnlyList<string>? ResolveLabels(string modelName, string? labelsPath, TextWriter log)
    {
        if (labelsPath is null && ModelCatalog.Find(modelName) is { Labels: { } catalogLabels } && !File.Exists(modelName))
        {
            labelsPath = ModelCatalog.Resolve(catalogLabels, log);
        }
        return labelsPath is null ? null : Labels.Load(labelsPath);
    }
}
