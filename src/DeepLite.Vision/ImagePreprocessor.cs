using DeepLite.Runtime;

namespace DeepLite.Vision;

/// <summary>
/// Writes an image into a model's input tensor: NHWC, batch 1, RGB channel order (or gray).
/// <list type="bullet">
/// <item>uint8 input: <c>q = pixel</c>.</item>
/// <item>int8 input: <c>q = pixel - 128</c>.</item>
/// <item>float32 input: <c>x = (float)((pixel - mean) / std)</c> with <see cref="InputNormalization"/>.</item>
/// <item>1-channel input: <c>gray = floor((299 * R + 587 * G + 114 * B + 500) / 1000)</c> first.</item>
/// </list>
/// </summary>
/// <remarks>
/// The quantized rules ignore the tensor's own quantization parameters: they are right for models whose
/// input quantization maps the pixel range directly, such as the quantized MobileNets (uint8, scale 1/128,
/// zero point 128, i.e. the float model's (pixel - 127.5) / 127.5 up to half a step) and int8 models with
/// zero point -128. This matches TFLite's own image classifier examples and the DeepLite goldens.
/// </remarks>
public static class ImagePreprocessor
{
    /// <summary>Resizes <paramref name="image"/> to the tensor's height and width and fills the tensor.</summary>
    /// <exception cref="ArgumentException">The tensor is not a float32/uint8/int8 [1,h,w,3] or [1,h,w,1] tensor.</exception>
    public static void Prepare(RgbImage image, Tensor input, ResizeMode mode = ResizeMode.Bilinear, InputNormalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var shape = GetShape(input);
        FillTensor(ImageResizer.Resize(image, shape.Width, shape.Height, mode), input, normalization);
    }

    /// <summary>
    /// Converts <paramref name="resized"/> (already the tensor's width and height) into <paramref name="input"/>;
    /// <paramref name="normalization"/> (default <see cref="InputNormalization.Default"/>) is used by float32 inputs only.
    /// </summary>
    /// <exception cref="ArgumentException">Unsupported tensor shape or type, or an image of another size.</exception>
    public static void FillTensor(RgbImage resized, Tensor input, InputNormalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(resized);
        var shape = GetShape(input);
        if (resized.Width != shape.Width || resized.Height != shape.Height)
        {
            throw new ArgumentException($"The image is {resized.Width}x{resized.Height} but tensor '{input.Name}' {shape} takes {shape.Width}x{shape.Height}; resize it first.", nameof(resized));
        }
        normalization ??= InputNormalization.Default;
        if (input.Type == TensorType.Float32 && !normalization.Fits(shape.Channels))
        {
            throw new ArgumentException($"Normalization ({normalization}) does not fit the {shape.Channels} channel(s) of tensor '{input.Name}'.", nameof(normalization));
        }

        ReadOnlySpan<byte> pixels = resized.Pixels;
        int pixelCount = resized.Width * resized.Height;
        switch (input.Type)
        {
            case TensorType.UInt8:
            {
                var destination = input.AsSpan<byte>();
                if (shape.Channels == RgbImage.Channels)
                {
                    pixels.CopyTo(destination);
                    break;
                }
                for (int i = 0; i < pixelCount; i++) destination[i] = Gray(pixels, i);
                break;
            }
            case TensorType.Int8:
            {
                var destination = input.AsSpan<sbyte>();
                if (shape.Channels == RgbImage.Channels)
                {
                    for (int i = 0; i < pixels.Length; i++) destination[i] = (sbyte)(pixels[i] - 128);
                    break;
                }
                for (int i = 0; i < pixelCount; i++) destination[i] = (sbyte)(Gray(pixels, i) - 128);
                break;
            }
            case TensorType.Float32:
            {
                var destination = input.AsSpan<float>();
                // The conversion depends only on (pixel, channel): tabulate it once per channel.
                var table = new float[shape.Channels * 256];
                for (int channel = 0; channel < shape.Channels; channel++)
                {
                    for (int value = 0; value < 256; value++) table[(channel * 256) + value] = normalization.Normalize((byte)value, channel);
                }
                if (shape.Channels == RgbImage.Channels)
                {
                    for (int i = 0; i < pixels.Length; i++) destination[i] = table[((i % RgbImage.Channels) * 256) + pixels[i]];
                    break;
                }
                for (int i = 0; i < pixelCount; i++) destination[i] = table[Gray(pixels, i)];
                break;
            }
            default:
                throw new InvalidOperationException($"Unreachable: {input.Type.Name()} passed the input check.");
        }
    }

    /// <summary><c>floor((299 * R + 587 * G + 114 * B + 500) / 1000)</c> of pixel <paramref name="pixel"/>.</summary>
    internal static byte Gray(ReadOnlySpan<byte> rgb, int pixel)
    {
        int offset = pixel * RgbImage.Channels;
        return (byte)(((299 * rgb[offset]) + (587 * rgb[offset + 1]) + (114 * rgb[offset + 2]) + 500) / 1000);
    }

    private static ImageInputShape GetShape(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!ImageInputShape.TryGet(input, out var shape, out string problem))
        {
            throw new ArgumentException($"Cannot fill an image into this tensor: {problem}.", nameof(input));
        }
        return shape;
    }
}
