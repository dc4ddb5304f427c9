using DeepLite.Tests;

namespace DeepLite.Toolchain.Tests.Training;

/// <summary>A temporary two-class image folder of links to the shared test images, and a temporary cache folder.</summary>
internal sealed class SmallDataset : IDisposable
{
    public const string Model = "mobilenet_v1_0.25_128_quant.tflite";
    public const string PooledFeatures = "MobilenetV1/Logits/AvgPool_1a/AvgPool";

    public SmallDataset()
    {
        Root = Directory.CreateTempSubdirectory("deeplite-train-").FullName;
        Data = Path.Combine(Root, "data");
        Cache = Path.Combine(Root, "cache");
        Link("animals", "bird.bmp", "cat.bmp", "dragonfly.bmp", "parrot.jpg");
        Link("things", "grace_hopper.bmp", "hot_dog.jpg", "sunflower.bmp");
    }

    public string Root { get; }
    public string Data { get; }
    public string Cache { get; }

    public static string ModelPath => TestData.Model(Model);

    public void Link(string folder, params string[] images)
    {
        Directory.CreateDirectory(Path.Combine(Data, folder));
        foreach (string image in images) File.CreateSymbolicLink(Path.Combine(Data, folder, image), TestData.File("images", image));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
