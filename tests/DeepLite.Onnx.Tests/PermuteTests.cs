using DeepLite.Onnx.Export;

namespace DeepLite.Onnx.Tests;

public sealed class PermuteTests
{
    [Fact]
    public void Permute_OhwiToOihw_MovesInputChannelsAfterOutputChannels()
    {
        // OHWI [2, 1, 2, 3]: value = 100·o + 10·w + i.
        byte[] ohwi = [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112];

        byte[] oihw = GraphConverter.Permute(ohwi, [2, 1, 2, 3], [0, 3, 1, 2], 1);

        Assert.Equal(new byte[] { 0, 10, 1, 11, 2, 12, 100, 110, 101, 111, 102, 112 }, oihw);
    }

    [Fact]
    public void Permute_KeepsMultiByteElementsWhole()
    {
        byte[] data = [1, 0, 2, 0, 3, 0, 4, 0];

        byte[] transposed = GraphConverter.Permute(data, [2, 2], [1, 0], 2);

        Assert.Equal(new byte[] { 1, 0, 3, 0, 2, 0, 4, 0 }, transposed);
    }
}
