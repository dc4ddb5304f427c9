using DeepLite.Runtime;

namespace DeepLite.Vision.Tests;

/// <summary>Decode + resize + convert reproduces, byte for byte, the input tensors TensorFlow Lite was fed for the goldens.</summary>
public sealed class GoldenInputTests
{
    public static TheoryData<string> CaseIds() => GoldenImageCase.Ids();

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Preprocessing_MatchesGoldenInputBytes(string caseId)
    {
        var golden = GoldenImageCase.Get(caseId);
        var image = ImageDecoder.Decode(golden.ImagePath);
        var input = Tensor.Create(golden.InputType, golden.InputShape);

        ImagePreprocessor.Prepare(image, input, golden.Resize, new InputNormalization(golden.Mean, golden.Std));

        byte[] expected = File.ReadAllBytes(golden.InputBytesPath);
        byte[] actual = input.AsReadOnlyBytes().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        int firstDifference = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(firstDifference == expected.Length,
            $"{caseId}: first differing byte at {firstDifference} of {expected.Length} (expected {(firstDifference < expected.Length ? expected[firstDifference] : 0)}, got {(firstDifference < actual.Length ? actual[firstDifference] : 0)}).");
    }

    [Fact]
    public void GoldenIndex_HasSixtyImageCasesCoveringBothResizeModes()
    {
        Assert.Equal(60, GoldenImageCase.All.Count);
        Assert.Contains(GoldenImageCase.All, c => c.Resize == ResizeMode.Nearest);
        Assert.Contains(GoldenImageCase.All, c => c.Resize == ResizeMode.Bilinear);
    }
}
