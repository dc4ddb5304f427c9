using DeepLite.Runtime;

namespace DeepLite.Vision.Tests;

public sealed class ImagePreprocessorTests
{
    private static readonly RgbImage TwoPixels = new(2, 1, [0, 128, 255, 10, 20, 30]);

    [Fact]
    public void UInt8_IsThePixel()
    {
        var tensor = Tensor.Create(TensorType.UInt8, [1, 1, 2, 3]);

        ImagePreprocessor.FillTensor(TwoPixels, tensor);

        Assert.Equal(TwoPixels.Pixels, tensor.ToArray<byte>());
    }

    [Fact]
    public void Int8_IsPixelMinus128()
    {
        var tensor = Tensor.Create(TensorType.Int8, [1, 1, 2, 3]);

        ImagePreprocessor.FillTensor(TwoPixels, tensor);

        Assert.Equal(new sbyte[] { -128, 0, 127, -118, -108, -98 }, tensor.ToArray<sbyte>());
    }

    [Fact]
    public void Float32_DefaultNormalization_MapsToMinusOneToOne()
    {
        var tensor = Tensor.Create(TensorType.Float32, [1, 1, 2, 3]);

        ImagePreprocessor.FillTensor(TwoPixels, tensor);

        float[] expected = [.. TwoPixels.Pixels.Select(p => (float)((p - 127.5) / 127.5))];
        Assert.Equal(expected, tensor.ToArray<float>());
        Assert.Equal(-1f, tensor.ToArray<float>()[0]);
        Assert.Equal(1f, tensor.ToArray<float>()[2]);
    }

    [Fact]
    public void Float32_PerChannelNormalization()
    {
        var tensor = Tensor.Create(TensorType.Float32, [1, 1, 2, 3]);
        var normalization = new InputNormalization([0, 100, 200], [1, 2, 4]);

        ImagePreprocessor.FillTensor(TwoPixels, tensor, normalization);

        Assert.Equal(new float[] { 0, 14, 13.75f, 10, -40, -42.5f }, tensor.ToArray<float>());
    }

    [Fact]
    public void OneChannel_UsesIntegerLuma()
    {
        var tensor = Tensor.Create(TensorType.UInt8, [1, 1, 2, 1]);

        ImagePreprocessor.FillTensor(TwoPixels, tensor);

        // floor((299 * 0 + 587 * 128 + 114 * 255 + 500) / 1000) = 104; (2990 + 11740 + 3420 + 500) / 1000 = 18.
        Assert.Equal(new byte[] { 104, 18 }, tensor.ToArray<byte>());
    }

    [Fact]
    public void Prepare_ResizesToTheTensor()
    {
        var tensor = Tensor.Create(TensorType.UInt8, [1, 3, 4, 3]);
        var image = new RgbImage(8, 6, TestImages.Pattern(8, 6, 3, seed: 1));

        ImagePreprocessor.Prepare(image, tensor, ResizeMode.Nearest);

        Assert.Equal(ImageResizer.Resize(image, 4, 3, ResizeMode.Nearest).Pixels, tensor.ToArray<byte>());
    }

    public static TheoryData<int[]> WrongShapes() => [[1, 4, 4], [2, 4, 4, 3], [1, 4, 4, 4], [1, 4, 4, 2], [4, 4, 3], [1, 1, 4, 4, 3]];

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void WrongShape_ThrowsNamingTheShape(int[] shape)
    {
        var tensor = Tensor.Create(TensorType.UInt8, shape);

        var error = Assert.Throws<ArgumentException>(() => ImagePreprocessor.Prepare(TwoPixels, tensor));

        Assert.Contains($"[{string.Join(",", shape)}]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedType_ThrowsNamingTheType()
    {
        var tensor = Tensor.Create(TensorType.Int32, [1, 1, 2, 3]);

        var error = Assert.Throws<ArgumentException>(() => ImagePreprocessor.FillTensor(TwoPixels, tensor));

        Assert.Contains("int32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageOfAnotherSize_Throws()
    {
        var tensor = Tensor.Create(TensorType.UInt8, [1, 2, 2, 3]);

        var error = Assert.Throws<ArgumentException>(() => ImagePreprocessor.FillTensor(TwoPixels, tensor));

        Assert.Contains("resize", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NormalizationWithWrongChannelCount_Throws()
    {
        var tensor = Tensor.Create(TensorType.Float32, [1, 1, 2, 3]);

        Assert.Throws<ArgumentException>(() => ImagePreprocessor.FillTensor(TwoPixels, tensor, new InputNormalization([1, 2], [1, 1])));
    }

    [Fact]
    public void Normalization_RejectsZeroStd()
    {
        Assert.Throws<ArgumentException>(() => new InputNormalization(0, 0));
        Assert.Throws<ArgumentException>(() => new InputNormalization(double.NaN, 1));
    }
}
