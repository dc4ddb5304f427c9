using System.Diagnostics;
using DeepLite.Client.Learning;
using DeepLite.Modeling.Training;
using Xunit.Abstractions;

namespace DeepLite.Client.Tests.Learning;

public sealed class HeadFineTuningTests(ITestOutputHelper log)
{
    /// <summary>Three classes over 4-dimensional embeddings; class 2 is the one being trained.</summary>
    private static ClassifierHead Head() => new(
        [1, 0, 0, 0,
         0, 1, 0, 0,
         0.5f, 0.5f, 0.5f, 0],
        [0, 0, 0], depth: 4);

    private static float Probability(ClassifierHead head, float[] embedding, int c)
    {
        var p = head.Logits(embedding);
        SoftmaxCrossEntropy.SoftmaxInPlace(p);
        return p[c];
    }

    [Fact]
    public void TrainRow_PullsUnsureExamples_PushesRehearsalExamples_FreezesOtherRows()
    {
        var head = Head();
        float[] positive = [0, 0, 2, 1], negative = [2, 0, 0.5f, 0];
        var trained = HeadFineTuning.TrainRow(head, 2, [new(positive, 2), new(negative, 0)], epochs: 20, learningRate: 0.1f);

        Assert.Equal(head.Weights[..8], trained.Weights[..8]);
        Assert.Equal(head.Bias[..2], trained.Bias[..2]);
        log.WriteLine($"p(2 | positive) {Probability(head, positive, 2):F3} -> {Probability(trained, positive, 2):F3}; "
            + $"p(2 | negative) {Probability(head, negative, 2):F3} -> {Probability(trained, negative, 2):F3}");
        Assert.True(Probability(trained, positive, 2) > Probability(head, positive, 2) + 0.1f);
        Assert.True(Probability(trained, negative, 2) < Probability(head, negative, 2) - 0.05f);
        Assert.Equal(trained.Weights, HeadFineTuning.TrainRow(head, 2, [new(positive, 2), new(negative, 0)], 20, 0.1f).Weights);
        Assert.Equal(head.Weights, HeadFineTuning.TrainRow(head, 2, [new(positive, 2)], 0, 0.1f).Weights);
    }

    [Fact]
    public void TrainRow_ConfidentExample_BarelyMovesTheRow()
    {
        var head = new ClassifierHead([1, 0, 0, 1], [0, 20], depth: 2);
        var trained = HeadFineTuning.TrainRow(head, 1, [new([0, 1], 1)], epochs: 10, learningRate: 0.1f);
        Assert.True(Math.Abs(trained.Weights[3] - 1) < 1e-6, $"{trained.Weights[3]}");
    }

    [Fact]
    public void TrainRow_MobileNetSizedHead_TakesMilliseconds()
    {
        var random = new Random(3);
        var head = new ClassifierHead([.. Enumerable.Range(0, 1002 * 256).Select(_ => (float)(random.NextDouble() - 0.5) * 0.1f)], new float[1002], 256);
        var examples = Enumerable.Range(0, 5).Select(_ => new LabelledEmbedding([.. Enumerable.Range(0, 256).Select(_ => (float)random.NextDouble() * 6)], 1001)).ToList();
        HeadFineTuning.TrainRow(head, 1001, examples, epochs: 10, learningRate: 0.01f);
        var stopwatch = Stopwatch.StartNew();
        HeadFineTuning.TrainRow(head, 1001, examples, epochs: 10, learningRate: 0.01f);
        log.WriteLine($"10 epochs, 5 examples, 1002 classes x 256 (second run): {stopwatch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void SoftTargetCrossEntropy_GradientIsProbabilitiesMinusTargets()
    {
        float[] logits = [0.3f, -1.2f, 2.0f, 0.1f], target = [0.1f, 0.2f, 0.6f, 0.1f];
        var probabilities = (float[])logits.Clone();
        double loss = SoftmaxCrossEntropy.SoftmaxInPlace(probabilities, target);
        for (int c = 0; c < logits.Length; c++)
        {
            const float h = 1e-3f;
            float[] up = (float[])logits.Clone(), down = (float[])logits.Clone();
            up[c] += h;
            down[c] -= h;
            double numeric = (SoftmaxCrossEntropy.SoftmaxInPlace(up, target) - SoftmaxCrossEntropy.SoftmaxInPlace(down, target)) / (2 * h);
            Assert.Equal(probabilities[c] - target[c], numeric, 3);
        }
        var hard = (float[])logits.Clone();
        Assert.Equal(SoftmaxCrossEntropy.SoftmaxInPlace(hard, 2), SoftmaxCrossEntropy.SoftmaxInPlace((float[])logits.Clone(), [0f, 0, 1, 0]), 6);
        Assert.True(loss > 0);
    }
}
