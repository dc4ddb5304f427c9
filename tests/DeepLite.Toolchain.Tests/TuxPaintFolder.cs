namespace DeepLite.Toolchain.Tests;

/// <summary>
/// A temporary image folder whose sub-folders are symbolic links to Tux Paint stamp folders (Debian package
/// tuxpaint-stamps-default: photo cut-outs with transparency). Deleting it on dispose leaves the stamps alone.
/// </summary>
internal sealed class TuxPaintFolder : IDisposable
{
    public const string Stamps = "/usr/share/tuxpaint/stamps";

    private TuxPaintFolder(string root, string images)
    {
        Root = root;
        Images = images;
    }

    /// <summary>The temporary folder; free for the test's other files.</summary>
    public string Root { get; }

    /// <summary>The folder holding one linked sub-folder per entry given to <see cref="Link"/>.</summary>
    public string Images { get; }

    /// <summary>Links each <c>(name, stamp folder relative to <see cref="Stamps"/>)</c> as <c>Images/name</c>; fails
    /// with the package to install when the stamps are missing.</summary>
    public static TuxPaintFolder Link(string purpose, params (string Name, string StampFolder)[] folders)
    {
        Assert.True(Directory.Exists(Stamps), $"{Stamps} is missing: apt-get install tuxpaint-stamps-default");
        string root = Directory.CreateTempSubdirectory($"deeplite-{purpose}-").FullName;
        string images = Path.Combine(root, "images");
        Directory.CreateDirectory(images);
        foreach (var (name, folder) in folders)
        {
            File.CreateSymbolicLink(Path.Combine(images, name), Path.Combine(Stamps, folder));
        }
        return new TuxPaintFolder(root, images);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
