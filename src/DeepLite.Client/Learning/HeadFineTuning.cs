using DeepLite.Modeling.Training;

namespace DeepLite.Client.Learning;

/// <summary>Settings of <see cref="ModelPersonalizer.AddClass"/> and <see cref="ModelPersonalizer.AddExamples"/>.</summary>
public sealed record PersonalizationOptions
{
    /// <summary>Full-batch epochs of fine-tuning the personalised class's row and bias after imprinting (see
    /// <see cref="ModelPersonalizer"/>); 0, the default, imprints only.</summary>
    public int FineTuneEpochs { get; init; }

    /// <summary>Gradient-descent step size for fine-tuning: each epoch moves the row by <c>−LearningRate · gradient</c>
    /// of the mean cross-entropy.</summary>
    public float LearningRate { get; init; } = HeadFineTuning.DefaultLearningRate;
}

/// <summary>A cached embedding and the class it is an example of.</summary>
internal readonly record struct LabelledEmbedding(float[] Embedding, int ClassIndex);

/// <summary>
/// A few epochs of gradient descent on one row (and its bias) of a classifier head, from cached embeddings, with every
/// other row frozen.
/// </summary>
/// <remarks>
/// <para><b>Objective.</b> The mean softmax cross-entropy over the examples, minimised by full-batch gradient descent
/// (<see cref="GradientDescent.Sgd"/>; no shuffling, so no seed: the same inputs give bit-identical weights). For the
/// trained class <c>k</c> and an example <c>e</c> of class <c>y</c>, the target is <c>t_k = [y = k]</c> and, for every
/// other class, <c>t_c = (1 − t_k) · q_c</c>, where <c>q</c> is the starting head's softmax on <c>e</c> over the classes
/// other than <c>k</c>: the model's own prediction, as in Learning without Forgetting (Li &amp; Hoiem 2016).</para>
/// <para><b>What is learned.</b> With the other rows frozen, their relative probabilities on any input are exactly the old
/// model's, so the distillation part is already met and only the logit <c>z_k</c> moves: the gradient is
/// <c>(p_k − t_k) · e</c> for the row and <c>p_k − t_k</c> for the bias. Examples of class <c>k</c> pull the row toward
/// themselves in proportion to how unsure the head still is of them (an imprinted example that already has
/// <c>p_k ≈ 1</c> pulls almost nothing, unlike Adam, whose normalised steps would grow the row regardless). Cached
/// examples of other classes are rehearsal: they push the row away from themselves until class <c>k</c> takes none of
/// their probability. Nothing bounds the row on inputs that no example resembles, which is why the epochs are few and
/// the row starts from the imprinted one.</para>
/// </remarks>
internal static class HeadFineTuning
{
    /// <summary>Default <see cref="PersonalizationOptions.LearningRate"/>.</summary>
    public const float DefaultLearningRate = 0.01f;

    /// <summary>Returns a head whose row and bias <paramref name="classIndex"/> were trained for <paramref name="epochs"/>
    /// on <paramref name="examples"/>; every other row and bias equals <paramref name="head"/>'s bit for bit. Costs one
    /// pass of the head over each example, then <c>O(depth + classes)</c> per example and epoch (the frozen logits are kept).</summary>
    public static ClassifierHead TrainRow(ClassifierHead head, int classIndex, IReadOnlyList<LabelledEmbedding> examples, int epochs, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, head.Classes);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        if (examples.Count == 0) throw new ArgumentException("At least one example embedding is needed.", nameof(examples));
        if (examples.Any(example => example.Embedding.Length != head.Depth || (uint)example.ClassIndex >= (uint)head.Classes))
        {
            throw new ArgumentException($"An example is not an embedding of {head.Depth} values with a class below {head.Classes}.", nameof(examples));
        }
        var weights = (float[])head.Weights.Clone();
        var bias = (float[])head.Bias.Clone();
        var trained = new ClassifierHead(weights, bias, head.Depth);
        if (epochs == 0) return trained;

        var frozenLogits = examples.Select(example => head.Logits(example.Embedding)).ToArray();
        var targets = examples.Select((example, n) => Target(frozenLogits[n], classIndex, example.ClassIndex == classIndex)).ToArray();
        var probabilities = new float[head.Classes];
        var row = weights.AsSpan(classIndex * head.Depth, head.Depth);
        var optimizer = GradientDescent.Sgd(learningRate);
        var gradient = new float[head.Depth + 1];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(gradient);
            for (int n = 0; n < examples.Count; n++)
            {
                var embedding = examples[n].Embedding;
                frozenLogits[n].CopyTo(probabilities, 0);
                probabilities[classIndex] = ClassifierHead.Dot(row, embedding) + bias[classIndex];
                SoftmaxCrossEntropy.SoftmaxInPlace(probabilities, targets[n]);
                float delta = (probabilities[classIndex] - targets[n][classIndex]) / examples.Count;
                for (int i = 0; i < embedding.Length; i++) gradient[i] += delta * embedding[i];
                gradient[^1] += delta;
            }
            optimizer.Step(row, bias.AsSpan(classIndex, 1), gradient);
        }
        return trained;
    }

    /// <summary>The soft target of an example with the starting head's <paramref name="logits"/> (see the class remarks); it
    /// sums to 1.</summary>
    private static float[] Target(float[] logits, int classIndex, bool isExampleOfClass)
    {
        var target = (float[])logits.Clone();
        target[classIndex] = float.NegativeInfinity;
        SoftmaxCrossEntropy.SoftmaxInPlace(target);
        float own = isExampleOfClass ? 1 : 0;
        for (int c = 0; c < target.Length; c++) target[c] *= 1 - own;
        target[classIndex] = own;
        return target;
    }
}
