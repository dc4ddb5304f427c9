using DeepLite.Runtime.Quantization;

namespace DeepLite.Runtime.Kernels;

/// <summary>
/// Sizes of a 2-D pooling over NHWC tensors: input <c>[Batches, InputHeight, InputWidth, Channels]</c>,
/// output <c>[Batches, OutputHeight, OutputWidth, Channels]</c>. Output pixel (oy, ox) covers input rows
/// <c>oy · StrideHeight − PadTop + [0, FilterHeight)</c> and columns likewise; positions outside the input
/// are skipped (they neither count nor contribute).
/// </summary>
internal readonly record struct Pool2DGeometry(
    int Batches, int InputHeight, int InputWidth, int Channels,
    int OutputHeight, int OutputWidth,
    int StrideHeight, int StrideWidth, int FilterHeight, int FilterWidth, int PadTop, int PadLeft)
{
    /// <summary>
    /// Reads Pool2DOptions (padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4,
    /// fused_activation_function 5), checks a rank-4 input and an output of the same type, and computes the
    /// output size and leading padding with TFLite's SAME/VALID rules.
    /// </summary>
    public static (Pool2DGeometry Geometry, FusedActivation Activation) Prepare(KernelContext context)
    {
        context.ExpectCounts(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        KernelHelpers.ExpectRank(context, input, 4, "input");
        if (input.Type != output.Type)
        {
            throw context.Invalid($"input is {input.Type.Name()} but output is {output.Type.Name()}; they must match.");
        }
        var options = context.Options;
        var padding = KernelHelpers.ReadPadding(context, 0);
        int strideWidth = options.Int(1), strideHeight = options.Int(2);
        int filterWidth = options.Int(3), filterHeight = options.Int(4);
        var activation = KernelHelpers.ReadActivation(context, 5);
        var (outputHeight, padTop) = KernelHelpers.ComputeOutputAndPadding(context, padding, input.Dim(1), filterHeight, strideHeight, 1, "height");
        var (outputWidth, padLeft) = KernelHelpers.ComputeOutputAndPadding(context, padding, input.Dim(2), filterWidth, strideWidth, 1, "width");
        var geometry = new Pool2DGeometry(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), outputHeight, outputWidth,
            strideHeight, strideWidth, filterHeight, filterWidth, padTop, padLeft);
        context.SetOutputShape(0, [geometry.Batches, outputHeight, outputWidth, geometry.Channels]);
        return (geometry, activation);
    }

    /// <summary>Checks the geometry against buffer lengths (a guard for direct callers of reference and optimized kernels).</summary>
    public void Check(int inputLength, int outputLength)
    {
        if (inputLength != (long)Batches * InputHeight * InputWidth * Channels || outputLength != (long)Batches * OutputHeight * OutputWidth * Channels)
        {
            throw new ArgumentException($"Buffers of {inputLength} and {outputLength} elements do not match the pooling geometry {this}.");
        }
    }

    /// <summary>
    /// For reference kernels: every output element index (row-major NHWC order) with the indices of the
    /// in-bounds input elements under its window, rows first, then columns.
    /// </summary>
    public IEnumerable<(int Output, int[] Inputs)> Windows()
    {
        int output = 0;
        for (int b = 0; b < Batches; b++)
        {
            for (int oy = 0; oy < OutputHeight; oy++)
            {
                var (yStart, yEnd, yOrigin) = Rows(oy);
                for (int ox = 0; ox < OutputWidth; ox++)
                {
                    var (xStart, xEnd, xOrigin) = Columns(ox);
                    for (int c = 0; c < Channels; c++)
                    {
                        var inputs = new List<int>();
                        for (int fy = yStart; fy < yEnd; fy++)
                        {
                            for (int fx = xStart; fx < xEnd; fx++)
                            {
                                inputs.Add((((((b * InputHeight) + yOrigin + fy) * InputWidth) + xOrigin + fx) * Channels) + c);
                            }
                        }
                        yield return (output++, inputs.ToArray());
                    }
                }
            }
        }
    }

    /// <summary>The filter rows [Start, End) of output row <paramref name="outputY"/> that fall inside the input.</summary>
    public (int Start, int End, int Origin) Rows(int outputY)
    {
        int origin = (outputY * StrideHeight) - PadTop;
        return (Math.Max(0, -origin), Math.Min(FilterHeight, InputHeight - origin), origin);
    }

    /// <summary>The filter columns [Start, End) of output column <paramref name="outputX"/> that fall inside the input.</summary>
    public (int Start, int End, int Origin) Columns(int outputX)
    {
        int origin = (outputX * StrideWidth) - PadLeft;
        return (Math.Max(0, -origin), Math.Min(FilterWidth, InputWidth - origin), origin);
    }
}
