using DeepLite.Client.Storage;
using DeepLite.Runtime;
using DeepLite.Tests;
using DeepLite.Vision;

namespace DeepLite.Cli.Tests;

/// <summary><c>deeplite personalize</c> in-process with a temporary model store.</summary>
[Collection("environment")]
public sealed class PersonalizeCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("deeplite-cli-personalize-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Store => Path.Combine(_root, "store");

    private static string Hotdog(int i) => TestData.File("images", "imprinting", $"hotdog_train_{i}.bmp");

    private static (int Exit, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Personalize_StoredModel_SavesVersion2WithParent1_AndACopy()
    {
        var store = new LocalModelStore(Store);
        store.Save("mobilenet", File.ReadAllBytes(TestData.Model("mobilenet_v1_0.25_128_quant.tflite")));
        string copy = Path.Combine(_root, "copy.tflite");
        var (exit, output, error) = Run("personalize", "--model", "mobilenet", "--store", Store, "--add-class", "my_hotdog",
            Hotdog(0), Hotdog(1), "--out", copy);
        Assert.True(exit == 0, error);
        Assert.Contains("mobilenet v2", output, StringComparison.Ordinal);
        var latest = store.Latest("mobilenet")!;
        Assert.Equal((2, 1, "added class 'my_hotdog' from 2 images"), (latest.Version, latest.ParentVersion, latest.Note));
        Assert.Equal(File.ReadAllBytes(store.Open("mobilenet")), File.ReadAllBytes(copy));
        using var model = TfLiteModel.Load(copy);
        using var classifier = new ImageClassifier(model);
        Assert.Equal("my_hotdog", classifier.Classify(ImageDecoder.Decode(TestData.File("images", "imprinting", "hotdog_test_0.bmp")), 1)[0].Label);

        (exit, _, error) = Run("personalize", "--model", store.Open("mobilenet"), "--store", Store + "/", "--add-examples", "my_hotdog", Hotdog(0));
        Assert.True(exit == 0, error);
        Assert.Equal((3, 2), (store.Latest("mobilenet")!.Version, store.Latest("mobilenet")!.ParentVersion));
    }

    [Fact]
    public void Personalize_FileModel_StoresUnderItsStem_FloatNeedsLabels()
    {
        var (exit, output, error) = Run("personalize", "--model", TestData.Model("mobilenet_v1_0.25_128_float.tflite"), "--store", Store,
            "--labels", TestData.Model("imagenet_labels.txt"), "--add-class", "my_hotdog", Hotdog(0));
        Assert.True(exit == 0, error);
        Assert.Contains("1002 classes", output, StringComparison.Ordinal);
        var v1 = new LocalModelStore(Store).Latest("mobilenet_v1_0.25_128_float")!;
        Assert.Equal((1, (int?)null), (v1.Version, v1.ParentVersion));
    }

    [Fact]
    public void Personalize_Epochs_FineTunesAndSaysSoInTheNote()
    {
        var store = new LocalModelStore(Store);
        store.Save("mobilenet", File.ReadAllBytes(TestData.Model("mobilenet_v1_0.25_128_quant.tflite")));
        var (exit, _, error) = Run("personalize", "--model", "mobilenet", "--store", Store, "--add-class", "my_snack", Hotdog(0));
        Assert.True(exit == 0, error);
        (exit, _, error) = Run("personalize", "--model", "mobilenet", "--store", Store, "--add-class", "my_hotdog", Hotdog(1), "--epochs", "30");
        Assert.True(exit == 0, error);
        var latest = store.Latest("mobilenet")!;
        Assert.Equal((3, 2, "added class 'my_hotdog' from 1 images, fine-tuned 30 epochs"), (latest.Version, latest.ParentVersion, latest.Note));
        using var model = TfLiteModel.Load(store.Open("mobilenet"));
        using var classifier = new ImageClassifier(model);
        Assert.Equal("my_snack", classifier.Classify(ImageDecoder.Decode(Hotdog(0)), 1)[0].Label);
        Assert.Equal("my_hotdog", classifier.Classify(ImageDecoder.Decode(Hotdog(1)), 1)[0].Label);

        (exit, _, error) = Run("personalize", "--model", "mobilenet", "--store", Store, "--add-class", "x", Hotdog(0), "--epochs", "-1");
        Assert.Equal(2, exit);
        Assert.Contains("--epochs", error, StringComparison.Ordinal);
        Assert.Equal(3, store.Latest("mobilenet")!.Version);
    }

    [Fact]
    public void Personalize_Failures_LeaveTheStoreUnchanged()
    {
        var store = new LocalModelStore(Store);
        store.Save("mobilenet", File.ReadAllBytes(TestData.Model("mobilenet_v1_0.25_128_quant.tflite")));
        string broken = Path.Combine(_root, "broken.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0, 1, 2]);

        var (exit, _, error) = Run("personalize", "--model", "mobilenet", "--store", Store, "--add-class", "my_hotdog", Hotdog(0), broken);
        Assert.Equal(1, exit);
        Assert.Contains("broken.jpg", error, StringComparison.Ordinal);
        (exit, _, error) = Run("personalize", "--model", "mobilenet", "--store", Store, "--add-class", "my_hotdog");
        Assert.Equal(1, exit);
        Assert.Contains("No images", error, StringComparison.Ordinal);
        (exit, _, _) = Run("personalize", "--model", "mobilenet", "--store", Store, Hotdog(0));
        Assert.Equal(2, exit);
        (exit, _, error) = Run("personalize", "--model", "nothing-here", "--store", Store, "--add-class", "x", Hotdog(0));
        Assert.Equal(1, exit);
        Assert.Contains("nothing-here", error, StringComparison.Ordinal);

        Assert.Single(store.Versions("mobilenet"));
        Assert.Equal(["mobilenet"], store.Names());
    }
}
