namespace DeepLite.Tests;

/// <summary>
/// Locates the shared third-party test data: <c>$DEEPLITE_TESTDATA</c>, else <c>../shared/testdata</c>
/// beside the repository root. The data is read in place and never copied into the repository.
/// </summary>
internal static class TestData
{
    private static readonly Lazy<string> RootPath = new(Resolve);

    /// <summary>The test data folder; throws with instructions when it is missing.</summary>
    public static string Root => RootPath.Value;

    public static string Models => Path.Combine(Root, "models");
    public static string Ops => Path.Combine(Root, "ops");
    public static string Images => Path.Combine(Root, "images");
    public static string Golden => Path.Combine(Root, "golden");

    public static string Model(string fileName) => Path.Combine(Models, fileName);

    /// <summary>A path inside the test data folder, e.g. <c>File("images", "cat.bmp")</c>.</summary>
    public static string File(params string[] parts)
    {
        string path = Path.GetFullPath(Path.Combine([Root, .. parts]));
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"Test data file missing: {path}", path);
        return path;
    }

    /// <summary>The repository root (the folder holding DeepLite.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "DeepLite.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException($"Cannot find DeepLite.sln above {AppContext.BaseDirectory}.");
        }
    }

    private static string Resolve()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("DEEPLITE_TESTDATA");
        string candidate = !string.IsNullOrEmpty(fromEnvironment)
            ? fromEnvironment
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "testdata"));
        if (!Directory.Exists(Path.Combine(candidate, "golden")))
        {
            throw new InvalidOperationException(
                $"Test data not found at '{candidate}'. Set DEEPLITE_TESTDATA to the shared testdata folder, or place shared/testdata beside the repository.");
        }
        return candidate;
    }
}
