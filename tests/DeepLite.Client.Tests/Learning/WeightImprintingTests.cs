using DeepLite.Client.Learning;

namespace DeepLite.Client.Tests.Learning;

public sealed class WeightImprintingTests
{
    private const int Depth = 16;

    /// <summary>Embeddings scattered around a random unit direction per class (seeded).</summary>
    private static (float[] Center, List<float[]> Samples) Cluster(Random random, int count, float noise)
    {
        var center = Enumerable.Range(0, Depth).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var samples = Enumerable.Range(0, count)
            .Select(_ => center.Select(v => (v * 4) + (noise * ((float)random.NextDouble() - 0.5f))).ToArray())
            .ToList();
        return (center, samples);
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    [Fact]
    public void AddClass_RecognisesTheNewClass_AndKeepsEveryOldRow()
    {
        var random = new Random(11);
        var clusters = Enumerable.Range(0, 4).Select(_ => Cluster(random, 20, 0.8f)).ToArray();
        // An old head imprinted from the first three clusters, starting from nothing.
        var head = new ClassifierHead([], [], Depth);
        for (int c = 0; c < 3; c++) head = WeightImprinting.AddClass(head, clusters[c].Samples.Take(5).ToList());
        var before = head;

        var after = WeightImprinting.AddClass(head, clusters[3].Samples.Take(5).ToList());

        Assert.Equal(4, after.Classes);
        Assert.Equal(before.Weights, after.Weights.AsSpan(0, before.Weights.Length).ToArray());
        Assert.Equal(before.Bias, after.Bias.AsSpan(0, 3).ToArray());
        for (int c = 0; c < 4; c++)
        {
            // Held-out samples of every class (indices 5..19) land on their own class.
            int correct = clusters[c].Samples.Skip(5).Count(e => ArgMax(after.Logits(e)) == c);
            Assert.True(correct >= 14, $"class {c}: {correct} of 15 held-out samples recognised");
        }
        foreach (var e in clusters[3].Samples.Take(5))
        {
            var logits = after.Logits(e);
            Assert.True(logits[3] >= logits.Take(3).Max() + WeightImprinting.Margin - 1e-4f);
        }
    }

    [Fact]
    public void AddExamples_TurnsTheRowTowardTheExamples_KeepingItsLength()
    {
        var head = new ClassifierHead([1, 0, 0, 0, 1, 0], [0.1f, 0.2f], 3);
        var updated = WeightImprinting.AddExamples(head, 0, [[0, 0, 5]], existingWeight: 1);
        var row = updated.Row(0).ToArray();
        Assert.Equal(1, MathF.Sqrt(row.Sum(v => v * v)), 5);
        Assert.Equal(row[0], row[2], 5);
        Assert.Equal(0, row[1]);
        Assert.Equal(head.Row(1).ToArray(), updated.Row(1).ToArray());
        Assert.Equal(head.Bias, updated.Bias);
    }

    [Fact]
    public void BadExamples_AreRejectedWithAReason()
    {
        var head = new ClassifierHead([1, 0], [0], 2);
        Assert.Contains("At least one", Assert.Throws<ArgumentException>(() => WeightImprinting.AddClass(head, [])).Message, StringComparison.Ordinal);
        Assert.Contains("all zeros", Assert.Throws<ArgumentException>(() => WeightImprinting.AddClass(head, [[0, 0]])).Message, StringComparison.Ordinal);
        Assert.Contains("expects 2", Assert.Throws<ArgumentException>(() => WeightImprinting.AddClass(head, [[1, 2, 3]])).Message, StringComparison.Ordinal);
        Assert.Contains("cancel out", Assert.Throws<ArgumentException>(() => WeightImprinting.AddClass(head, [[1, 0], [-1, 0]])).Message, StringComparison.Ordinal);
    }
}
