namespace DeepLite.Cli.Tests;

/// <summary>Runs the <c>deeplite</c> command in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CommandLine.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
