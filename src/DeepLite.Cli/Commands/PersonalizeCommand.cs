using System.CommandLine;
using DeepLite.Client.Learning;
using DeepLite.Client.Storage;
using DeepLite.Modeling;
using DeepLite.Vision;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite personalize</c>: add a class (or examples of one) to a classifier and store it as a new local version.</summary>
internal static class PersonalizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Classifier .tflite file, or the name of a model in the store (its latest version).", Required = true };
        var addClass = new Option<string?>("--add-class") { Description = "Name of a new class learned from the images." };
        var addExamples = new Option<string?>("--add-examples") { Description = "Name of an existing class the images refine." };
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP) of the class.", Arity = ArgumentArity.ZeroOrMore };
        var store = new Option<string?>("--store") { Description = "Model store folder (default: $DEEPLITE_HOME/models or the platform's data folder)." };
        var name = new Option<string?>("--name") { Description = "Name in the store (default: the model file's name without extension)." };
        var labels = new Option<string?>("--labels") { Description = "Label file for a model without packed labels." };
        var outPath = new Option<string?>("--out", "-o") { Description = "Also write the personalised model here." };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Epochs of fine-tuning the class's row on the cached example embeddings after imprinting (0: imprint only).",
            DefaultValueFactory = _ => 0,
        };
        CommandSupport.AtLeast(epochs, 0);
        var command = new Command("personalize",
            "On-device learning: add a class (--add-class) or examples of an existing one (--add-examples) from a few images by weight "
            + "imprinting (optionally fine-tuned for --epochs), without changing existing classes, and save the result as a new version in the local model store.")
        {
            model, addClass, addExamples, images, store, name, labels, outPath, epochs,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(addClass) is null) == (result.GetValue(addExamples) is null))
            {
                result.AddError("Give exactly one of --add-class NAME and --add-examples NAME.");
            }
        });
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var modelStore = new LocalModelStore(parse.GetValue(store) ?? LocalModelStore.DefaultRoot);
            string modelArgument = parse.GetValue(model)!;
            var (path, storedName, parentVersion) = Locate(modelStore, modelArgument);
            string targetName = parse.GetValue(name) ?? storedName ?? Path.GetFileNameWithoutExtension(path);
            LocalModelStore.ValidateName(targetName);
            string? label = parse.GetValue(addClass);
            bool adding = label is not null;
            label ??= parse.GetValue(addExamples)!;
            string[] files = parse.GetValue(images) ?? [];
            var givenLabels = parse.GetValue(labels) is { } labelFile ? Labels.Load(labelFile) : null;

            int fineTuneEpochs = parse.GetValue(epochs);
            var options = new PersonalizationOptions { FineTuneEpochs = fineTuneEpochs };

            byte[] bytes = File.ReadAllBytes(path);
            var result = adding
                ? ModelPersonalizer.AddClass(bytes, label, files, givenLabels, path, options)
                : ModelPersonalizer.AddExamples(bytes, label, files, givenLabels, path, options);
            string note = (adding
                ? $"added class '{label}' from {files.Length} images"
                : $"added {files.Length} examples to class '{label}'")
                + (fineTuneEpochs > 0 ? $", fine-tuned {fineTuneEpochs} epochs" : "");
            if (targetName != storedName) parentVersion = null;
            var version = modelStore.Save(targetName, result.Model, parentVersion, note);
            string storedPath = modelStore.Open(targetName, version.Version);
            output.WriteLine($"{targetName} v{version.Version}: {storedPath} ({note}; {result.Labels.Count} classes"
                + (parentVersion is { } parent ? $", from v{parent})" : ")"));
            if (parse.GetValue(outPath) is { } copy)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(copy))!);
                AtomicFile.Write(copy, result.Model);
                output.WriteLine($"also written to {copy}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The model file, and its store name and version when it comes from <paramref name="store"/> (by name, or a
    /// path to a stored version file).</summary>
    private static (string Path, string? Name, int? Version) Locate(LocalModelStore store, string model)
    {
        if (File.Exists(model))
        {
            string full = Path.GetFullPath(model);
            string? folder = Path.GetDirectoryName(full);
            if (folder is not null && string.Equals(Path.GetDirectoryName(folder), Path.TrimEndingDirectorySeparator(store.Root), StringComparison.Ordinal))
            {
                string storedName = Path.GetFileName(folder);
                if (store.Versions(storedName).FirstOrDefault(v => v.File == Path.GetFileName(full)) is { } entry)
                {
                    return (store.Open(storedName, entry.Version), storedName, entry.Version);
                }
            }
            return (full, null, null);
        }
        if (store.Latest(model) is { } latest) return (store.Open(model, latest.Version), model, latest.Version);
        throw new FileNotFoundException($"No model file '{model}' and no model of that name in {store.Root}.", model);
    }
}
