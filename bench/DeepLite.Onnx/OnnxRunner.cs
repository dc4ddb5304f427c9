using System.Runtime.InteropServices;
using DeepLite.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DeepLite.Onnx;

/// <summary>One output of <see cref="OnnxRunner.Run(ReadOnlySpan{byte})"/>: a copy of the tensor's bytes.</summary>
public sealed class OnnxOutput
{
    internal OnnxOutput(string name, TensorType type, int[] shape, byte[] bytes)
    {
        Name = name;
        Type = type;
        Shape = shape;
        Bytes = bytes;
    }

    public string Name { get; }
    public TensorType Type { get; }
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The values as little-endian bytes, row-major.</summary>
    public byte[] Bytes { get; }

    /// <summary>The values as <typeparamref name="T"/>, which must match <see cref="Type"/>.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        if (TensorTypes.Of<T>() != Type) throw new InvalidOperationException($"Output '{Name}' is {Type.Name()}, not {TensorTypes.Of<T>().Name()}.");
        return MemoryMarshal.Cast<byte, T>(Bytes).ToArray();
    }
}

/// <summary>
/// An ONNX Runtime session on the CPU execution provider with a fixed number of intra-op threads, all graph
/// optimizations, sequential execution and no spinning threads. Inputs and outputs are preallocated from the
/// model's static shapes, so a run copies the input in, runs, and copies the outputs out.
/// Not thread-safe: use one runner per thread.
/// </summary>
public sealed class OnnxRunner : IDisposable
{
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputValues;
    private readonly OrtValue[] _outputValues;
    private bool _disposed;

    /// <summary>Creates a session over <paramref name="modelBytes"/> (an ONNX <c>ModelProto</c>).</summary>
    /// <param name="modelBytes">The model, e.g. <see cref="OnnxExport.ModelBytes"/>.</param>
    /// <param name="intraOpThreads">Threads one operator may use (1 = the calling thread only).</param>
    public OnnxRunner(byte[] modelBytes, int intraOpThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            _session = new InferenceSession(modelBytes, _sessionOptions);
            _inputNames = _session.InputNames.ToArray();
            _outputNames = _session.OutputNames.ToArray();
            Inputs = _inputNames.Select(n => Describe(n, _session.InputMetadata[n])).ToArray();
            Outputs = _outputNames.Select(n => Describe(n, _session.OutputMetadata[n])).ToArray();
            _inputValues = _inputNames.Select(n => Allocate(_session.InputMetadata[n])).ToArray();
            _outputValues = _outputNames.Select(n => Allocate(_session.OutputMetadata[n])).ToArray();
        }
        catch
        {
            _session?.Dispose();
            _sessionOptions.Dispose();
            _runOptions.Dispose();
            throw;
        }
        IntraOpThreads = intraOpThreads;
    }

    public int IntraOpThreads { get; }
    public IReadOnlyList<OnnxTensorDescription> Inputs { get; }
    public IReadOnlyList<OnnxTensorDescription> Outputs { get; }

    /// <summary>Runs a single-input model on <paramref name="input"/>: the input's values as little-endian bytes
    /// (uint8 pixels as they are; float32 via <see cref="MemoryMarshal.AsBytes{T}(ReadOnlySpan{T})"/>).</summary>
    public IReadOnlyList<OnnxOutput> Run(ReadOnlySpan<byte> input)
    {
        if (_inputValues.Length != 1) throw new InvalidOperationException($"The model has {_inputValues.Length} inputs; pass one byte array per input.");
        CopyInput(0, input);
        return RunCopied();
    }

    /// <summary>Runs a single-input float32 model.</summary>
    public IReadOnlyList<OnnxOutput> Run(ReadOnlySpan<float> input)
    {
        if (Inputs.Count == 1 && Inputs[0].Type != TensorType.Float32) throw new InvalidOperationException($"Input '{Inputs[0].Name}' is {Inputs[0].Type.Name()}, not float32.");
        return Run(MemoryMarshal.AsBytes(input));
    }

    /// <summary>Runs the model on one byte array per input, in <see cref="Inputs"/> order.</summary>
    public IReadOnlyList<OnnxOutput> Run(IReadOnlyList<byte[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != _inputValues.Length) throw new ArgumentException($"The model has {_inputValues.Length} inputs; {inputs.Count} were given.", nameof(inputs));
        for (int i = 0; i < inputs.Count; i++) CopyInput(i, inputs[i]);
        return RunCopied();
    }

    /// <summary>Runs once on the inputs already copied in (by the last Run), without copying outputs out.
    /// For timing loops.</summary>
    public void RunInPlace()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _session.Run(_runOptions, _inputNames, _inputValues, _outputNames, _outputValues);
    }

    private void CopyInput(int index, ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var destination = _inputValues[index].GetTensorMutableRawData();
        if (bytes.Length != destination.Length)
        {
            var input = Inputs[index];
            throw new ArgumentException($"Input '{input.Name}' ({input.Type.Name()}[{string.Join(",", input.Shape)}]) takes {destination.Length} bytes; {bytes.Length} were given.");
        }
        bytes.CopyTo(destination);
    }

    private OnnxOutput[] RunCopied()
    {
        RunInPlace();
        var results = new OnnxOutput[_outputValues.Length];
        for (int i = 0; i < results.Length; i++)
        {
            var description = Outputs[i];
            results[i] = new OnnxOutput(description.Name, description.Type, description.Shape.ToArray(), _outputValues[i].GetTensorMutableRawData().ToArray());
        }
        return results;
    }

    private static OnnxTensorDescription Describe(string name, NodeMetadata metadata)
    {
        if (metadata.Dimensions.Any(d => d < 0)) throw new NotSupportedException($"'{name}' has a dynamic shape [{string.Join(",", metadata.Dimensions)}]; OnnxRunner needs static shapes.");
        return new OnnxTensorDescription(name, TypeOf(metadata.ElementDataType, name), metadata.Dimensions.ToArray());
    }

    private static OrtValue Allocate(NodeMetadata metadata) =>
        OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, metadata.ElementDataType, metadata.Dimensions.Select(d => (long)d).ToArray());

    private static TensorType TypeOf(TensorElementType type, string name) => type switch
    {
        TensorElementType.Float => TensorType.Float32,
        TensorElementType.UInt8 => TensorType.UInt8,
        TensorElementType.Int8 => TensorType.Int8,
        TensorElementType.Int32 => TensorType.Int32,
        TensorElementType.Int64 => TensorType.Int64,
        _ => throw new NotSupportedException($"'{name}' has element type {type}, which OnnxRunner does not map."),
    };

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var value in _inputValues) value.Dispose();
        foreach (var value in _outputValues) value.Dispose();
        _session.Dispose();
        _sessionOptions.Dispose();
        _runOptions.Dispose();
    }
}
