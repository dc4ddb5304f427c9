namespace DeepLite.Vision;

/// <summary>
/// How pixels become float32 model inputs: <c>x = (float)((pixel - mean) / std)</c>, computed in float64
/// and rounded to float32 once, per channel. One mean (or std) value applies to every channel;
/// otherwise there is one per channel. Quantized (uint8, int8) inputs do not use it; see
/// <see cref="ImagePreprocessor.FillTensor"/>.
/// </summary>
public sealed class InputNormalization
{
    /// <summary>mean 127.5, std 127.5: pixels 0..255 map to -1..1 (MobileNet and most TFLite image models).</summary>
    public static InputNormalization Default { get; } = new(127.5, 127.5);

    private readonly double[] _mean;
    private readonly double[] _std;

    /// <summary>The same mean and std for every channel.</summary>
    public InputNormalization(double mean, double std)
        : this([mean], [std])
    {
    }

    /// <summary>Per-channel mean and std; each list has one value (for all channels) or one per channel.</summary>
    public InputNormalization(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || std.Count == 0)
        {
            throw new ArgumentException("Normalization needs at least one mean and one std value.");
        }
        foreach (double value in mean)
        {
            if (!double.IsFinite(value)) throw new ArgumentException($"Normalization mean {value} is not a finite number.", nameof(mean));
        }
        foreach (double value in std)
        {
            if (!double.IsFinite(value) || value == 0) throw new ArgumentException($"Normalization std {value} must be finite and non-zero.", nameof(std));
        }
        _mean = [.. mean];
        _std = [.. std];
    }

    public IReadOnlyList<double> Mean => _mean;

    public IReadOnlyList<double> Std => _std;

    /// <summary>True when this normalization can serve an input with <paramref name="channels"/> channels.</summary>
    public bool Fits(int channels) =>
        (_mean.Length == 1 || _mean.Length == channels) && (_std.Length == 1 || _std.Length == channels);

    /// <summary><c>(float)((pixel - mean[channel]) / std[channel])</c>.</summary>
    public float Normalize(byte pixel, int channel)
    {
        double mean = _mean.Length == 1 ? _mean[0] : _mean[channel];
        double std = _std.Length == 1 ? _std[0] : _std[channel];
        return (float)((pixel - mean) / std);
    }

    public override string ToString() =>
        $"mean [{string.Join(", ", _mean)}], std [{string.Join(", ", _std)}]";
}
