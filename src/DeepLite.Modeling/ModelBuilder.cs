using System.Runtime.InteropServices;
using DeepLite.Runtime;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Modeling;

/// <summary>
/// Composes float32 layers onto a <see cref="ModelGraph"/>, one call per layer, computing each output
/// shape as TFLite does. Weights come from the caller's arrays or, when omitted, from a seeded He-uniform
/// initialisation (<c>U(-sqrt(6 / fanIn), +sqrt(6 / fanIn))</c>; biases zero), so a seed always gives
/// the same model. Layouts are TFLite's: activations NHWC; CONV_2D filters [out, h, w, in];
/// DEPTHWISE_CONV_2D filters [1, h, w, in × multiplier]; FULLY_CONNECTED weights [units, in].
/// </summary>
public sealed class ModelBuilder
{
    private readonly Random _random;
    private int _counter;

    /// <summary>Builds onto <paramref name="graph"/> (a new empty graph when null), e.g. to append a head to a loaded model.</summary>
    public ModelBuilder(ModelGraph? graph = null, int seed = 1)
    {
        Graph = graph ?? new ModelGraph();
        _random = new Random(seed);
    }

    public ModelGraph Graph { get; }

    /// <summary>Adds a graph input.</summary>
    public GraphTensor Input(string name, int[] shape, TensorType type = TensorType.Float32, QuantizationParameters? quantization = null)
    {
        var tensor = Graph.AddTensor(new GraphTensor(name, type, shape, null, quantization));
        Graph.Inputs.Add(tensor);
        return tensor;
    }

    /// <summary>Marks <paramref name="tensor"/> as a graph output.</summary>
    public GraphTensor Output(GraphTensor tensor)
    {
        Graph.Outputs.Add(tensor);
        return tensor;
    }

    /// <summary>A float32 constant of <paramref name="shape"/> holding <paramref name="values"/>.</summary>
    public GraphTensor Constant(string name, int[] shape, ReadOnlySpan<float> values) =>
        Graph.AddTensor(new GraphTensor(name, TensorType.Float32, shape, MemoryMarshal.AsBytes(values).ToArray()));

    /// <summary>An int32 constant (shapes, axes, paddings).</summary>
    public GraphTensor ConstantInt32(string name, int[] shape, ReadOnlySpan<int> values) =>
        Graph.AddTensor(new GraphTensor(name, TensorType.Int32, shape, MemoryMarshal.AsBytes(values).ToArray()));

    public GraphTensor Conv2D(GraphTensor input, int filters, int kernelHeight, int kernelWidth, int stride = 1, Padding padding = Padding.Same,
        FusedActivation activation = FusedActivation.None, float[]? weights = null, float[]? bias = null)
    {
        int channels = input.Shape[3];
        string name = Name("conv2d");
        var w = Weights(name + "/weights", [filters, kernelHeight, kernelWidth, channels], weights, kernelHeight * kernelWidth * channels);
        var b = Bias(name + "/bias", filters, bias);
        var output = Activation(name, [input.Shape[0], OutputSize(input.Shape[1], kernelHeight, stride, padding), OutputSize(input.Shape[2], kernelWidth, stride, padding), filters]);
        Graph.AddOperator(new GraphOperator(BuiltinOperator.CONV_2D, [input, w, b], [output],
            new Conv2DOptions { Padding = padding, StrideWidth = stride, StrideHeight = stride, Activation = activation }));
        return output;
    }

    public GraphTensor DepthwiseConv2D(GraphTensor input, int kernelHeight, int kernelWidth, int stride = 1, Padding padding = Padding.Same,
        FusedActivation activation = FusedActivation.None, int depthMultiplier = 1, float[]? weights = null, float[]? bias = null)
    {
        int channels = input.Shape[3] * depthMultiplier;
        string name = Name("depthwise_conv2d");
        var w = Weights(name + "/weights", [1, kernelHeight, kernelWidth, channels], weights, kernelHeight * kernelWidth);
        var b = Bias(name + "/bias", channels, bias);
        var output = Activation(name, [input.Shape[0], OutputSize(input.Shape[1], kernelHeight, stride, padding), OutputSize(input.Shape[2], kernelWidth, stride, padding), channels]);
        Graph.AddOperator(new GraphOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, w, b], [output],
            new DepthwiseConv2DOptions { Padding = padding, StrideWidth = stride, StrideHeight = stride, DepthMultiplier = depthMultiplier, Activation = activation }));
        return output;
    }

    /// <summary>FULLY_CONNECTED: the input is flattened to [elements / inputSize, inputSize] with inputSize its last dimension.</summary>
    public GraphTensor FullyConnected(GraphTensor input, int units, FusedActivation activation = FusedActivation.None, float[]? weights = null, float[]? bias = null)
    {
        int inputSize = input.Shape[^1];
        string name = Name("fully_connected");
        var w = Weights(name + "/weights", [units, inputSize], weights, inputSize);
        var b = Bias(name + "/bias", units, bias);
        var output = Activation(name, [(int)(input.ElementCount / inputSize), units]);
        Graph.AddOperator(new GraphOperator(BuiltinOperator.FULLY_CONNECTED, [input, w, b], [output], new FullyConnectedOptions { Activation = activation }));
        return output;
    }

    public GraphTensor AveragePool2D(GraphTensor input, int filter, int stride, Padding padding = Padding.Valid) =>
        Pool(BuiltinOperator.AVERAGE_POOL_2D, "average_pool2d", input, filter, stride, padding);

    public GraphTensor MaxPool2D(GraphTensor input, int filter, int stride, Padding padding = Padding.Valid) =>
        Pool(BuiltinOperator.MAX_POOL_2D, "max_pool2d", input, filter, stride, padding);

    private GraphTensor Pool(BuiltinOperator code, string kind, GraphTensor input, int filter, int stride, Padding padding)
    {
        var output = Activation(Name(kind), [input.Shape[0], OutputSize(input.Shape[1], filter, stride, padding), OutputSize(input.Shape[2], filter, stride, padding), input.Shape[3]]);
        Graph.AddOperator(new GraphOperator(code, [input], [output],
            new Pool2DOptions { Padding = padding, StrideWidth = stride, StrideHeight = stride, FilterWidth = filter, FilterHeight = filter }));
        return output;
    }

    /// <summary>CONCATENATION along <paramref name="axis"/> (negative counts from the end).</summary>
    public GraphTensor Concatenation(IReadOnlyList<GraphTensor> inputs, int axis = -1)
    {
        int rank = inputs[0].Shape.Length;
        int normalized = axis < 0 ? axis + rank : axis;
        int[] shape = (int[])inputs[0].Shape.Clone();
        shape[normalized] = inputs.Sum(t => t.Shape[normalized]);
        var output = Activation(Name("concatenation"), shape);
        Graph.AddOperator(new GraphOperator(BuiltinOperator.CONCATENATION, inputs, [output], new ConcatenationOptions { Axis = axis }));
        return output;
    }

    public GraphTensor Add(GraphTensor a, GraphTensor b, FusedActivation activation = FusedActivation.None) =>
        Binary(BuiltinOperator.ADD, "add", a, b, new AddOptions { Activation = activation });

    public GraphTensor Mul(GraphTensor a, GraphTensor b, FusedActivation activation = FusedActivation.None) =>
        Binary(BuiltinOperator.MUL, "mul", a, b, new MulOptions { Activation = activation });

    private GraphTensor Binary(BuiltinOperator code, string kind, GraphTensor a, GraphTensor b, OperatorOptions options)
    {
        int rank = Math.Max(a.Shape.Length, b.Shape.Length);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Shape.Length) is var ia && ia >= 0 ? a.Shape[ia] : 1;
            int db = i - (rank - b.Shape.Length) is var ib && ib >= 0 ? b.Shape[ib] : 1;
            shape[i] = Math.Max(da, db);
        }
        var output = Activation(Name(kind), shape);
        Graph.AddOperator(new GraphOperator(code, [a, b], [output], options));
        return output;
    }

    public GraphTensor Softmax(GraphTensor input, float beta = 1)
    {
        var output = Activation(Name("softmax"), (int[])input.Shape.Clone());
        Graph.AddOperator(new GraphOperator(BuiltinOperator.SOFTMAX, [input], [output], new SoftmaxOptions { Beta = beta }));
        return output;
    }

    /// <summary>RESHAPE to <paramref name="shape"/>; one dimension may be -1 (inferred).</summary>
    public GraphTensor Reshape(GraphTensor input, int[] shape)
    {
        int[] resolved = (int[])shape.Clone();
        int unknown = Array.IndexOf(resolved, -1);
        if (unknown >= 0)
        {
            long known = resolved.Where(d => d != -1).Aggregate(1L, (p, d) => p * d);
            resolved[unknown] = (int)(input.ElementCount / known);
        }
        string name = Name("reshape");
        var shapeTensor = ConstantInt32(name + "/shape", [shape.Length], resolved);
        var output = Activation(name, resolved);
        Graph.AddOperator(new GraphOperator(BuiltinOperator.RESHAPE, [input, shapeTensor], [output], new ReshapeOptions { NewShape = resolved }));
        return output;
    }

    /// <summary>MEAN over <paramref name="axes"/>.</summary>
    public GraphTensor Mean(GraphTensor input, int[] axes, bool keepDims = false)
    {
        string name = Name("mean");
        var axesTensor = ConstantInt32(name + "/axes", [axes.Length], axes);
        var normalized = axes.Select(a => a < 0 ? a + input.Shape.Length : a).ToHashSet();
        int[] shape = keepDims
            ? input.Shape.Select((d, i) => normalized.Contains(i) ? 1 : d).ToArray()
            : input.Shape.Where((d, i) => !normalized.Contains(i)).ToArray();
        var output = Activation(name, shape);
        Graph.AddOperator(new GraphOperator(BuiltinOperator.MEAN, [input, axesTensor], [output], new ReducerOptions { KeepDims = keepDims }));
        return output;
    }

    /// <summary>DEQUANTIZE a uint8/int8/float16 tensor to float32 (e.g. the quantized output of a loaded model, before a float head).</summary>
    public GraphTensor Dequantize(GraphTensor input)
    {
        var output = Activation(Name("dequantize"), (int[])input.Shape.Clone());
        Graph.AddOperator(new GraphOperator(BuiltinOperator.DEQUANTIZE, [input], [output]));
        return output;
    }

    private GraphTensor Activation(string name, int[] shape) => Graph.AddTensor(new GraphTensor(name, TensorType.Float32, shape));

    private GraphTensor Weights(string name, int[] shape, float[]? values, int fanIn)
    {
        long count = shape.Aggregate(1L, (p, d) => p * d);
        if (values is null)
        {
            float limit = MathF.Sqrt(6f / fanIn);
            values = new float[count];
            for (int i = 0; i < values.Length; i++) values[i] = (float)((_random.NextDouble() * 2) - 1) * limit;
        }
        else if (values.Length != count)
        {
            throw new ArgumentException($"{name}: {values.Length} values given for shape [{string.Join(",", shape)}] ({count} values).");
        }
        return Constant(name, shape, values);
    }

    private GraphTensor Bias(string name, int size, float[]? values)
    {
        if (values is not null && values.Length != size) throw new ArgumentException($"{name}: {values.Length} values given for {size} outputs.");
        return Constant(name, [size], values ?? new float[size]);
    }

    private string Name(string kind) => $"{kind}_{++_counter}";

    private static int OutputSize(int input, int filter, int stride, Padding padding) =>
        padding == Padding.Same ? (input + stride - 1) / stride : (input - filter + stride) / stride;
}
