using System.Numerics;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference MEAN over a set of axes: every input element (row-major order) is added to the sum of the
/// output element it reduces into; each sum is then divided by the number of reduced elements
/// (float32) or requantized with TFLite's integer rule (<see cref="QuantizedMeanParameters"/>).
/// </summary>
internal static class MeanReference
{
    /// <summary>float32: float32 sums in row-major input order, then <c>sum / count</c>; 0 when count is 0.</summary>
    public static void F32(ReadOnlySpan<int> inputShape, ReadOnlySpan<float> input, ReadOnlySpan<int> axes, Span<float> output)
    {
        var sums = new float[output.Length];
        int count = Sum(inputShape, input, axes, sums, x => x);
        for (int i = 0; i < output.Length; i++) output[i] = count > 0 ? sums[i] / count : 0f;
    }

    /// <summary>uint8/int8: exact integer sums, then <see cref="QuantizedMeanParameters.Apply"/>; 0 when count is 0.</summary>
    public static void Quantized<T>(ReadOnlySpan<int> inputShape, ReadOnlySpan<T> input, ReadOnlySpan<int> axes, Span<T> output, QuantizedMeanParameters p)
        where T : unmanaged, IBinaryInteger<T>
    {
        var sums = new long[output.Length];
        int count = Sum(inputShape, input, axes, sums, x => long.CreateTruncating(x));
        for (int i = 0; i < output.Length; i++) output[i] = T.CreateTruncating(count > 0 ? p.Apply(sums[i]) : 0);
    }

    /// <summary>Adds each input element into its output slot; returns the number of elements per output.</summary>
    private static int Sum<TInput, TSum>(ReadOnlySpan<int> shape, ReadOnlySpan<TInput> input, ReadOnlySpan<int> axes, TSum[] sums, Func<TInput, TSum> widen)
        where TSum : IAdditionOperators<TSum, TSum, TSum>
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int axis in axes) reduced[axis < 0 ? axis + rank : axis] = true;
        int count = 1;
        for (int d = 0; d < rank; d++)
        {
            if (reduced[d]) count *= shape[d];
        }
        var index = new int[rank];
        for (int i = 0; i < input.Length; i++)
        {
            int rest = i;
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
            int outputIndex = 0;
            for (int d = 0; d < rank; d++)
            {
                if (!reduced[d]) outputIndex = (outputIndex * shape[d]) + index[d];
            }
            sums[outputIndex] += widen(input[i]);
        }
        return count;
    }
}

/// <summary>
/// TFLite's integer MEAN requantization (reference <c>QuantizedMeanOrSum</c>): the real multiplier
/// <c>inScale / outScale</c> (float64) becomes a Q31 multiplier and shift, into which <c>1 / count</c> is folded:
/// <c>k = min(⌊log2 count⌋, 32, 31 + shift)</c>, <c>multiplier' = (multiplier · 2^k) / count</c> (truncating),
/// <c>shift' = shift − k</c>. Each output is
/// <c>clamp(MultiplyByQuantizedMultiplier(sum − inZero · count, multiplier', shift') + outZero)</c>.
/// </summary>
internal readonly record struct QuantizedMeanParameters(int InputZeroPoint, int OutputZeroPoint, int Count, int Multiplier, int Shift, int Min, int Max)
{
    public static QuantizedMeanParameters Create(QuantizedOperand input, QuantizedOperand output, int count, TensorType type)
    {
        var (multiplier, shift) = FixedPoint.QuantizeMultiplier((double)input.Scale / output.Scale);
        if (count > 0)
        {
            int fold = Math.Min(Math.Min(63 - BitOperations.LeadingZeroCount((ulong)count), 32), 31 + shift);
            multiplier = (int)(((long)multiplier << fold) / count);
            shift -= fold;
        }
        var (min, max) = QuantizedRange.OfType(type);
        return new QuantizedMeanParameters(input.ZeroPoint, output.ZeroPoint, count, multiplier, shift, min, max);
    }

    /// <summary>The stored output for the exact sum of <see cref="Count"/> stored inputs (the centred sum saturates to int32).</summary>
    public int Apply(long sum)
    {
        long centred = sum - ((long)InputZeroPoint * Count);
        int value = (int)Math.Clamp(centred, int.MinValue, int.MaxValue);
        int result = FixedPoint.MultiplyByQuantizedMultiplier(value, Multiplier, Shift) + OutputZeroPoint;
        return Math.Clamp(result, Min, Max);
    }
}
