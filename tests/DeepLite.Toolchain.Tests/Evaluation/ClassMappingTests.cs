using DeepLite.Toolchain.Evaluation;
using DeepLite.Vision;
using static DeepLite.Toolchain.Tests.Evaluation.EvaluationData;

namespace DeepLite.Toolchain.Tests.Evaluation;

public sealed class ClassMappingTests
{
    private static readonly LabelMap ImageNet = LabelMap.Create(ImageNetLabels, 1001);

    [Fact]
    public void Create_ImageNet_ExactThenIgnoringCase_RepeatedLabelsGiveSeveralOutputs()
    {
        var mapping = ClassMapping.Create(["crane", "Tiger Cat", "daisy"], ImageNet);
        Assert.Equal([135, 518], mapping.OutputsOf(0));
        Assert.Equal([283], mapping.OutputsOf(1));
        Assert.Equal([986], mapping.OutputsOf(2));
        Assert.Equal(0, mapping.ClassOf(518));
        Assert.Equal(-1, mapping.ClassOf(282));
        Assert.False(mapping.ByIndex);
    }

    [Fact]
    public void Create_PrefersTheExactMatchOverOnesThatIgnoreCase()
    {
        var mapping = ClassMapping.Create(["Cat", "DOG"], LabelMap.Create(["cat", "Cat", "dog"], 3));
        Assert.Equal([1], mapping.OutputsOf(0));
        Assert.Equal([2], mapping.OutputsOf(1));
    }

    [Fact]
    public void Create_TwoClassesOnOneLabel_IsAnError()
    {
        var e = Assert.Throws<EvaluationException>(() => ClassMapping.Create(["CAT", "cat"], LabelMap.Create(["cat", "dog"], 2)));
        Assert.Contains("Classes 'CAT' and 'cat' both match the label \"cat\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_WithoutLabels_MapsByIndexOnlyWhenTheCountsAgree()
    {
        var mapping = ClassMapping.Create(["b", "a", "c"], LabelMap.Unlabelled(3));
        Assert.True(mapping.ByIndex);
        Assert.Equal([1], mapping.OutputsOf(1));
        var e = Assert.Throws<EvaluationException>(() => ClassMapping.Create(["a", "b"], LabelMap.Unlabelled(3)));
        Assert.Contains("no labels and 3 outputs, but the data has 2 classes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClosestLabels_UseTheNearestCommaSeparatedName()
    {
        Assert.Equal(["tabby, tabby cat", "tiger cat"], ClassMapping.ClosestLabels(ImageNet, "tabby cats", 2));
        Assert.Equal(3, ClassMapping.EditDistance("kitten", "sitting"));
        Assert.Equal(0, ClassMapping.EditDistance("", ""));
    }
}
