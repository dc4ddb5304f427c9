using System.CommandLine;
using DeepLite.Cli.Catalog;
using DeepLite.Toolchain.Training;
using DeepLite.Vision;
using Spectre.Console;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite train</c>: retrain the last layer of a base model on a labelled image folder.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var baseModel = new Option<string>("--base", "-b") { Description = "Base model file or catalog name; its output 0 (or --cut-at) is the embedding.", Required = true };
        var cutAt = new Option<string?>("--cut-at") { Description = "Embedding tensor name or index (shape [1,...,1,C]), e.g. the pooled features before a classifier's last layer." };
        var data = new Option<string>("--data", "-d") { Description = "Image folder with one sub-folder per class.", Required = true };
        var outPath = new Option<string>("--out", "-o") { Description = "Output path without extension; NAME.float32.tflite, NAME.uint8.tflite and NAME.head.json are written.", Required = true };
        var holdout = new Option<double>("--holdout") { Description = "Fraction of each class held out for evaluation.", DefaultValueFactory = _ => 0.25 };
        var epochs = new Option<int>("--epochs") { Description = "Most training epochs (early stopping may end sooner).", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed of the splits, augmentation and training.", DefaultValueFactory = _ => 1 };
        var augment = new Option<bool>("--augment") { Description = "Also train on flipped, cropped and brightened views (each cached as its own embedding)." };
        var noAlphaCrop = new Option<bool>("--no-alpha-crop") { Description = "Keep the transparent border of images with an alpha channel (by default they are cropped to their visible content plus a 10% margin, at training and, through the model's metadata, at classification)." };
        var cache = new Option<string?>("--cache") { Description = "Embedding cache folder (default $DEEPLITE_CACHE/embeddings or ~/.cache/deeplite/embeddings)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("train",
            "Transfer learning: train a new last layer (fully connected + softmax) on the base model's embeddings of your images, "
            + "quantize it to uint8 and report held-out top-1 of the float and quantized heads, their agreement and timings. "
            + "Writes NAME.float32.tflite (dequantized backbone + float head) and NAME.uint8.tflite (quantized backbone + uint8 head), "
            + "each with labels and input normalisation metadata, and NAME.head.json (weights, quantization, metrics).")
        {
            baseModel, cutAt, data, outPath, holdout, epochs, seed, augment, noAlphaCrop, cache, json,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            double holdoutFraction = parse.GetValue(holdout);
            if (holdoutFraction is <= 0 or >= 1) throw new ArgumentException($"--holdout must be between 0 and 1 (got {holdoutFraction}).");
            int epochCount = parse.GetValue(epochs);
            if (epochCount < 1) throw new ArgumentException($"--epochs must be at least 1 (got {epochCount}).");
            string headPath = parse.GetValue(outPath)! + ".head.json";
            string? folder = Path.GetDirectoryName(Path.GetFullPath(headPath));
            var options = new TransferLearningOptions
            {
                BaseModel = ModelCatalog.Resolve(parse.GetValue(baseModel)!, parse.InvocationConfiguration.Error),
                CutAt = parse.GetValue(cutAt),
                DataFolder = parse.GetValue(data)!,
                HoldoutFraction = holdoutFraction,
                Seed = parse.GetValue(seed),
                Augment = parse.GetValue(augment),
                AlphaCrop = parse.GetValue(noAlphaCrop) ? null : AlphaCrop.Default,
                CacheFolder = parse.GetValue(cache),
                Head = new HeadTrainingOptions { Epochs = epochCount, Seed = parse.GetValue(seed) },
            };
            bool asJson = parse.GetValue(json);
            var result = !asJson && CommandSupport.IsInteractiveConsole(output) ? RunWithProgressBar(options) : TransferLearning.Run(options);
            if (folder is not null) Directory.CreateDirectory(folder);
            var written = TrainedModelWriter.Write(parse.GetValue(outPath)!, options.BaseModel, result, [(headPath, HeadFile.ToBytes(result))]);
            if (asJson) output.WriteLine(Json.Write(w => WriteJson(w, result, written)));
            else WriteText(output, result, written);
            return 0;
        });
        return command;
    }

    private static TransferLearningResult RunWithProgressBar(TransferLearningOptions options)
    {
        var progress = AnsiConsole.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn());
        return progress.Start(context =>
        {
            var embeddings = context.AddTask("embeddings");
            var training = context.AddTask("training", autoStart: false);
            return TransferLearning.Run(options, new ActionProgress(p =>
            {
                if (p.Epoch is { } epoch)
                {
                    if (!training.IsStarted) training.StartTask();
                    training.MaxValue = p.Total;
                    training.Value = p.Done;
                    training.Description = $"epoch {epoch.Epoch}  loss {epoch.TrainLoss:F4}  val acc {epoch.ValidationAccuracy:P0}";
                }
                else
                {
                    embeddings.MaxValue = p.Total;
                    embeddings.Value = p.Done;
                }
            }));
        });
    }

    private sealed class ActionProgress(Action<TransferLearningProgress> report) : IProgress<TransferLearningProgress>
    {
        public void Report(TransferLearningProgress value) => report(value);
    }

    private static void WriteText(TextWriter output, TransferLearningResult r, IReadOnlyList<string> written)
    {
        var head = r.Head;
        output.WriteLine($"classes: {string.Join(", ", head.Labels.Select((l, i) => $"{l} ({r.ImagesPerClass[i]})"))}");
        output.WriteLine($"images: {r.TrainImages} train, {r.ValidationImages} validation, {r.HoldoutImages} held out");
        output.WriteLine($"embedding: tensor {head.Embedding.TensorIndex} '{head.Embedding.TensorName}' ({head.Embedding.Size} values)");
        output.WriteLine($"embeddings: {r.EmbeddingsComputed} computed, {r.EmbeddingsFromCache} from cache, {r.ExtractionTime.TotalSeconds:F1} s ({r.ImagesPerSecond:F1} images/s)");
        output.WriteLine($"training: {head.History.Count} epochs (best {head.BestEpoch}{(head.Refit ? ", then refit on train + validation" : "")}), {r.TrainingTime.TotalSeconds:F2} s");
        output.WriteLine($"held-out top-1: float {r.HoldoutTop1Float:P1}, quantized {r.HoldoutTop1Quantized:P1}, agreement {r.FloatQuantizedAgreement:P1}");
        foreach (string path in written) output.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes)");
    }

    private static void WriteJson(System.Text.Json.Utf8JsonWriter w, TransferLearningResult r, IReadOnlyList<string> written)
    {
        w.WriteStartObject();
        w.WriteStartArray("files");
        foreach (string path in written) w.WriteStringValue(path);
        w.WriteEndArray();
        w.WriteStartArray("classes");
        for (int c = 0; c < r.Head.Labels.Count; c++)
        {
            w.WriteStartObject();
            w.WriteString("label", r.Head.Labels[c]);
            w.WriteNumber("images", r.ImagesPerClass[c]);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("trainImages", r.TrainImages);
        w.WriteNumber("validationImages", r.ValidationImages);
        w.WriteNumber("holdoutImages", r.HoldoutImages);
        w.WriteNumber("holdoutTop1Float", r.HoldoutTop1Float);
        w.WriteNumber("holdoutTop1Quantized", r.HoldoutTop1Quantized);
        w.WriteNumber("agreement", r.FloatQuantizedAgreement);
        w.WriteNumber("embeddingsComputed", r.EmbeddingsComputed);
        w.WriteNumber("embeddingsFromCache", r.EmbeddingsFromCache);
        w.WriteNumber("extractionSeconds", Math.Round(r.ExtractionTime.TotalSeconds, 3));
        w.WriteNumber("trainingSeconds", Math.Round(r.TrainingTime.TotalSeconds, 3));
        w.WriteNumber("imagesPerSecond", Math.Round(r.ImagesPerSecond, 2));
        w.WriteNumber("epochs", r.Head.History.Count);
        w.WriteNumber("bestEpoch", r.Head.BestEpoch);
        w.WriteEndObject();
    }
}
