using DeepLite.Toolchain.Data;

namespace DeepLite.Toolchain.Tests.Data;

public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "deeplite-dataset-" + Guid.NewGuid().ToString("N"));

    public ImageFolderDatasetTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void AddFiles(string folder, params string[] names)
    {
        string dir = Path.Combine(_root, folder);
        foreach (string name in names)
        {
            string path = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [1, 2, 3]);
        }
    }

    [Fact]
    public void Load_ClassesInOrdinalOrder_ImagesRecursiveAndByExtension()
    {
        AddFiles("zebra", "b.PNG", "a.jpg", "notes.txt", "sub/c.bmp", ".hidden.png");
        AddFiles("Apple", "x.jpeg");
        var data = ImageFolderDataset.Load(_root);
        Assert.Equal(["Apple", "zebra"], data.Classes);
        Assert.Equal(4, data.Images.Count);
        Assert.Equal(1, data.IgnoredFiles);
        Assert.Equal(["a.jpg", "b.PNG", "c.bmp"], data.ImagesOf(1).Select(i => Path.GetFileName(i.Path)));
        Assert.All(data.ImagesOf(0), i => Assert.Equal(0, i.ClassIndex));
    }

    [Fact]
    public void Load_BadFolders_SayWhatIsWrong()
    {
        var missing = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(Path.Combine(_root, "nope")));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        var noClasses = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(_root));
        Assert.Contains("no class folders", noClasses.Message, StringComparison.Ordinal);
        AddFiles("cats", "1.png");
        AddFiles("dogs", "readme.txt");
        var empty = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(_root));
        Assert.Contains("dogs", empty.Message, StringComparison.Ordinal);
        Assert.Contains("has no images", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_IsStratifiedSeededAndRejectsSingletonClasses()
    {
        AddFiles("a", Enumerable.Range(0, 8).Select(i => $"{i}.png").ToArray());
        AddFiles("b", Enumerable.Range(0, 3).Select(i => $"{i}.png").ToArray());
        var data = ImageFolderDataset.Load(_root);
        var (train, holdout) = data.Split(0.25, seed: 42);
        Assert.Equal(2, holdout.Count(i => i.ClassIndex == 0));
        Assert.Equal(1, holdout.Count(i => i.ClassIndex == 1));
        Assert.Equal(data.Images.Count, train.Count + holdout.Count);
        Assert.Empty(train.Intersect(holdout));
        var again = data.Split(0.25, seed: 42);
        Assert.Equal(holdout, again.Holdout);
        var other = Enumerable.Range(1, 20).Select(s => data.Split(0.25, s).Holdout).ToArray();
        Assert.Contains(other, h => !h.SequenceEqual(holdout));

        AddFiles("c", "only.png");
        var single = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(_root).Split(0.25, 1));
        Assert.Contains("Class 'c' has only 1 image", single.Message, StringComparison.Ordinal);
    }
}
