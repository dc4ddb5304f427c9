using DeepLite.Client.Storage;

namespace DeepLite.Client.Tests.Storage;

public sealed class LocalModelStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "deeplite-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Save_AddsVersions_OpenChecksTheLatestOrAGivenOne()
    {
        var store = new LocalModelStore(_root);
        Assert.Empty(store.Names());
        Assert.Null(store.Latest("flowers"));
        var first = store.Save("flowers", [1, 2, 3]);
        var second = store.Save("flowers", [4, 5], parentVersion: 1, note: "added class 'tulip'");
        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.Equal(["flowers"], store.Names());
        Assert.Equal([first, second], new LocalModelStore(_root).Versions("flowers"));
        Assert.Equal(new byte[] { 4, 5 }, File.ReadAllBytes(store.Open("flowers")));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(store.Open("flowers", 1)));
        Assert.Equal("added class 'tulip'", store.Latest("flowers")!.Note);
        Assert.Equal(1, store.Latest("flowers")!.ParentVersion);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "flowers"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Open_DamagedOrUnknown_SaysWhich()
    {
        var store = new LocalModelStore(_root);
        store.Save("m", [1, 2, 3, 4]);
        File.WriteAllBytes(Path.Combine(_root, "m", "v1.tflite"), [1, 2, 3, 5]);
        var damaged = Assert.Throws<ModelStoreException>(() => store.Open("m"));
        Assert.Contains("damaged", damaged.Message, StringComparison.Ordinal);
        Assert.Contains("No model named 'x'", Assert.Throws<ModelStoreException>(() => store.Open("x")).Message, StringComparison.Ordinal);
        Assert.Contains("has no version 7", Assert.Throws<ModelStoreException>(() => store.Open("m", 7)).Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_root, "m", "manifest.json"), "{ not json");
        Assert.Contains("not valid", Assert.Throws<ModelStoreException>(() => store.Versions("m")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    public void Save_RejectsNamesThatAreNotPlainFolderNames(string name) =>
        Assert.Throws<ArgumentException>(() => new LocalModelStore(_root).Save(name, [1]));

    [Fact]
    public void Save_WhenTheWriteFails_LeavesTheStoreAsItWas()
    {
        var store = new LocalModelStore(_root);
        store.Save("m", [1, 2]);
        // A directory where the next version's file must go: the rename fails after the bytes were written.
        Directory.CreateDirectory(Path.Combine(_root, "m", "v2.tflite"));
        Assert.ThrowsAny<IOException>(() => store.Save("m", [3, 4]));
        Assert.Single(store.Versions("m"));
        Assert.Equal(new byte[] { 1, 2 }, File.ReadAllBytes(store.Open("m")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "m"), "*.tmp"));
    }
}
