using System.CommandLine;
using System.Diagnostics;
using DeepLite.Cli.Catalog;
using DeepLite.Runtime;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite run</c>: raw input tensors in, every output tensor out.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file or catalog name.", Required = true };
        var inputs = new Option<string[]>("--input", "-i") { Description = "Raw little-endian bytes of input tensor N (give once per input, in order).", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Print the outputs as JSON." };
        var threads = new Option<int>("--threads") { Description = "Threads per operator.", DefaultValueFactory = _ => 1 };
        var command = new Command("run", "Run a model on raw input tensors and print every output tensor.") { model, inputs, json, threads };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string path = ModelCatalog.Resolve(parse.GetValue(model)!, parse.InvocationConfiguration.Error);
            string[] files = parse.GetValue(inputs) ?? [];
            using var loaded = TfLiteModel.Load(path);
            using var interpreter = new Interpreter(loaded, new InterpreterOptions { Threads = parse.GetValue(threads) });
            interpreter.AllocateTensors();
            if (files.Length != interpreter.Inputs.Count)
            {
                throw new ArgumentException($"The model has {interpreter.Inputs.Count} inputs ({string.Join(", ", interpreter.Inputs)}); {files.Length} --input files were given.");
            }
            for (int i = 0; i < files.Length; i++)
            {
                var tensor = interpreter.Inputs[i];
                long length = new FileInfo(files[i]).Length;
                if (length != tensor.ByteLength)
                {
                    throw new ArgumentException($"Input {i} '{tensor.Name}' ({tensor}) needs {tensor.ByteLength} bytes; {files[i]} has {length}.");
                }
                tensor.CopyFromBytes(File.ReadAllBytes(files[i]));
            }
            var clock = Stopwatch.StartNew();
            interpreter.Invoke();
            double latency = clock.Elapsed.TotalMilliseconds;
            if (parse.GetValue(json))
            {
                output.WriteLine(Json.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("model", path);
                    w.WriteStartArray("outputs");
                    foreach (var t in interpreter.Outputs)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", t.Name);
                        Json.WriteInts(w, "shape", t.Shape);
                        w.WriteString("type", t.Type.Name());
                        Json.WriteQuantization(w, t);
                        Json.WriteTensorValues(w, "values", t);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteNumber("latencyMs", Math.Round(latency, 3));
                    w.WriteEndObject();
                }));
            }
            else
            {
                foreach (var t in interpreter.Outputs)
                {
                    output.WriteLine($"{t}: {Summarize(t)}");
                }
                output.WriteLine($"latency {latency:F2} ms");
            }
            return 0;
        });
        return command;
    }

    private static string Summarize(Tensor t)
    {
        var values = Json.Write(w => Json.WriteTensorValues(w, null, t));
        return values.Length > 200 ? values[..200] + "…" : values;
    }
}
