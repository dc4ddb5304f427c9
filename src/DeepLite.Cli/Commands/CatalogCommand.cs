using System.CommandLine;
using DeepLite.Cli.Catalog;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite catalog</c>: list the well-known models, or fetch one into the cache.</summary>
internal static class CatalogCommand
{
    public static Command Create()
    {
        var fetch = new Option<string[]>("--fetch") { Description = "Download and verify these entries (names) into the cache." };
        var command = new Command("catalog", "List the well-known public models the CLI can download, or fetch them.") { fetch };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string[] names = parse.GetValue(fetch) ?? [];
            if (names.Length == 0)
            {
                foreach (var e in ModelCatalog.Entries) output.WriteLine($"{e.Name,-50} {e.Description}");
                output.WriteLine($"Source: {ModelCatalog.BaseUrl}  Cache: {ModelCatalog.CacheFolder}");
                return 0;
            }
            foreach (string name in names)
            {
                output.WriteLine(ModelCatalog.Resolve(name, parse.InvocationConfiguration.Error));
            }
            return 0;
        });
        return command;
    }
}
