using System.CommandLine;
using DeepLite.Cli.Commands;
using DeepLite.Runtime;

namespace DeepLite.Cli;

/// <summary>The <c>deeplite</c> command: wires the sub-commands; each lives in Commands/.</summary>
internal static class CommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("DeepLite: run TensorFlow Lite models in pure .NET, offline.");
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
#if !DEEPLITE_NO_DOWNLOADS
        root.Subcommands.Add(CatalogCommand.Create());
#endif
        root.Subcommands.Add(BenchCommand.Create());
#if !DEEPLITE_EDGE
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(PersonalizeCommand.Create());
#endif
        return root;
    }

    /// <summary>Parses and runs; expected failures (bad model, missing file, bad input) print one
    /// clear line on <paramref name="error"/> and exit with 1; usage errors exit with 2.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) error.WriteLine(e.Message);
            error.WriteLine("Run 'deeplite --help' for usage.");
            return 2;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is DeepLiteException or IOException or InvalidDataException or ArgumentException
                                       or InvalidOperationException or UnauthorizedAccessException or KeyNotFoundException
#if !DEEPLITE_NO_DOWNLOADS
                                       or HttpRequestException
#endif
                                       )
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
