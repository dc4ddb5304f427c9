namespace DeepLite.Client.Tests;

public sealed class ProjectSetupTests
{
    [Fact]
    public void SharedTestData_IsFound() => Assert.True(File.Exists(DeepLite.Tests.TestData.Model("mobilenet_v1_0.25_128_quant.tflite")));
}
