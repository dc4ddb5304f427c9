using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DeepLite.Cli.Benchmarking;
using DeepLite.Cli.Catalog;
#if !DEEPLITE_EDGE
using Spectre.Console;
#endif

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite bench</c>: end-to-end latency, CPU and memory of one model, measured in this process.</summary>
internal static class BenchCommand
{
    private const double Mebibyte = 1024 * 1024;

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file or catalog name.", Required = true };
        var threads = new Option<int>("--threads") { Description = "Threads per operator (InterpreterOptions.Threads).", DefaultValueFactory = _ => 1 };
        var runs = new Option<int>("--runs", "-r") { Description = "Timed inferences; latency statistics are taken over these.", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup", "-w") { Description = "Untimed inferences after the first one, before the timed runs.", DefaultValueFactory = _ => 10 };
        var seed = new Option<uint>("--seed") { Description = "Seed of the random inputs (the tflite-oracle's --random-inputs formulas).", DefaultValueFactory = _ => RandomInputs.DefaultSeed };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var profile = new Option<bool>("--profile")
        {
            Description = "After the timed runs, time each operator's Eval on its own over as many runs and report the time per operator type "
                + "(count, ms, share of the total, GMAC/s); JSON: \"profile\": [...].",
        };
        CommandSupport.AtLeast(threads, 1);
        CommandSupport.AtLeast(runs, 1);
        CommandSupport.AtLeast(warmup, 0);
        var command = new Command("bench",
            "Measure a model end to end in this process: load time (read + interpreter + AllocateTensors), first inference, "
            + "then median, p90 and min latency of the timed runs on seeded random inputs; CPU use during the timed runs "
            + "(process CPU time / wall time, so 100% = one core fully busy and N threads can reach N x 100%); "
            + "peak resident memory of the process, managed heap and tensor arena (MB = 2^20 bytes); MACs and GMAC/s at the median."
#if !DEEPLITE_EDGE
            + " A progress bar is drawn only on an interactive terminal and never with --json."
#endif
            )
        {
            model, threads, runs, warmup, seed, json, profile,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string path = ModelCatalog.Resolve(parse.GetValue(model)!, parse.InvocationConfiguration.Error);
            var settings = new ModelBenchmarkSettings(path, parse.GetValue(threads), parse.GetValue(runs), parse.GetValue(warmup), parse.GetValue(seed), parse.GetValue(profile));
            bool asJson = parse.GetValue(json);
            bool progressBar = !asJson && CommandSupport.IsInteractiveConsole(output);
#if DEEPLITE_EDGE
            var result = ModelBenchmark.Run(settings);
#else
            var result = progressBar ? RunWithProgressBar(settings) : ModelBenchmark.Run(settings);
#endif
            if (asJson) output.WriteLine(Json.Write(w => WriteJson(w, result)));
            else WriteText(output, result, progressBar);
            return 0;
        });
        return command;
    }

#if !DEEPLITE_EDGE
    private static ModelBenchmarkResult RunWithProgressBar(ModelBenchmarkSettings settings)
    {
        var progress = AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn());
        progress.RefreshRate = TimeSpan.FromMilliseconds(250);
        return progress.Start(context =>
        {
            var tasks = new Dictionary<ModelBenchmarkStage, ProgressTask>
            {
                [ModelBenchmarkStage.Load] = context.AddTask("load + first inference", maxValue: 2),
                [ModelBenchmarkStage.Warmup] = context.AddTask($"{settings.Warmup} warm-up runs", maxValue: Math.Max(1, settings.Warmup)),
                [ModelBenchmarkStage.Timed] = context.AddTask($"{settings.Runs} timed runs", maxValue: settings.Runs),
            };
            if (settings.Warmup == 0) tasks[ModelBenchmarkStage.Warmup].Value = 1;
            return ModelBenchmark.Run(settings, (stage, done, _) => tasks[stage].Value = done);
        });
    }

#endif

    private static void WriteText(TextWriter output, ModelBenchmarkResult r, bool progressBarShown)
    {
        var s = r.Settings;
        var latency = r.Latency;
        output.WriteLine($"Model        {s.ModelPath}");
        output.WriteLine($"Threads      {s.Threads}");
        output.WriteLine($"Load         {r.LoadMilliseconds:F1} ms (read, interpreter, AllocateTensors)");
        output.WriteLine($"First run    {r.FirstInferenceMilliseconds:F2} ms");
        output.WriteLine($"Warm start   {r.WarmLoadToFirstResultMilliseconds:F2} ms from loading the file again to the first result, code already compiled (best of 5)");
        output.WriteLine($"Latency      median {latency.Median:F3} ms, p90 {latency.P90:F3} ms, min {latency.Min:F3} ms ({s.Runs} runs after {s.Warmup} warm-up)");
        output.WriteLine($"Compute      {r.MultiplyAccumulates:N0} MACs per inference, {r.GigaMacsPerSecond:F2} GMAC/s at the median");
        output.WriteLine($"CPU          {r.CpuPercent:F0}% during the timed runs (100% = one core busy)");
        output.WriteLine($"Memory       peak RSS {r.PeakWorkingSetBytes / Mebibyte:F1} MB"
            + (r.LinuxHighWaterMarkBytes is { } hwm ? $" (VmHWM {hwm / Mebibyte:F1} MB)" : "")
            + $", managed heap {r.ManagedHeapBytes / Mebibyte:F2} MB (GC heap {r.GcHeapSizeBytes / Mebibyte:F2} MB)"
            + $", arena {r.ArenaBytes:N0} bytes, {r.AllocatedBytesPerRun:N0} bytes allocated per run");
        if (r.Profile is { } profile)
        {
            output.WriteLine($"Profile      per operator type, each Eval timed on its own over {s.Runs} runs:");
            output.WriteLine($"             {"operator",-22} {"count",5} {"ms",9} {"share",7} {"GMAC/s",8}");
            foreach (var p in profile)
            {
                string gmacs = p.MultiplyAccumulates > 0 ? p.GigaMacsPerSecond.ToString("F2", CultureInfo.InvariantCulture) : "-";
                output.WriteLine($"             {p.Operator,-22} {p.Count,5} {p.Milliseconds,9:F3} {p.Share,7:P1} {gmacs,8}");
            }
        }
        if (progressBarShown)
        {
            output.WriteLine("Note         CPU and allocations include drawing the progress bar; redirect the output or use --json to leave it out.");
        }
    }

    private static void WriteJson(Utf8JsonWriter w, ModelBenchmarkResult r)
    {
        var s = r.Settings;
        w.WriteStartObject();
        w.WriteString("model", s.ModelPath);
        w.WriteNumber("threads", s.Threads);
        w.WriteNumber("runs", s.Runs);
        w.WriteNumber("warmup", s.Warmup);
        w.WriteNumber("seed", s.Seed);
        w.WriteNumber("loadMs", Math.Round(r.LoadMilliseconds, 3));
        w.WriteNumber("firstInferenceMs", Math.Round(r.FirstInferenceMilliseconds, 3));
        w.WriteNumber("warmLoadToFirstResultMs", Math.Round(r.WarmLoadToFirstResultMilliseconds, 3));
        w.WriteStartObject("latencyMs");
        w.WriteNumber("median", Math.Round(r.Latency.Median, 4));
        w.WriteNumber("p90", Math.Round(r.Latency.P90, 4));
        w.WriteNumber("min", Math.Round(r.Latency.Min, 4));
        w.WriteNumber("mean", Math.Round(r.Latency.Mean, 4));
        w.WriteNumber("max", Math.Round(r.Latency.Max, 4));
        w.WriteEndObject();
        w.WriteNumber("cpuPercent", Math.Round(r.CpuPercent, 1));
        w.WriteNumber("peakRssMb", Math.Round(r.PeakWorkingSetBytes / Mebibyte, 2));
        if (r.LinuxHighWaterMarkBytes is { } hwm) w.WriteNumber("vmHwmMb", Math.Round(hwm / Mebibyte, 2));
        w.WriteNumber("managedHeapMb", Math.Round(r.ManagedHeapBytes / Mebibyte, 3));
        w.WriteNumber("gcHeapSizeMb", Math.Round(r.GcHeapSizeBytes / Mebibyte, 3));
        w.WriteNumber("allocatedBytesPerRun", r.AllocatedBytesPerRun);
        w.WriteNumber("arenaBytes", r.ArenaBytes);
        w.WriteNumber("macs", r.MultiplyAccumulates);
        w.WriteNumber("gmacPerSecond", Math.Round(r.GigaMacsPerSecond, 3));
        if (r.Profile is { } profile)
        {
            w.WriteStartArray("profile");
            foreach (var p in profile)
            {
                w.WriteStartObject();
                w.WriteString("operator", p.Operator);
                w.WriteNumber("count", p.Count);
                w.WriteNumber("ms", Math.Round(p.Milliseconds, 4));
                w.WriteNumber("share", Math.Round(p.Share, 4));
                w.WriteNumber("macs", p.MultiplyAccumulates);
                w.WriteNumber("gmacPerSecond", Math.Round(p.GigaMacsPerSecond, 3));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
