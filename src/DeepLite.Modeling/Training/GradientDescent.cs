namespace DeepLite.Modeling.Training;

/// <summary>
/// A first-order optimizer over parameters stored as two spans, weights then bias, whose gradient is one span of
/// <c>weights.Length + bias.Length</c> values in that order. Updates are in float32 in index order, so the same
/// gradients give bit-identical parameters.
/// </summary>
public sealed class GradientDescent
{
    private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;
    private readonly float _rate;
    private readonly float[] _first;
    private readonly float[] _second;
    private int _step;

    private GradientDescent(float learningRate, int adamParameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        _rate = learningRate;
        _first = new float[adamParameters];
        _second = new float[adamParameters];
    }

    /// <summary>True for Adam, false for plain SGD.</summary>
    private bool IsAdam => _first.Length > 0;

    /// <summary>Adam (β1 0.9, β2 0.999, ε 1e-8, bias-corrected) for <paramref name="parameters"/> parameters:
    /// <c>w −= rate · m̂ / (√v̂ + ε)</c>.</summary>
    public static GradientDescent Adam(float learningRate, int parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parameters);
        return new GradientDescent(learningRate, parameters);
    }

    /// <summary>Plain stochastic gradient descent: <c>w −= rate · g</c>.</summary>
    public static GradientDescent Sgd(float learningRate) => new(learningRate, 0);

    /// <summary>Applies one update from <paramref name="gradient"/> (weights' gradients, then bias's).</summary>
    public void Step(Span<float> weights, Span<float> bias, ReadOnlySpan<float> gradient)
    {
        if (gradient.Length != weights.Length + bias.Length || (IsAdam && gradient.Length != _first.Length))
        {
            throw new ArgumentException($"{gradient.Length} gradients for {weights.Length} weights and {bias.Length} biases.", nameof(gradient));
        }
        _step++;
        double correction1 = 1 - Math.Pow(Beta1, _step), correction2 = 1 - Math.Pow(Beta2, _step);
        for (int i = 0; i < gradient.Length; i++)
        {
            float update;
            if (!IsAdam)
            {
                update = _rate * gradient[i];
            }
            else
            {
                _first[i] = (Beta1 * _first[i]) + ((1 - Beta1) * gradient[i]);
                _second[i] = (Beta2 * _second[i]) + ((1 - Beta2) * gradient[i] * gradient[i]);
                float mean = (float)(_first[i] / correction1), variance = (float)(_second[i] / correction2);
                update = _rate * mean / (MathF.Sqrt(variance) + Epsilon);
            }
            if (i < weights.Length) weights[i] -= update;
            else bias[i - weights.Length] -= update;
        }
    }
}
