using System.Buffers.Binary;

namespace DeepLite.Runtime.Format;

/// <summary>
/// Reads and validates the TensorFlow Lite schema tables (field numbers follow
/// <c>tensorflow/lite/schema/schema.fbs</c>). Checks every index and size the runtime relies on.
/// </summary>
internal static class ModelReader
{
    // Model table fields.
    private const int ModelVersion = 0, ModelOperatorCodes = 1, ModelSubgraphs = 2, ModelDescription = 3,
        ModelBuffers = 4, ModelMetadata = 6, ModelSignatureDefs = 7;
    // SubGraph fields.
    private const int SubgraphTensors = 0, SubgraphInputs = 1, SubgraphOutputs = 2, SubgraphOperators = 3, SubgraphName = 4;
    // Tensor fields.
    private const int TensorShape = 0, TensorTypeField = 1, TensorBuffer = 2, TensorName = 3, TensorQuantization = 4,
        TensorIsVariable = 5, TensorSparsity = 6, TensorShapeSignature = 7;
    // QuantizationParameters fields.
    private const int QuantScale = 2, QuantZeroPoint = 3, QuantDetailsType = 4, QuantDimension = 6;
    // OperatorCode fields.
    private const int CodeDeprecatedBuiltin = 0, CodeCustom = 1, CodeVersion = 2, CodeBuiltin = 3;
    // Operator fields.
    private const int OpOpcodeIndex = 0, OpInputs = 1, OpOutputs = 2, OpOptionsType = 3, OpOptions = 4,
        OpCustomOptions = 5, OpIntermediates = 8, OpLargeCustomOffset = 9, OpLargeCustomSize = 10;
    // Buffer fields.
    private const int BufferData = 0, BufferOffset = 1, BufferSize = 2;
    // Metadata, SignatureDef and TensorMap fields.
    private const int MetadataName = 0, MetadataBuffer = 1;
    private const int SignatureInputs = 0, SignatureOutputs = 1, SignatureKey = 2, SignatureSubgraph = 4;
    private const int TensorMapName = 0, TensorMapIndex = 1;

    /// <summary>Dimensions above this are rejected as corrupt: no real tensor dimension is that large.</summary>
    private const int MaxDimension = 1 << 28;
    private const int MaxRank = 16;

    public static (uint Version, string? Description, OperatorCode[] Codes, SubgraphInfo[] Subgraphs,
        ReadOnlyMemory<byte>[] Buffers, MetadataEntry[] Metadata, SignatureDef[] Signatures) Read(ReadOnlyMemory<byte> bytes, string source)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("DeepLite reads TFLite models on little-endian machines only.");
        if (bytes.Length >= 8 && !bytes.Span.Slice(4, 4).SequenceEqual("TFL3"u8))
        {
            throw new ModelFormatException($"{source}: not a TensorFlow Lite model (file identifier is not \"TFL3\").");
        }
        var root = FlatTable.Root(bytes, source);
        uint version = root.UInt(ModelVersion);
        if (version != 3) throw new ModelFormatException($"{source}: schema version {version} is not supported (expected 3).");
        string? description = root.String(ModelDescription);

        var buffers = ReadBuffers(root, bytes, source);
        var codes = ReadOperatorCodes(root, source);

        int subgraphCount = root.TableCount(ModelSubgraphs);
        if (subgraphCount == 0) throw new ModelFormatException($"{source}: the model has no subgraphs.");
        var subgraphs = new SubgraphInfo[subgraphCount];
        for (int s = 0; s < subgraphCount; s++)
        {
            subgraphs[s] = ReadSubgraph(root.TableAt(ModelSubgraphs, s, $"{source}: subgraph {s}"), s, codes, buffers, bytes, source);
        }

        var metadata = new MetadataEntry[root.TableCount(ModelMetadata)];
        for (int i = 0; i < metadata.Length; i++)
        {
            var m = root.TableAt(ModelMetadata, i, $"{source}: metadata {i}");
            uint buffer = m.UInt(MetadataBuffer);
            if (buffer >= buffers.Length) throw new ModelFormatException($"{m.Context}: buffer index {buffer} is out of range ({buffers.Length} buffers).");
            metadata[i] = new MetadataEntry(m.String(MetadataName) ?? "", buffers[buffer]);
        }

        var signatures = new SignatureDef[root.TableCount(ModelSignatureDefs)];
        for (int i = 0; i < signatures.Length; i++)
        {
            var sig = root.TableAt(ModelSignatureDefs, i, $"{source}: signature {i}");
            uint sub = sig.UInt(SignatureSubgraph);
            if (sub >= subgraphs.Length) throw new ModelFormatException($"{sig.Context}: subgraph index {sub} is out of range.");
            var tensorCount = subgraphs[sub].Tensors.Count;
            signatures[i] = new SignatureDef(sig.String(SignatureKey) ?? "", (int)sub,
                ReadTensorMaps(sig, SignatureInputs, tensorCount), ReadTensorMaps(sig, SignatureOutputs, tensorCount));
        }
        return (version, description, codes, subgraphs, buffers, metadata, signatures);
    }

    private static KeyValuePair<string, int>[] ReadTensorMaps(FlatTable signature, int field, int tensorCount)
    {
        var result = new KeyValuePair<string, int>[signature.TableCount(field)];
        for (int i = 0; i < result.Length; i++)
        {
            var map = signature.TableAt(field, i, $"{signature.Context} tensor map {i}");
            uint index = map.UInt(TensorMapIndex);
            if (index >= tensorCount) throw new ModelFormatException($"{map.Context}: tensor index {index} is out of range ({tensorCount} tensors).");
            result[i] = new(map.String(TensorMapName) ?? "", (int)index);
        }
        return result;
    }

    private static ReadOnlyMemory<byte>[] ReadBuffers(FlatTable root, ReadOnlyMemory<byte> bytes, string source)
    {
        var buffers = new ReadOnlyMemory<byte>[root.TableCount(ModelBuffers)];
        for (int i = 0; i < buffers.Length; i++)
        {
            var b = root.TableAt(ModelBuffers, i, $"{source}: buffer {i}");
            ulong offset = b.ULong(BufferOffset);
            if (offset > 1)
            {
                // Large-model convention: data stored after the FlatBuffer, located by absolute offset and size.
                ulong size = b.ULong(BufferSize);
                if (offset > (ulong)bytes.Length || size > (ulong)bytes.Length - offset)
                {
                    throw new ModelFormatException($"{b.Context}: external data at offset {offset} with size {size} lies outside the file ({bytes.Length} bytes).");
                }
                buffers[i] = bytes.Slice((int)offset, (int)size);
            }
            else
            {
                buffers[i] = b.VectorBytes(BufferData, 1, out _);
            }
        }
        return buffers;
    }

    private static OperatorCode[] ReadOperatorCodes(FlatTable root, string source)
    {
        var codes = new OperatorCode[root.TableCount(ModelOperatorCodes)];
        for (int i = 0; i < codes.Length; i++)
        {
            var c = root.TableAt(ModelOperatorCodes, i, $"{source}: operator code {i}");
            int builtin = Math.Max(c.SByte(CodeDeprecatedBuiltin), c.Int(CodeBuiltin));
            if (builtin < 0) throw new ModelFormatException($"{c.Context}: builtin code {builtin} is negative.");
            codes[i] = new OperatorCode((BuiltinOperator)builtin, c.String(CodeCustom), c.Int(CodeVersion, 1));
        }
        return codes;
    }

    private static SubgraphInfo ReadSubgraph(FlatTable g, int index, OperatorCode[] codes, ReadOnlyMemory<byte>[] buffers, ReadOnlyMemory<byte> file, string source)
    {
        int tensorCount = g.TableCount(SubgraphTensors);
        var tensors = new TensorInfo[tensorCount];
        for (int t = 0; t < tensorCount; t++)
        {
            tensors[t] = ReadTensor(g.TableAt(SubgraphTensors, t, $"{source}: subgraph {index} tensor {t}"), t, buffers);
        }
        int[] inputs = CheckIndices(g.Vector<int>(SubgraphInputs), tensorCount, $"{g.Context} inputs", allowOptional: false);
        int[] outputs = CheckIndices(g.Vector<int>(SubgraphOutputs), tensorCount, $"{g.Context} outputs", allowOptional: false);
        foreach (int i in inputs)
        {
            if (tensors[i].IsConstant) throw new ModelFormatException($"{g.Context}: input tensor {i} ('{tensors[i].Name}') holds constant data; graph inputs must be activations.");
        }
        var operators = new OperatorInfo[g.TableCount(SubgraphOperators)];
        for (int o = 0; o < operators.Length; o++)
        {
            var op = g.TableAt(SubgraphOperators, o, $"{source}: subgraph {index} operator {o}");
            uint opcode = op.UInt(OpOpcodeIndex);
            if (opcode >= codes.Length) throw new ModelFormatException($"{op.Context}: opcode index {opcode} is out of range ({codes.Length} operator codes).");
            var code = codes[opcode];
            string context = $"{source}: subgraph {index} operator {o} ({code.Name})";
            var custom = op.VectorBytes(OpCustomOptions, 1, out _);
            ulong largeOffset = op.ULong(OpLargeCustomOffset);
            if (largeOffset > 1)
            {
                // Large-model convention: custom options stored after the FlatBuffer, by absolute offset and size.
                ulong size = op.ULong(OpLargeCustomSize);
                if (largeOffset > (ulong)file.Length || size > (ulong)file.Length - largeOffset)
                {
                    throw new ModelFormatException($"{context}: custom options at offset {largeOffset} with size {size} lie outside the file ({file.Length} bytes).");
                }
                custom = file.Slice((int)largeOffset, (int)size);
            }
            operators[o] = new OperatorInfo(o, code,
                CheckIndices(op.Vector<int>(OpInputs), tensorCount, $"{context} inputs", allowOptional: true),
                CheckIndices(op.Vector<int>(OpOutputs), tensorCount, $"{context} outputs", allowOptional: false),
                CheckIndices(op.Vector<int>(OpIntermediates), tensorCount, $"{context} intermediates", allowOptional: false),
                op.Byte(OpOptionsType), op.Table(OpOptions, $"{context} options"), custom);
        }
        return new SubgraphInfo(index, g.String(SubgraphName) ?? "", tensors, inputs, outputs, operators);
    }

    private static int[] CheckIndices(int[] indices, int count, string context, bool allowOptional)
    {
        foreach (int i in indices)
        {
            if (i >= count || i < (allowOptional ? -1 : 0))
            {
                throw new ModelFormatException($"{context}: tensor index {i} is out of range ({count} tensors).");
            }
        }
        return indices;
    }

    private static TensorInfo ReadTensor(FlatTable t, int index, ReadOnlyMemory<byte>[] buffers)
    {
        string name = t.String(TensorName) ?? "";
        string context = $"{t.Context} '{name}'";
        int[] shape = t.Vector<int>(TensorShape);
        if (shape.Length > MaxRank) throw new ModelFormatException($"{context}: rank {shape.Length} exceeds the supported maximum of {MaxRank}.");
        long elements = 1;
        foreach (int d in shape)
        {
            if (d < 0 || d > MaxDimension) throw new ModelFormatException($"{context}: dimension {d} in shape [{string.Join(",", shape)}] is invalid.");
            elements *= d;
            if (elements > int.MaxValue) throw new ModelFormatException($"{context}: shape [{string.Join(",", shape)}] has more than 2^31 elements.");
        }
        sbyte rawType = t.SByte(TensorTypeField);
        if (rawType < 0 || rawType > (sbyte)TensorType.Int4) throw new ModelFormatException($"{context}: unknown tensor type {rawType}.");
        var type = (TensorType)rawType;
        uint buffer = t.UInt(TensorBuffer);
        if (buffer >= buffers.Length && !(buffer == 0 && buffers.Length == 0))
        {
            throw new ModelFormatException($"{context}: buffer index {buffer} is out of range ({buffers.Length} buffers).");
        }
        var data = buffers.Length == 0 ? ReadOnlyMemory<byte>.Empty : buffers[buffer];
        bool sparse = t.Has(TensorSparsity);
        int elementSize = type.ElementSize();
        if (!data.IsEmpty && !sparse && elementSize > 0 && data.Length != elements * elementSize)
        {
            throw new ModelFormatException($"{context}: buffer {buffer} holds {data.Length} bytes but shape [{string.Join(",", shape)}] of {type.Name()} needs {elements * elementSize}.");
        }
        int[]? signature = t.Has(TensorShapeSignature) ? t.Vector<int>(TensorShapeSignature) : null;
        return new TensorInfo(index, name, type, shape, signature, ReadQuantization(t.Table(TensorQuantization, $"{context} quantization"), shape, context),
            (int)buffer, t.Bool(TensorIsVariable), sparse, data);
    }

    private static QuantizationParameters? ReadQuantization(FlatTable q, int[] shape, string context)
    {
        if (q.IsEmpty) return null;
        if (q.Byte(QuantDetailsType) != 0) throw new ModelFormatException($"{context}: custom quantization details are not supported.");
        float[] scales = q.Vector<float>(QuantScale);
        long[] zeroPoints = q.Vector<long>(QuantZeroPoint);
        if (scales.Length == 0) return null;
        if (zeroPoints.Length != 0 && zeroPoints.Length != scales.Length)
        {
            throw new ModelFormatException($"{context}: {scales.Length} quantization scales but {zeroPoints.Length} zero points.");
        }
        int dimension = q.Int(QuantDimension);
        if (scales.Length > 1 && ((uint)dimension >= (uint)shape.Length || shape[dimension] != scales.Length))
        {
            throw new ModelFormatException($"{context}: {scales.Length} per-channel scales do not match dimension {dimension} of shape [{string.Join(",", shape)}].");
        }
        foreach (float s in scales)
        {
            if (!float.IsFinite(s) || s < 0) throw new ModelFormatException($"{context}: quantization scale {s} is not a finite non-negative number.");
        }
        if (zeroPoints.Length == 0) zeroPoints = new long[scales.Length];
        return new QuantizationParameters(scales, zeroPoints, dimension);
    }

    internal static uint ReadUInt32(ReadOnlySpan<byte> span) => BinaryPrimitives.ReadUInt32LittleEndian(span);
}
