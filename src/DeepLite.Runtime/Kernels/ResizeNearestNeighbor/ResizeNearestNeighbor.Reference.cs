namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Reference semantics of RESIZE_NEAREST_NEIGHBOR (TFLite's reference kernel) on NHWC data of any
/// element size: output pixel (y, x) copies the channels of input pixel
/// (<see cref="SourceIndex"/>(y), <see cref="SourceIndex"/>(x)).
/// </summary>
internal static class ResizeNearestNeighborReference
{
    /// <summary>
    /// The input row (or column) for output row <paramref name="destination"/>, in float32:
    /// <c>scale = in / out</c> (aligned corners with out &gt; 1: <c>(in - 1) / (out - 1)</c>),
    /// <c>s = (destination + (halfPixelCenters ? 0.5 : 0)) * scale</c>; the index is
    /// <c>round(s)</c> (half away from zero) with aligned corners, <c>floor(s)</c> otherwise,
    /// then limited to <c>in - 1</c> and to at least 0.
    /// </summary>
    public static int SourceIndex(int destination, int inputSize, int outputSize, bool alignCorners, bool halfPixelCenters)
    {
        float scale = alignCorners && outputSize > 1
            ? (inputSize - 1) / (float)(outputSize - 1)
            : inputSize / (float)outputSize;
        float offset = halfPixelCenters ? 0.5f : 0f;
        float source = (destination + offset) * scale;
        int index = alignCorners
            ? (int)MathF.Round(source, MidpointRounding.AwayFromZero)
            : (int)MathF.Floor(source);
        // TFLite applies the lower limit only with half-pixel centres, where it can matter; the
        // other mappings are never negative.
        return Math.Clamp(index, 0, inputSize - 1);
    }

    /// <summary>Resizes <paramref name="input"/> into <paramref name="output"/>; <paramref name="elementSize"/> is in bytes.</summary>
    public static void Resize(ReadOnlySpan<byte> input, Span<byte> output, ResizeParameters p, int elementSize)
    {
        p.CheckLengths(input.Length / elementSize, output.Length / elementSize);
        if (input.Length % elementSize != 0 || output.Length % elementSize != 0) throw new ArgumentException("lengths are not whole elements.", nameof(elementSize));
        int pixelBytes = p.Channels * elementSize;
        int o = 0;
        for (int b = 0; b < p.Batches; b++)
        {
            for (int y = 0; y < p.OutputHeight; y++)
            {
                int sourceY = SourceIndex(y, p.InputHeight, p.OutputHeight, p.AlignCorners, p.HalfPixelCenters);
                for (int x = 0; x < p.OutputWidth; x++)
                {
                    int sourceX = SourceIndex(x, p.InputWidth, p.OutputWidth, p.AlignCorners, p.HalfPixelCenters);
                    int source = (((b * p.InputHeight) + sourceY) * p.InputWidth + sourceX) * pixelBytes;
                    input.Slice(source, pixelBytes).CopyTo(output.Slice(o, pixelBytes));
                    o += pixelBytes;
                }
            }
        }
    }
}
