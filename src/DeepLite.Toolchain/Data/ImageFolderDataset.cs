using DeepLite.Runtime;

namespace DeepLite.Toolchain.Data;

/// <summary>An image file and the index of its class in <see cref="ImageFolderDataset.Classes"/>.</summary>
public sealed record LabeledImage(string Path, int ClassIndex);

/// <summary>A folder that cannot serve as a labelled image set: missing, without classes, or with an empty class.</summary>
public sealed class DatasetException(string message) : DeepLiteException(message);

/// <summary>
/// A labelled image set laid out as one sub-folder per class: <c>root/&lt;class&gt;/**/*.{png,jpg,jpeg,bmp}</c>.
/// Classes are the immediate sub-folders (symbolic links followed), ordered by ordinal name so that the class
/// index of a name never depends on the file system's listing order; images are searched recursively inside a
/// class folder and ordered by ordinal path. Files with other extensions are counted in <see cref="IgnoredFiles"/>,
/// not read. Hidden entries (a name starting with '.') are skipped.
/// </summary>
public sealed class ImageFolderDataset
{
    /// <summary>File extensions read as images (lower case, with the dot); matching is case-insensitive.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp"];

    private ImageFolderDataset(string root, IReadOnlyList<string> classes, IReadOnlyList<LabeledImage> images, int ignored)
    {
        Root = root;
        Classes = classes;
        Images = images;
        IgnoredFiles = ignored;
    }

    public string Root { get; }

    /// <summary>Class names, in class-index order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Every image, grouped by class in class order, each group ordered by path.</summary>
    public IReadOnlyList<LabeledImage> Images { get; }

    /// <summary>Files inside class folders that are not images by extension.</summary>
    public int IgnoredFiles { get; }

    /// <summary>Images of class <paramref name="classIndex"/>, in path order.</summary>
    public IEnumerable<LabeledImage> ImagesOf(int classIndex) => Images.Where(i => i.ClassIndex == classIndex);

    /// <summary>
    /// Lists the data set under <paramref name="root"/>. Throws <see cref="DatasetException"/> when the folder does not
    /// exist, has no class sub-folders, or a class folder holds no image.
    /// </summary>
    public static ImageFolderDataset Load(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root)) throw new DatasetException($"Data folder '{root}' does not exist.");
        var classFolders = Directory.EnumerateDirectories(root)
            .Where(d => !System.IO.Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => System.IO.Path.GetFileName(d), StringComparer.Ordinal)
            .ToArray();
        if (classFolders.Length == 0)
        {
            throw new DatasetException($"Data folder '{root}' has no class folders: put each class's images in a sub-folder named after the class.");
        }
        var classes = new List<string>();
        var images = new List<LabeledImage>();
        int ignored = 0;
        foreach (string folder in classFolders)
        {
            var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden })
                .Where(f => !System.IO.Path.GetFileName(f).StartsWith('.'))
                .ToArray();
            var imageFiles = files.Where(IsImage).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            ignored += files.Length - imageFiles.Length;
            string name = System.IO.Path.GetFileName(folder);
            if (imageFiles.Length == 0)
            {
                throw new DatasetException($"Class folder '{folder}' has no images ({string.Join(", ", ImageExtensions)}); remove it or add images.");
            }
            int index = classes.Count;
            classes.Add(name);
            images.AddRange(imageFiles.Select(f => new LabeledImage(f, index)));
        }
        return new ImageFolderDataset(root, classes, images, ignored);
    }

    /// <summary>
    /// A stratified split: from each class, <c>round(n · holdoutFraction)</c> images (at least 1) chosen by a seeded
    /// shuffle go to <c>Holdout</c>, the rest (at least 1) to <c>Train</c>. The same seed gives the same split.
    /// Throws <see cref="DatasetException"/> naming a class with fewer than 2 images, which cannot be split.
    /// </summary>
    public (IReadOnlyList<LabeledImage> Train, IReadOnlyList<LabeledImage> Holdout) Split(double holdoutFraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(holdoutFraction, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(holdoutFraction, 1);
        var train = new List<LabeledImage>();
        var holdout = new List<LabeledImage>();
        for (int c = 0; c < Classes.Count; c++)
        {
            var members = ImagesOf(c).ToArray();
            if (members.Length < 2)
            {
                throw new DatasetException(
                    $"Class '{Classes[c]}' has only {members.Length} image; at least 2 are needed to hold one out for validation.");
            }
            new Random(unchecked((seed * 1_000_003) + c)).Shuffle(members);
            int held = Math.Clamp((int)Math.Round(members.Length * holdoutFraction, MidpointRounding.AwayFromZero), 1, members.Length - 1);
            holdout.AddRange(members.Take(held).OrderBy(i => i.Path, StringComparer.Ordinal));
            train.AddRange(members.Skip(held).OrderBy(i => i.Path, StringComparer.Ordinal));
        }
        return (train, holdout);
    }

    private static bool IsImage(string path) =>
        ImageExtensions.Contains(System.IO.Path.GetExtension(path).ToLowerInvariant(), StringComparer.Ordinal);
}
