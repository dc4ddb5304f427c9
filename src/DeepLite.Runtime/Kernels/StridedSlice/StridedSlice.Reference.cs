namespace DeepLite.Runtime.Kernels;

/// <summary>The masks and flag of StridedSliceOptions; bit <c>i</c> of a mask refers to entry <c>i</c> of begin/end/strides.</summary>
internal readonly record struct StridedSliceMasks(int Begin, int End, int Ellipsis, int NewAxis, int ShrinkAxis, bool Offset);

/// <summary>
/// A resolved strided slice over the "effective" input: the input with a size-1 dimension inserted
/// for every new axis. Along effective dimension <c>d</c> the slice reads <c>Count[d]</c> indices
/// <c>Start[d] + k * Step[d]</c>, all inside [0, EffectiveShape[d]). <see cref="OutputShape"/> is
/// the counts without the shrunk dimensions.
/// </summary>
internal sealed record StridedSlicePlan(int[] EffectiveShape, int[] Start, int[] Step, int[] Count, int[] OutputShape);

/// <summary>
/// Reference semantics of STRIDED_SLICE, following TFLite's kernel: masks are expanded over the
/// ellipsis and new axes, then each dimension's begin and end are resolved like TFLite's
/// <c>StridedSliceStartForAxis</c>/<c>StridedSliceEndForAxis</c>.
/// </summary>
internal static class StridedSliceReference
{
    /// <summary>
    /// Resolves begin/end/strides (equal lengths, at most the effective rank) against
    /// <paramref name="inputShape"/>; null with a reason when the slice is invalid.
    /// Per dimension (size <c>n</c>, stride <c>s ≠ 0</c>):
    /// <list type="bullet">
    /// <item>start: begin, plus n when negative, clamped to [0, n] (s &gt; 0) or [-1, n-1] (s &lt; 0);
    /// a begin-mask bit replaces it with 0 (s &gt; 0) or n-1 (s &lt; 0).</item>
    /// <item>stop: end (plus start when <c>Offset</c>), plus n when negative, clamped the same way;
    /// an end-mask bit replaces it with n (s &gt; 0) or -1 (s &lt; 0).</item>
    /// <item>count: <c>max(0, ceil((stop - start) / s))</c>.</item>
    /// <item>shrink-axis: exactly index start, which must lie in [0, n); the dimension is dropped from the output.
    /// (TFLite writes nothing for a shrunk axis with a negative stride; here it is still the one element at start.)</item>
    /// <item>ellipsis (at most one bit): covers as many dimensions as begin has too few entries, at least one, all taken whole.</item>
    /// <item>new-axis: inserts a size-1 dimension that is kept in the output; ignored where the ellipsis bit is also set.</item>
    /// <item>dimensions past the end of begin are taken whole.</item>
    /// </list>
    /// </summary>
    public static StridedSlicePlan? Plan(ReadOnlySpan<int> inputShape, ReadOnlySpan<int> begin, ReadOnlySpan<int> end, ReadOnlySpan<int> strides,
        StridedSliceMasks masks, int maxRank, out string error)
    {
        error = "";
        int specCount = begin.Length;
        if (end.Length != specCount || strides.Length != specCount)
        {
            error = $"begin, end and strides have {begin.Length}, {end.Length} and {strides.Length} entries; they must be equal";
            return null;
        }
        if (specCount > 30)
        {
            error = $"begin has {specCount} entries";
            return null;
        }
        // Bits past the end of the spec have no entry to refer to.
        int used = (1 << specCount) - 1;
        int beginMask = masks.Begin & used;
        int endMask = masks.End & used;
        int ellipsisMask = masks.Ellipsis & used;
        int newAxisMask = masks.NewAxis & used;
        int shrinkMask = masks.ShrinkAxis & used;
        if ((ellipsisMask & (ellipsisMask - 1)) != 0)
        {
            error = "has more than one ellipsis";
            return null;
        }

        int inputRank = inputShape.Length;
        int addedAxes = System.Numerics.BitOperations.PopCount((uint)(newAxisMask & ~ellipsisMask));
        int rank = inputRank + addedAxes;
        if (rank > maxRank)
        {
            error = $"needs {rank} dimensions; at most {maxRank} are supported";
            return null;
        }
        if (specCount > rank)
        {
            error = $"has {specCount} entries for {rank} dimensions";
            return null;
        }

        // Expand the ellipsis over the dimensions that the spec leaves out (at least one).
        int ellipsisStart = rank;
        int ellipsisLength = 0;
        if (ellipsisMask != 0)
        {
            ellipsisStart = System.Numerics.BitOperations.TrailingZeroCount(ellipsisMask);
            int ellipsisEnd = Math.Max(ellipsisStart + 1, Math.Min(ellipsisStart + 1 + rank - specCount, rank));
            ellipsisLength = ellipsisEnd - ellipsisStart;
        }

        var shape = new int[rank];
        var start = new int[rank];
        var step = new int[rank];
        var count = new int[rank];
        var output = new List<int>(rank);
        int inputDimension = 0;
        for (int d = 0; d < rank; d++)
        {
            bool inEllipsis = d >= ellipsisStart && d < ellipsisStart + ellipsisLength;
            // The spec entry of effective dimension d: entries after the ellipsis shift by its extra length.
            int spec = d < ellipsisStart ? d : d - Math.Max(ellipsisLength - 1, 0);
            bool newAxis = !inEllipsis && spec < specCount && (newAxisMask & (1 << spec)) != 0;
            if (newAxis)
            {
                shape[d] = 1;
                start[d] = 0;
                step[d] = 1;
                count[d] = 1;
                output.Add(1);
                continue;
            }
            if (inputDimension >= inputRank)
            {
                error = "does not match the input's dimensions";
                return null;
            }
            int size = inputShape[inputDimension++];
            shape[d] = size;
            if (inEllipsis || spec >= specCount)
            {
                start[d] = 0;
                step[d] = 1;
                count[d] = size;
                output.Add(size);
                continue;
            }

            int stride = strides[spec];
            if (stride == 0)
            {
                error = $"has stride 0 at entry {spec}";
                return null;
            }
            int first = StartForAxis(begin[spec], size, stride, (beginMask & (1 << spec)) != 0);
            step[d] = stride;
            start[d] = first;
            if ((shrinkMask & (1 << spec)) != 0)
            {
                if (first < 0 || first >= size)
                {
                    error = $"shrinks axis {inputDimension - 1} at index {begin[spec]}, outside its size {size}";
                    return null;
                }
                count[d] = 1;
                continue;
            }
            long stop = StopForAxis(end[spec], first, size, stride, (endMask & (1 << spec)) != 0, masks.Offset);
            long span = stride > 0 ? stop - first : first - stop;
            long magnitude = Math.Abs((long)stride);
            count[d] = (int)Math.Max(0, (span + magnitude - 1) / magnitude);
            output.Add(count[d]);
        }
        if (inputDimension != inputRank)
        {
            error = "does not match the input's dimensions";
            return null;
        }
        return new StridedSlicePlan(shape, start, step, count, [.. output]);
    }

    private static int StartForAxis(int begin, int size, int stride, bool masked)
    {
        if (masked) return stride > 0 ? 0 : size - 1;
        long start = begin < 0 ? (long)begin + size : begin;
        return (int)(stride > 0 ? Math.Clamp(start, 0, size) : Math.Clamp(start, -1, size - 1));
    }

    private static long StopForAxis(int end, int start, int size, int stride, bool masked, bool offset)
    {
        if (masked) return stride > 0 ? size : -1;
        long stop = offset ? (long)end + start : end;
        if (stop < 0) stop += size;
        return stride > 0 ? Math.Clamp(stop, 0, size) : Math.Clamp(stop, -1, size - 1);
    }

    /// <summary>
    /// Copies the slice: output elements in row-major order of the counts, where the element with
    /// per-dimension positions <c>k_d</c> is the input element at indices <c>start[d] + k_d * step[d]</c>
    /// of <paramref name="effectiveShape"/>. <paramref name="elementSize"/> is in bytes.
    /// </summary>
    public static void StridedSlice(ReadOnlySpan<byte> input, ReadOnlySpan<int> effectiveShape, ReadOnlySpan<int> start, ReadOnlySpan<int> step,
        ReadOnlySpan<int> count, int elementSize, Span<byte> output)
    {
        int rank = effectiveShape.Length;
        if (start.Length != rank || step.Length != rank || count.Length != rank) throw new ArgumentException("one start, step and count per dimension are required.", nameof(start));
        if (rank > DataMovement.MaxRank) throw new ArgumentException($"rank {rank} exceeds {DataMovement.MaxRank}.", nameof(effectiveShape));
        Span<int> strides = stackalloc int[rank];
        long inputCount = 1;
        long outputCount = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = (int)inputCount;
            inputCount *= effectiveShape[d];
            outputCount *= count[d];
            if (count[d] > 0)
            {
                long last = start[d] + ((long)(count[d] - 1) * step[d]);
                if (start[d] < 0 || start[d] >= effectiveShape[d] || last < 0 || last >= effectiveShape[d])
                {
                    throw new ArgumentException($"dimension {d} reads outside [0, {effectiveShape[d]}).", nameof(start));
                }
            }
        }
        if (input.Length != inputCount * elementSize || output.Length != outputCount * elementSize)
        {
            throw new ArgumentException("input or output length does not match the shapes.", nameof(output));
        }
        if (outputCount == 0) return;
        if (rank == 0)
        {
            input.CopyTo(output);
            return;
        }
        int outputByte = 0;
        Gather(input, output, start, step, count, strides, elementSize, 0, 0, ref outputByte);
    }

    private static void Gather(ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<int> start, ReadOnlySpan<int> step, ReadOnlySpan<int> count,
        ReadOnlySpan<int> strides, int elementSize, int dimension, int inputOffset, ref int outputByte)
    {
        int first = inputOffset + (start[dimension] * strides[dimension]);
        if (dimension == start.Length - 1)
        {
            if (step[dimension] == 1)
            {
                int bytes = count[dimension] * elementSize;
                input.Slice(first * elementSize, bytes).CopyTo(output.Slice(outputByte, bytes));
                outputByte += bytes;
                return;
            }
            for (int k = 0; k < count[dimension]; k++)
            {
                input.Slice((first + (k * step[dimension])) * elementSize, elementSize).CopyTo(output.Slice(outputByte, elementSize));
                outputByte += elementSize;
            }
            return;
        }
        for (int k = 0; k < count[dimension]; k++)
        {
            Gather(input, output, start, step, count, strides, elementSize, dimension + 1, first + (k * step[dimension] * strides[dimension]), ref outputByte);
        }
    }
}
