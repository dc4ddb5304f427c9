using DeepLite.Modeling.Tests;
using DeepLite.Runtime;
using DeepLite.Tests;
using DeepLite.Toolchain.Training;
using DeepLite.Vision;
using Xunit.Abstractions;

namespace DeepLite.Toolchain.Tests.Training;

public sealed class TrainedModelWriterTests(ITestOutputHelper output)
{
    /// <summary>
    /// Trains on the imprinting cat/dog/hotdog images with a classifier cut at its pooled features, writes both models,
    /// and checks each in real TFLite against DeepLite (uint8 exact, float ≤ 1e-4 relative), DeepLite's top-1 against the
    /// C# heads, and that the packed labels and recorded background come back through <see cref="ImageClassifier"/>.
    /// </summary>
    [Fact]
    public void Write_CutClassifier_ModelsMatchTfLiteAndTheTrainedHeads()
    {
        string root = Directory.CreateTempSubdirectory("deeplite-emit-").FullName;
        try
        {
            string data = Path.Combine(root, "data");
            var images = Directory.GetFiles(Path.GetDirectoryName(TestData.File("images", "imprinting", "cat_train_0.bmp"))!, "*.bmp").OrderBy(p => p, StringComparer.Ordinal).ToArray();
            foreach (string image in images)
            {
                string label = Path.GetFileName(image).Split('_')[0];
                Directory.CreateDirectory(Path.Combine(data, label));
                File.CreateSymbolicLink(Path.Combine(data, label, Path.GetFileName(image)), image);
            }
            var result = TransferLearning.Run(new TransferLearningOptions
            {
                BaseModel = SmallDataset.ModelPath, CutAt = SmallDataset.PooledFeatures, DataFolder = data, CacheFolder = Path.Combine(root, "cache"),
                HoldoutFraction = 0.3, Seed = 1, Head = new HeadTrainingOptions { Seed = 1, Epochs = 60 },
            });
            string outBase = Path.Combine(root, "out", "pets");
            Directory.CreateDirectory(Path.GetDirectoryName(outBase)!);
            var written = TrainedModelWriter.Write(outBase, SmallDataset.ModelPath, result);
            Assert.Equal([outBase + ".float32.tflite", outBase + ".uint8.tflite"], written);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(outBase)!, "*.tmp"));

            using var extractor = new EmbeddingExtractor(SmallDataset.ModelPath, SmallDataset.PooledFeatures);
            foreach (string path in written)
            {
                using var model = TfLiteModel.Load(path);
                output.WriteLine($"{Path.GetFileName(path)}: {new FileInfo(path).Length:N0} bytes, {model.MainSubgraph.Operators.Count} operators");
                Assert.Equal(RgbColor.White, ImageModelMetadata.ReadBackground(model));
                Assert.Equal(AlphaCrop.Default, ImageModelMetadata.ReadAlphaCrop(model));
                using var classifier = new ImageClassifier(model);
                Assert.Equal((RgbColor.White, AlphaCrop.Default), (classifier.AlphaBackground, classifier.AlphaCrop));
                // A cut-out decodes the way training decoded it: cropped to its content, composited onto white.
                string cutout = Path.Combine(root, "cutout.png");
                byte[] rgba = new byte[8 * 4 * 4];
                rgba[(((1 * 8) + 2) * 4) + 3] = 255;
                File.WriteAllBytes(cutout, DeepLite.Vision.Tests.TestImages.Png(8, 4, 4, rgba));
                var decoded = classifier.DecodeImage(cutout);
                Assert.Equal((1, 1), (decoded.Width, decoded.Height));
                Assert.Equal(ImageDecoder.Decode(cutout, RgbColor.White, AlphaCrop.Default).Pixels, decoded.Pixels);
                using var interpreter = new Interpreter(model);
                interpreter.AllocateTensors();
                bool quantized = interpreter.Inputs[0].Type == TensorType.UInt8;
                double worst = 0;
                foreach (string imagePath in images)
                {
                    var image = ImageDecoder.Decode(imagePath, RgbColor.White);
                    ImagePreprocessor.Prepare(image, interpreter.Inputs[0], ResizeMode.Bilinear, ImageModelMetadata.Read(model).InputNormalization);
                    byte[] input = interpreter.Inputs[0].AsReadOnlyBytes().ToArray();
                    worst = Math.Max(worst, TfLiteOracle.AssertMatches(path, input, floatRelativeTolerance: 1e-4));
                    interpreter.Inputs[0].CopyFromBytes(input);
                    interpreter.Invoke();
                    var embedding = extractor.Extract(image);
                    int ours = quantized ? TrainedHeadArgMax(interpreter.Outputs[0].ToArray<byte>()) : TrainedHeadArgMax(interpreter.Outputs[0].ToArray<float>());
                    int expected = quantized ? result.QuantizedHead.Predict(result.QuantizedHead.QuantizeInput(embedding)) : result.Head.Predict(embedding);
                    Assert.Equal(expected, ours);
                    Assert.Equal(result.Head.Labels[ours], classifier.Classify(image, 1)[0].Label);
                }
                output.WriteLine($"  largest deviation from TFLite: {worst}");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static int TrainedHeadArgMax<T>(T[] values) where T : IComparable<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i].CompareTo(values[best]) > 0) best = i;
        return best;
    }
}
