using DeepLite.Runtime;
using DeepLite.Toolchain.Training;

namespace DeepLite.Toolchain.Tests.Training;

public sealed class HeadTrainerTests
{
    private static readonly EmbeddingSpec Spec = new(0, "features", TensorType.UInt8, 16, new AffineQuantization(0.05f, 0));

    /// <summary>Three separable blobs of non-negative, 0.05-step values (like uint8 ReLU features).</summary>
    private static EmbeddingSet Blobs(int perClass, int seed)
    {
        var random = new Random(seed);
        var features = new List<float[]>();
        var labels = new List<int>();
        for (int c = 0; c < 3; c++)
        {
            for (int n = 0; n < perClass; n++)
            {
                var x = new float[Spec.Size];
                for (int i = 0; i < x.Length; i++)
                {
                    double mean = i % 3 == c ? 4 : 1;
                    x[i] = 0.05f * (float)Math.Clamp(Math.Round((mean + random.NextDouble() - 0.5) / 0.05), 0, 255);
                }
                features.Add(x);
                labels.Add(c);
            }
        }
        return new EmbeddingSet(features, labels);
    }

    [Theory]
    [InlineData(HeadOptimizer.Adam)]
    [InlineData(HeadOptimizer.Sgd)]
    public void Train_SameSeed_BitIdenticalWeights(HeadOptimizer optimizer)
    {
        var options = new HeadTrainingOptions { Optimizer = optimizer, Seed = 5, Epochs = 30 };
        var a = HeadTrainer.Train(Blobs(10, 1), Blobs(3, 2), ["a", "b", "c"], Spec, options);
        var b = HeadTrainer.Train(Blobs(10, 1), Blobs(3, 2), ["a", "b", "c"], Spec, options);
        var c = HeadTrainer.Train(Blobs(10, 1), Blobs(3, 2), ["a", "b", "c"], Spec, options with { Seed = 6 });
        Assert.Equal(a.Weights.Cast<float>().Select(BitConverter.SingleToInt32Bits), b.Weights.Cast<float>().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(a.Bias.Select(BitConverter.SingleToInt32Bits), b.Bias.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(a.Weights.Cast<float>(), c.Weights.Cast<float>());
        Assert.Equal(1.0, a.History[a.BestEpoch - 1].ValidationAccuracy);
    }

    [Fact]
    public void Train_EarlyStopping_KeepsTheBestValidationEpoch()
    {
        var options = new HeadTrainingOptions { Epochs = 500, Patience = 5, LearningRate = 0.05f };
        var head = HeadTrainer.Train(Blobs(10, 1), Blobs(3, 2), ["a", "b", "c"], Spec, options);
        Assert.True(head.History.Count < 500, "training should stop early");
        Assert.Equal(head.History.Count - options.Patience, head.BestEpoch);
        double best = head.History.Min(m => m.ValidationLoss);
        Assert.Equal(best, head.History[head.BestEpoch - 1].ValidationLoss);
    }

    [Fact]
    public void Quantize_HeadAgreesWithFloatAndFollowsTheIntegerRule()
    {
        var train = Blobs(10, 1);
        var head = HeadTrainer.Train(train, Blobs(3, 2), ["a", "b", "c"], Spec, new HeadTrainingOptions { Epochs = 50 });
        var quantized = head.Quantize(train.Features);
        Assert.Equal(Spec.Quantization, quantized.InputQuantization);
        Assert.Equal(quantized.InputQuantization.Scale * quantized.WeightQuantization.Scale, quantized.BiasScale);
        var test = Blobs(20, 3);
        int agree = 0;
        for (int n = 0; n < test.Count; n++)
        {
            var input = quantized.QuantizeInput(test.Features[n]);
            if (quantized.Predict(input) == head.Predict(test.Features[n])) agree++;
            // Inputs are exact (0.05 steps), so the error is bounded by weight rounding (half a step per weight, times
            // |x|), bias rounding (half a bias step) and output rounding (half an output step), plus float slack; logits
            // outside the calibrated output range saturate.
            var floatLogits = head.Logits(test.Features[n]);
            var logits = quantized.Logits(input);
            float bound = (test.Features[n].Sum(Math.Abs) * quantized.WeightQuantization.Scale / 2) + quantized.BiasScale
                + quantized.OutputQuantization.Scale;
            for (int c = 0; c < 3; c++)
            {
                var (scale, zeroPoint) = quantized.OutputQuantization;
                float dequantized = scale * (logits[c] - zeroPoint);
                float representable = Math.Clamp(floatLogits[c], scale * -zeroPoint, scale * (255 - zeroPoint));
                Assert.True(Math.Abs(dequantized - representable) <= bound, $"logit {c}: {dequantized} vs {floatLogits[c]} (bound {bound})");
            }
        }
        Assert.Equal(test.Count, agree);
    }

    [Fact]
    public void QuantizedLogits_MatchHandComputedAccumulator()
    {
        var head = HeadTrainer.Train(Blobs(5, 1), new EmbeddingSet([], []), ["a", "b", "c"], Spec, new HeadTrainingOptions { Epochs = 5 });
        var q = head.Quantize(Blobs(5, 1).Features);
        var input = new byte[Spec.Size];
        input[3] = 40;
        int acc = q.Bias[1] + ((40 - q.InputQuantization.ZeroPoint) * (q.Weights[1, 3] - q.WeightQuantization.ZeroPoint));
        for (int i = 0; i < Spec.Size; i++)
        {
            if (i != 3) acc += (0 - q.InputQuantization.ZeroPoint) * (q.Weights[1, i] - q.WeightQuantization.ZeroPoint);
        }
        float scale = q.InputQuantization.Scale * q.WeightQuantization.Scale / q.OutputQuantization.Scale;
        int expected = Math.Clamp((int)MathF.Round(acc * scale, MidpointRounding.ToEven) + q.OutputQuantization.ZeroPoint, 0, 255);
        Assert.Equal(expected, q.Logits(input)[1]);
    }
}
