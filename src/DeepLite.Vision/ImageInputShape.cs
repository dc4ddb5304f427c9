using DeepLite.Runtime;

namespace DeepLite.Vision;

/// <summary>The size of an image input tensor of shape [1, Height, Width, Channels] (NHWC), Channels 3 (RGB) or 1 (gray).</summary>
public readonly record struct ImageInputShape(int Height, int Width, int Channels)
{
    /// <summary>
    /// Reads the image shape of <paramref name="input"/>; false, with <paramref name="problem"/> saying why,
    /// unless it is a float32, uint8 or int8 tensor of shape [1, h, w, 3] or [1, h, w, 1].
    /// </summary>
    public static bool TryGet(Tensor input, out ImageInputShape shape, out string problem)
    {
        ArgumentNullException.ThrowIfNull(input);
        shape = default;
        var dims = input.Shape;
        if (dims.Length != 4 || dims[0] != 1 || dims[1] <= 0 || dims[2] <= 0 || dims[3] is not (1 or 3))
        {
            problem = $"tensor '{input.Name}' has shape [{string.Join(",", dims.ToArray())}]; an image input must be [1,height,width,3] (RGB) or [1,height,width,1] (gray)";
            return false;
        }
        if (input.Type is not (TensorType.Float32 or TensorType.UInt8 or TensorType.Int8))
        {
            problem = $"tensor '{input.Name}' is {input.Type.Name()}; an image input must be float32, uint8 or int8";
            return false;
        }
        shape = new ImageInputShape(dims[1], dims[2], dims[3]);
        problem = "";
        return true;
    }

    /// <summary>The tensor shape, e.g. <c>[1,224,224,3]</c>.</summary>
    public override string ToString() => $"[1,{Height},{Width},{Channels}]";
}
