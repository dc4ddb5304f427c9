using DeepLite.Tests;
using System.Buffers.Binary;

namespace DeepLite.Vision.Tests;

/// <summary>Broken, truncated and hostile files fail with <see cref="ImageFormatException"/>, promptly, and nothing else escapes.</summary>
public sealed class HostileImageTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static async Task<ImageFormatException> AssertRejectedAsync(byte[] data, string source = "hostile")
    {
        var decode = Task.Run(() => ImageDecoder.Decode(data, source));
        return await Assert.ThrowsAsync<ImageFormatException>(() => decode.WaitAsync(Deadline));
    }

    public static TheoryData<int> BmpCuts() => [1, 2, 10, 30, 54, 137, 138, 1000, 263493, 526985];

    [Theory]
    [MemberData(nameof(BmpCuts))]
    public async Task Bmp_Truncated_IsRejected(int length)
    {
        byte[] file = File.ReadAllBytes(TestData.File("images", "bird.bmp"));

        await AssertRejectedAsync(file[..length]);
    }

    /// <summary>The same cuts as files: the path overload reads uncompressed BMPs straight from the file, row block by
    /// row block, and must reject a short file just as the in-memory decoder does.</summary>
    [Theory]
    [MemberData(nameof(BmpCuts))]
    public async Task Bmp_TruncatedFile_IsRejected(int length)
    {
        byte[] file = File.ReadAllBytes(TestData.File("images", "bird.bmp"));
        string path = Path.Combine(Path.GetTempPath(), $"deeplite-cut-{Guid.NewGuid():N}.bmp");
        File.WriteAllBytes(path, file[..length]);
        try
        {
            await Assert.ThrowsAsync<ImageFormatException>(() => Task.Run(() => ImageDecoder.Decode(path)).WaitAsync(Deadline));
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<int> JpegCuts() => [2, 3, 4, 10, 20, 100, 600, 2000, 100465, 200928];

    [Theory]
    [MemberData(nameof(JpegCuts))]
    public async Task Jpeg_Truncated_IsRejected(int length)
    {
        byte[] file = File.ReadAllBytes(TestData.File("images", "hot_dog.jpg"));
        Assert.True(length < file.Length);

        await AssertRejectedAsync(file[..length]);
    }

    [Fact]
    public async Task Png_Truncated_IsRejectedAtEveryChunkBoundaryAndInside()
    {
        byte[] file = TestImages.Png(40, 30, 3, TestImages.Pattern(40, 30, 3, seed: 3));
        int[] cuts = [1, 8, 12, 20, 33, 40, 100, file.Length / 2, file.Length - 12, file.Length - 1];
        foreach (int length in cuts)
        {
            await AssertRejectedAsync(file[..length]);
        }
    }

    [Fact]
    public async Task TruncatedFile_MessageNamesFileAndProblem()
    {
        byte[] file = File.ReadAllBytes(TestData.File("images", "bird.bmp"));
        string path = Path.Combine(Path.GetTempPath(), $"deeplite-truncated-{Guid.NewGuid():N}.bmp");
        File.WriteAllBytes(path, file[..5000]);
        try
        {
            var error = await Assert.ThrowsAsync<ImageFormatException>(() => Task.Run(() => ImageDecoder.Decode(path)).WaitAsync(Deadline));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RandomBytes_AreRejected(int seed)
    {
        var random = new Random(seed);
        foreach (int length in new[] { 0, 1, 7, 64, 4096 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            await AssertRejectedAsync(data);
        }
    }

    public static TheoryData<string> Signatures() => ["BM", "\u0089PNG\r\n\u001a\n", "\u00ff\u00d8\u00ff"];

    [Theory]
    [MemberData(nameof(Signatures))]
    public async Task RandomBytesBehindAValidSignature_AreRejected(string signature)
    {
        var random = new Random(signature.Length);
        for (int i = 0; i < 20; i++)
        {
            var data = new byte[random.Next(16, 2048)];
            random.NextBytes(data);
            for (int j = 0; j < signature.Length; j++) data[j] = (byte)signature[j];
            await AssertRejectedAsync(data);
        }
    }

    [Fact]
    public async Task Bmp_HeaderClaiming100000x100000_IsRejectedBeforeDecoding()
    {
        var header = TestImages.Bmp(1, 1, 24, [0, 0, 0]);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(18), 100_000);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(22), 100_000);

        var error = await AssertRejectedAsync(header);

        Assert.Contains("100000x100000", error.Message, StringComparison.Ordinal);
        Assert.Contains("over the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Png_HeaderClaiming100000x100000_IsRejectedBeforeDecoding()
    {
        var file = TestImages.Png(1, 1, 3, [1, 2, 3]);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(16), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), 100_000);

        var error = await AssertRejectedAsync(file);

        Assert.Contains("over the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Png_HeaderWhoseArea_Overflows64Bits_IsRejected()
    {
        var file = TestImages.Png(1, 1, 3, [1, 2, 3]);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(16), uint.MaxValue);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), uint.MaxValue);

        var error = await AssertRejectedAsync(file);

        Assert.Contains("over the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jpeg_FrameHeaderClaiming65535x65535_IsRejectedBeforeDecoding()
    {
        // SOI, then a baseline frame header: length 17, precision 8, height, width, 3 components.
        byte[] file = [0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0xFF, 0xFF, 0xFF, 0xFF, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0];

        var error = await AssertRejectedAsync(file);

        Assert.Contains("65535x65535", error.Message, StringComparison.Ordinal);
        Assert.Contains("over the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PixelLimit_IsConfigurable()
    {
        string path = TestData.File("images", "bird.bmp"); // 512 x 343

        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(path, maxPixels: (512 * 343) - 1));
        Assert.Equal(512, ImageDecoder.Decode(path, maxPixels: 512 * 343).Width);
    }

    public static TheoryData<string> FuzzSources() => ["bird.bmp", "hot_dog.jpg", "generated.png"];

    /// <summary>Seeded byte mutations of real files: each decodes or fails with ImageFormatException; nothing hangs or escapes.</summary>
    [Theory]
    [MemberData(nameof(FuzzSources))]
    public async Task MutatedFiles_DecodeOrFailCleanly(string name)
    {
        byte[] original = name == "generated.png"
            ? TestImages.Png(64, 48, 3, TestImages.Pattern(64, 48, 3, seed: 5))
            : File.ReadAllBytes(TestData.File("images", name));
        var random = new Random(name.Length);
        for (int iteration = 0; iteration < 120; iteration++)
        {
            byte[] data = (byte[])original.Clone();
            int edits = random.Next(1, 9);
            for (int e = 0; e < edits; e++)
            {
                // Mostly the headers, where the structure lives; sometimes anywhere.
                int limit = random.Next(4) == 0 ? data.Length : Math.Min(data.Length, 700);
                data[random.Next(limit)] = (byte)random.Next(256);
            }
            if (random.Next(5) == 0) data = data[..random.Next(1, data.Length)];

            var decode = Task.Run(() =>
            {
                try
                {
                    return ImageDecoder.Decode(data, $"{name} mutation {iteration}");
                }
                catch (ImageFormatException)
                {
                    return null;
                }
            });
            await decode.WaitAsync(Deadline);
        }
    }
}
