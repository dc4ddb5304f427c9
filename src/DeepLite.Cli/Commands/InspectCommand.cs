using System.CommandLine;
using DeepLite.Cli.Catalog;
using DeepLite.Runtime;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite inspect</c>: what a model contains and what it costs to run.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "Model file or catalog name." };
        var json = new Option<bool>("--json") { Description = "Print as JSON." };
        var tensors = new Option<bool>("--tensors") { Description = "List every tensor (always included in --json)." };
        var command = new Command("inspect", "Show a model's operators, tensors, parameters, multiply-accumulates and planned memory.") { model, json, tensors };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string path = ModelCatalog.Resolve(parse.GetValue(model)!, parse.InvocationConfiguration.Error);
            using var loaded = TfLiteModel.Load(path);
            Interpreter? interpreter = null;
            string? allocationError = null;
            try
            {
                interpreter = new Interpreter(loaded);
                interpreter.AllocateTensors();
            }
            catch (DeepLiteException e)
            {
                allocationError = e.Message;
                interpreter?.Dispose();
                interpreter = null;
            }
            using var _ = interpreter;
            var stats = ModelStatistics.Compute(loaded, interpreter);
            var graph = loaded.MainSubgraph;
            if (parse.GetValue(json))
            {
                output.WriteLine(Json.Write(w => WriteJson(w, path, loaded, stats, interpreter, allocationError), indented: true));
                return 0;
            }
            output.WriteLine($"Model        {path}");
            output.WriteLine($"Schema       version {loaded.Version}{(loaded.Description is { Length: > 0 } d ? $", \"{d}\"" : "")}");
            output.WriteLine($"Subgraphs    {loaded.Subgraphs.Count}; main has {graph.Operators.Count} operators, {graph.Tensors.Count} tensors");
            foreach (int i in graph.Inputs) output.WriteLine($"Input        {Describe(graph.Tensors[i])}");
            foreach (int i in graph.Outputs) output.WriteLine($"Output       {Describe(graph.Tensors[i])}");
            output.WriteLine($"Parameters   {stats.Parameters:N0} ({stats.WeightBytes:N0} bytes of constants)");
            output.WriteLine(interpreter is null
                ? $"MACs         unknown: {allocationError}"
                : $"MACs         {stats.MultiplyAccumulates:N0} per inference");
            if (interpreter?.MemoryPlan is { } plan)
            {
                output.WriteLine($"Arena        {plan.ArenaBytes:N0} bytes planned ({plan.NaiveBytes:N0} without sharing, {100.0 * plan.ArenaBytes / Math.Max(1, plan.NaiveBytes):F1}%)");
            }
            output.WriteLine("Operators");
            foreach (var (name, count) in stats.OperatorCounts) output.WriteLine($"  {name,-28} {count,5}");
            if (loaded.Signatures.Count > 0) output.WriteLine($"Signatures   {string.Join(", ", loaded.Signatures.Select(s => s.Key))}");
            if (loaded.Metadata.Count > 0) output.WriteLine($"Metadata     {string.Join(", ", loaded.Metadata.Select(m => $"{m.Name} ({m.Data.Length} bytes)"))}");
            if (parse.GetValue(tensors))
            {
                output.WriteLine("Tensors");
                foreach (var t in graph.Tensors) output.WriteLine($"  {t.Index,4} {Describe(t)}{(t.IsConstant ? " const" : "")}");
            }
            return 0;
        });
        return command;
    }

    private static string Describe(TensorInfo t)
    {
        string quant = t.Quantization switch
        {
            null => "",
            { IsPerChannel: true } q => $" per-channel({q.Scales.Length}) axis {q.QuantizedDimension}",
            var q => $" scale {q.Scale:G6} zero {q.ZeroPoint}",
        };
        return $"'{t.Name}' {t.Type.Name()}[{string.Join(",", t.Shape)}]{quant}";
    }

    private static void WriteJson(System.Text.Json.Utf8JsonWriter w, string path, TfLiteModel model, ModelStatistics stats, Interpreter? interpreter, string? allocationError)
    {
        var graph = model.MainSubgraph;
        w.WriteStartObject();
        w.WriteString("model", path);
        w.WriteNumber("schemaVersion", model.Version);
        w.WriteNumber("subgraphs", model.Subgraphs.Count);
        w.WriteNumber("operators", graph.Operators.Count);
        w.WriteStartObject("operatorCounts");
        foreach (var (name, count) in stats.OperatorCounts) w.WriteNumber(name, count);
        w.WriteEndObject();
        w.WriteNumber("parameters", stats.Parameters);
        w.WriteNumber("weightBytes", stats.WeightBytes);
        if (interpreter is not null)
        {
            w.WriteNumber("macs", stats.MultiplyAccumulates);
            w.WriteNumber("arenaBytes", interpreter.MemoryPlan!.ArenaBytes);
            w.WriteNumber("naiveBytes", interpreter.MemoryPlan.NaiveBytes);
        }
        else
        {
            w.WriteString("allocationError", allocationError);
        }
        Json.WriteInts(w, "inputs", graph.Inputs.ToArray());
        Json.WriteInts(w, "outputs", graph.Outputs.ToArray());
        w.WriteStartArray("tensors");
        foreach (var t in graph.Tensors)
        {
            w.WriteStartObject();
            w.WriteNumber("index", t.Index);
            w.WriteString("name", t.Name);
            w.WriteString("type", t.Type.Name());
            Json.WriteInts(w, "shape", t.Shape);
            w.WriteBoolean("constant", t.IsConstant);
            if (t.Quantization is { } q)
            {
                w.WriteStartArray("scale");
                foreach (float s in q.Scales) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteStartArray("zeroPoint");
                foreach (long z in q.ZeroPoints) w.WriteNumberValue(z);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("signatures");
        foreach (var s in model.Signatures) w.WriteStringValue(s.Key);
        w.WriteEndArray();
        w.WriteStartArray("metadata");
        foreach (var m in model.Metadata) w.WriteStringValue(m.Name);
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
