using System.CommandLine;
using System.Diagnostics;
using DeepLite.Cli.Catalog;
using DeepLite.Runtime;
using DeepLite.Vision;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite classify</c>: top-k classes of images with an image classification model.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file or catalog name.", Required = true };
        var labels = new Option<string?>("--labels", "-l") { Description = "Label file, one class per line (default: the catalog's labels for catalog models)." };
        var top = new Option<int>("--top", "-k") { Description = "How many classes to print.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per image." };
        var resize = new Option<ResizeMode>("--resize") { Description = "How images are scaled to the model's input.", DefaultValueFactory = _ => ResizeMode.Bilinear };
        var threads = new Option<int>("--threads") { Description = "Threads per operator.", DefaultValueFactory = _ => 1 };
        var images = new Argument<string[]>("images") { Description = "BMP, PNG or JPEG files (or catalog sample names).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("classify", "Classify images with a TFLite image classification model.") { model, labels, top, json, resize, threads, images };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            string modelName = parse.GetValue(model)!;
            string path = ModelCatalog.Resolve(modelName, error);
            string? labelsPath = parse.GetValue(labels);
            if (labelsPath is null && ModelCatalog.Find(modelName) is { Labels: { } catalogLabels } && !File.Exists(modelName))
            {
                labelsPath = ModelCatalog.Resolve(catalogLabels, error);
            }
            int k = parse.GetValue(top);
            if (k <= 0) throw new ArgumentException("--top must be at least 1.");
            using var loaded = TfLiteModel.Load(path);
            var classifier = new ImageClassifier(loaded, labelsPath is null ? null : Labels.Load(labelsPath), new InterpreterOptions { Threads = parse.GetValue(threads) });
            using var _ = classifier;
            foreach (string imageName in parse.GetValue(images)!)
            {
                string imagePath = ModelCatalog.Resolve(imageName, error);
                // A model trained on cut-outs records how alpha was cropped and composited; decode the same way.
                var image = classifier.DecodeImage(imagePath);
                var clock = Stopwatch.StartNew();
                var results = classifier.Classify(image, k, parse.GetValue(resize));
                double latency = clock.Elapsed.TotalMilliseconds;
                if (parse.GetValue(json))
                {
                    output.WriteLine(Json.Write(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("model", path);
                        w.WriteString("image", imagePath);
                        Json.WriteInts(w, "input", [1, classifier.InputShape.Height, classifier.InputShape.Width, classifier.InputShape.Channels]);
                        w.WriteStartArray("top");
                        foreach (var r in results)
                        {
                            w.WriteStartObject();
                            w.WriteNumber("index", r.Index);
                            w.WriteString("label", r.Label);
                            w.WriteNumber("score", Math.Round(r.Score, 6));
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteNumber("latencyMs", Math.Round(latency, 3));
                        w.WriteEndObject();
                    }));
                }
                else
                {
                    output.WriteLine($"{imagePath} ({latency:F1} ms)");
                    foreach (var r in results) output.WriteLine($"  {r.Score,8:F4}  {r.Index,5}  {r.Label}");
                }
            }
            return 0;
        });
        return command;
    }
}
