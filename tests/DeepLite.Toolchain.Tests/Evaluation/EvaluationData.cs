using System.Text.Json;
using DeepLite.Tests;

namespace DeepLite.Toolchain.Tests.Evaluation;

/// <summary>
/// A temporary image folder whose files are symbolic links to the shared test images (nothing is copied), and the
/// top-5 outputs real TensorFlow Lite gives for those images with bilinear resizing.
/// </summary>
internal sealed class EvaluationData : IDisposable
{
    public const string V1Quant = "mobilenet_v1_0.25_128_quant";
    public const string V1Float = "mobilenet_v1_0.25_128_float";
    public const string V2Quant = "mobilenet_v2_1.0_224_quant";

    public EvaluationData()
    {
        Root = Path.Combine(Path.GetTempPath(), "deeplite-eval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Links the shared image <paramref name="image"/> (a file name from <see cref="Top5"/>) as <c>Root/folder/image</c>; folder "" is the root.</summary>
    public string Link(string folder, string image)
    {
        string directory = Path.Combine(Root, folder);
        Directory.CreateDirectory(directory);
        string link = Path.Combine(directory, image);
        File.CreateSymbolicLink(link, SharedImage(image));
        return link;
    }

    public static string SharedImage(string image) =>
        image.Contains("_test_", StringComparison.Ordinal) || image.Contains("_train_", StringComparison.Ordinal)
            ? TestData.File("images", "imprinting", image)
            : TestData.File("images", image);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>
    /// The top-5 output indices of real TFLite for <paramref name="model"/> on <paramref name="image"/>, bilinear resize, best first:
    /// for the five golden photos from the shared goldens; for the imprinting photos (which have no golden files) as printed by
    /// <c>../shared/tools/tflite-oracle/run.sh MODEL IMAGE --resize bilinear --topk 5</c> (tfjs-tflite 0.0.1-alpha.10, XNNPACK).
    /// </summary>
    public static int[] Top5(string model, string image)
    {
        string name = Path.GetFileNameWithoutExtension(image);
        if (Imprinting.TryGetValue((model, name), out int[]? top)) return top;
        using var golden = JsonDocument.Parse(File.ReadAllText(TestData.File("golden", $"{model}__{name}__bilinear.json")));
        return [.. golden.RootElement.GetProperty("outputs")[0].GetProperty("topk").EnumerateArray().Take(5).Select(t => t.GetProperty("index").GetInt32())];
    }

    /// <summary>The shared photos that have golden outputs.</summary>
    public static readonly string[] GoldenPhotos = ["bird.bmp", "cat.bmp", "dragonfly.bmp", "grace_hopper.bmp", "sunflower.bmp"];

    public static readonly string[] ImprintingPhotos =
        ["cat_test_0.bmp", "cat_train_0.bmp", "dog_test_0.bmp", "dog_train_0.bmp", "hotdog_test_0.bmp", "hotdog_train_0.bmp", "hotdog_train_1.bmp"];

    private static readonly Dictionary<(string Model, string Image), int[]> Imprinting = new()
    {
        [(V2Quant, "cat_test_0")] = [283, 286, 282, 284, 479],
        [(V2Quant, "cat_train_0")] = [286, 283, 282, 285, 509],
        [(V2Quant, "dog_test_0")] = [201, 203, 267, 266, 185],
        [(V2Quant, "dog_train_0")] = [208, 209, 217, 223, 258],
        [(V2Quant, "hotdog_test_0")] = [935, 0, 1, 2, 3],
        [(V2Quant, "hotdog_train_0")] = [935, 0, 1, 2, 3],
        [(V2Quant, "hotdog_train_1")] = [935, 966, 0, 1, 2],
        [(V1Quant, "cat_test_0")] = [292, 288, 286, 283, 282],
        [(V1Quant, "cat_train_0")] = [282, 286, 283, 284, 231],
        [(V1Quant, "dog_test_0")] = [171, 182, 193, 190, 176],
        [(V1Quant, "dog_train_0")] = [208, 177, 213, 268, 217],
        [(V1Quant, "hotdog_test_0")] = [935, 929, 931, 958, 123],
        [(V1Quant, "hotdog_train_0")] = [935, 693, 399, 729, 94],
        [(V1Quant, "hotdog_train_1")] = [935, 966, 943, 113, 911],
        [(V1Float, "cat_test_0")] = [288, 292, 286, 278, 287],
        [(V1Float, "cat_train_0")] = [282, 286, 283, 284, 231],
        [(V1Float, "dog_test_0")] = [171, 182, 189, 190, 193],
        [(V1Float, "dog_train_0")] = [177, 208, 213, 217, 268],
        [(V1Float, "hotdog_test_0")] = [935, 929, 931, 958, 928],
        [(V1Float, "hotdog_train_0")] = [935, 693, 729, 87, 399],
        [(V1Float, "hotdog_train_1")] = [935, 966, 911, 943, 113],
    };

    /// <summary>ImageNet class names (line i of imagenet_labels.txt = output i of the 1001-class models).</summary>
    public static IReadOnlyList<string> ImageNetLabels { get; } = Vision.Labels.Load(TestData.Model("imagenet_labels.txt"));

    /// <summary>The photos' true classes, named by their ImageNet label.</summary>
    public static string ClassOf(string image) => Path.GetFileNameWithoutExtension(image) switch
    {
        "bird" => "chickadee",
        "cat" or "cat_test_0" or "cat_train_0" => "tiger cat",
        "dragonfly" => ImageNetLabels[320],
        "grace_hopper" => "military uniform",
        "sunflower" => "daisy",
        "dog_test_0" or "dog_train_0" => "golden retriever",
        "hotdog_test_0" or "hotdog_train_0" or "hotdog_train_1" => "hotdog, hot dog, red hot",
        var other => throw new ArgumentException(other),
    };
}
