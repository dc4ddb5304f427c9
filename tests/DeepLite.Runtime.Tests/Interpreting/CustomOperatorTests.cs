using DeepLite.Tests;

namespace DeepLite.Runtime.Tests.Interpreting;

/// <summary>The test model <c>invalid_model_invoking_error.tflite</c> holds one custom operator,
/// <c>fake-op-double</c>, that real TFLite cannot run; registered here in C#, it runs.</summary>
public sealed class CustomOperatorTests
{
    /// <summary>Doubles every element: output[i] = 2 * real(input[i]), where real() dequantizes a
    /// quantized input (scale * (q - zeroPoint)) and passes float values through.</summary>
    private sealed class DoubleKernel : OperatorKernel
    {
        private float _scale = 1;
        private int _zeroPoint;

        public int PrepareCalls { get; private set; }

        public override void Prepare(KernelContext context)
        {
            PrepareCalls++;
            context.ExpectCounts(1, 1, 1);
            var input = context.Input(0);
            if (input.Type is not (TensorType.Float32 or TensorType.UInt8) || context.Output(0).Type != TensorType.Float32)
            {
                throw context.Unsupported();
            }
            if (input.Quantization is { } q)
            {
                (_scale, _zeroPoint) = (q.Scale, q.ZeroPoint);
            }
            context.SetOutputShape(0, input.Shape);
        }

        public override void Eval(KernelContext context)
        {
            var input = context.Input(0);
            var y = context.Output(0).AsSpan<float>();
            if (input.Type == TensorType.Float32)
            {
                var x = input.AsReadOnlySpan<float>();
                for (int i = 0; i < x.Length; i++) y[i] = 2 * x[i];
            }
            else
            {
                var x = input.AsReadOnlySpan<byte>();
                for (int i = 0; i < x.Length; i++) y[i] = 2 * _scale * (x[i] - _zeroPoint);
            }
        }
    }

    [Fact]
    public void CustomOperator_RegisteredInCSharp_RunsInTheGraph()
    {
        using var model = TfLiteModel.Load(TestData.Model("invalid_model_invoking_error.tflite"));
        var kernel = new DoubleKernel();
        var resolver = OpResolver.CreateDefault().AddCustom("fake-op-double", () => kernel);
        using var interpreter = new Interpreter(model, new InterpreterOptions { Resolver = resolver });
        interpreter.AllocateTensors();
        Assert.Equal(1, kernel.PrepareCalls);

        var input = interpreter.Inputs[0];
        var output = interpreter.Outputs[0];
        var expected = new float[input.ElementCount];
        if (input.Type == TensorType.Float32)
        {
            var values = Enumerable.Range(0, expected.Length).Select(i => i * 0.5f - 1).ToArray();
            input.CopyFrom<float>(values);
            for (int i = 0; i < values.Length; i++) expected[i] = 2 * values[i];
        }
        else
        {
            var values = Enumerable.Range(0, expected.Length).Select(i => (byte)(i * 37)).ToArray();
            input.CopyFrom<byte>(values);
            var q = input.Quantization;
            for (int i = 0; i < values.Length; i++) expected[i] = 2 * (q?.Scale ?? 1) * (values[i] - (q?.ZeroPoint ?? 0));
        }
        interpreter.Invoke();
        Assert.Equal(expected, output.ToArray<float>());
    }
}
