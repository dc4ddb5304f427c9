using DeepLite.Modeling.FlatBuffers;
using DeepLite.Runtime;
using DeepLite.Runtime.Format;
using DeepLite.Runtime.Kernels;
using DeepLite.Runtime.Quantization;

namespace DeepLite.Modeling;

/// <summary>
/// The builtin options of one operator: a typed copy of one table of the TFLite schema's
/// <c>BuiltinOptions</c> union. Field numbers and union tags follow <c>tensorflow/lite/schema/schema.fbs</c>.
/// Fields a model leaves out read as the schema defaults, so a read-then-written table means the same.
/// </summary>
public abstract record OperatorOptions
{
    /// <summary>The <c>BuiltinOptions</c> union tag of this options table.</summary>
    public abstract byte UnionType { get; }

    internal abstract void Write(TableBuilder table);

    internal TableBuilder ToTable()
    {
        var table = new TableBuilder();
        Write(table);
        return table;
    }

    /// <summary>Reads the options table of <paramref name="op"/>; null when it has none.</summary>
    /// <exception cref="NotSupportedException">The options type has fields this library cannot copy.</exception>
    internal static OperatorOptions? Read(OperatorInfo op, string context)
    {
        var t = op.BuiltinOptions;
        byte type = op.BuiltinOptionsType;
        if (type == 0) return null;
        return type switch
        {
            Conv2DOptions.Tag => new Conv2DOptions
            {
                Padding = (Padding)t.Byte(0), StrideWidth = t.Int(1), StrideHeight = t.Int(2), Activation = (FusedActivation)t.Byte(3),
                DilationWidth = t.Int(4, 1), DilationHeight = t.Int(5, 1), QuantizedBiasType = (TensorType)t.SByte(6),
            },
            DepthwiseConv2DOptions.Tag => new DepthwiseConv2DOptions
            {
                Padding = (Padding)t.Byte(0), StrideWidth = t.Int(1), StrideHeight = t.Int(2), DepthMultiplier = t.Int(3),
                Activation = (FusedActivation)t.Byte(4), DilationWidth = t.Int(5, 1), DilationHeight = t.Int(6, 1),
            },
            Pool2DOptions.Tag => new Pool2DOptions
            {
                Padding = (Padding)t.Byte(0), StrideWidth = t.Int(1), StrideHeight = t.Int(2), FilterWidth = t.Int(3), FilterHeight = t.Int(4),
                Activation = (FusedActivation)t.Byte(5),
            },
            FullyConnectedOptions.Tag => new FullyConnectedOptions
            {
                Activation = (FusedActivation)t.Byte(0), WeightsFormat = t.Byte(1), KeepNumDims = t.Bool(2),
                AsymmetricQuantizeInputs = t.Bool(3), QuantizedBiasType = (TensorType)t.SByte(4),
            },
            SoftmaxOptions.Tag => new SoftmaxOptions { Beta = t.Float(0) },
            ConcatenationOptions.Tag => new ConcatenationOptions { Axis = t.Int(0), Activation = (FusedActivation)t.Byte(1) },
            AddOptions.Tag => new AddOptions { Activation = (FusedActivation)t.Byte(0), PotScaleInt16 = t.Bool(1, true) },
            SubOptions.Tag => new SubOptions { Activation = (FusedActivation)t.Byte(0), PotScaleInt16 = t.Bool(1, true) },
            MulOptions.Tag => new MulOptions { Activation = (FusedActivation)t.Byte(0) },
            L2NormOptions.Tag => new L2NormOptions { Activation = (FusedActivation)t.Byte(0) },
            ReshapeOptions.Tag => new ReshapeOptions { NewShape = t.Has(0) ? t.Vector<int>(0) : null },
            SqueezeOptions.Tag => new SqueezeOptions { SqueezeDims = t.Has(0) ? t.Vector<int>(0) : null },
            ReducerOptions.Tag => new ReducerOptions { KeepDims = t.Bool(0) },
            ResizeBilinearOptions.Tag => new ResizeBilinearOptions { AlignCorners = t.Bool(2), HalfPixelCenters = t.Bool(3) },
            ResizeNearestNeighborOptions.Tag => new ResizeNearestNeighborOptions { AlignCorners = t.Bool(0), HalfPixelCenters = t.Bool(1) },
            StridedSliceOptions.Tag => new StridedSliceOptions
            {
                BeginMask = t.Int(0), EndMask = t.Int(1), EllipsisMask = t.Int(2), NewAxisMask = t.Int(3), ShrinkAxisMask = t.Int(4), Offset = t.Bool(5),
            },
            SplitOptions.Tag => new SplitOptions { NumSplits = t.Int(0) },
            MirrorPadOptions.Tag => new MirrorPadOptions { Mode = t.Byte(0) },
            TransposeConvOptions.Tag => new TransposeConvOptions
            {
                Padding = (Padding)t.Byte(0), StrideWidth = t.Int(1), StrideHeight = t.Int(2), Activation = (FusedActivation)t.Byte(3),
                QuantizedBiasType = (TensorType)t.SByte(4),
            },
            LeakyReluOptions.Tag => new LeakyReluOptions { Alpha = t.Float(0) },
            GatherOptions.Tag => new GatherOptions { Axis = t.Int(0), BatchDims = t.Int(1) },
            _ when !HasAnyField(t) => new EmptyOptions(type),
            _ => throw new NotSupportedException(
                $"{context}: builtin options type {type} of {op.Code.Name} is not supported by DeepLite.Modeling, so the operator cannot be copied."),
        };
    }

    /// <summary>True when the table stores at least one field (its vtable has a non-zero slot).</summary>
    private static bool HasAnyField(FlatTable table)
    {
        if (table.IsEmpty) return false;
        for (int field = 0; field < 64; field++)
        {
            if (table.Has(field)) return true;
        }
        return false;
    }

    /// <summary>Writes an enum or bool field only when it differs from the schema default.</summary>
    private protected static void Byte(TableBuilder t, int slot, byte value, byte defaultValue = 0)
    {
        if (value != defaultValue) t.Byte(slot, value);
    }

    private protected static void Int(TableBuilder t, int slot, int value, int defaultValue = 0)
    {
        if (value != defaultValue) t.Int(slot, value);
    }
}

/// <summary>An options table with no fields (e.g. <c>PadOptions</c>, <c>DequantizeOptions</c>,
/// <c>QuantizeOptions</c>), or any options table a model stores with no field set.</summary>
public sealed record EmptyOptions(byte Type) : OperatorOptions
{
    /// <summary><c>PadOptions</c>.</summary>
    public static EmptyOptions Pad { get; } = new(22);
    /// <summary><c>DequantizeOptions</c>.</summary>
    public static EmptyOptions Dequantize { get; } = new(38);
    /// <summary><c>QuantizeOptions</c>.</summary>
    public static EmptyOptions Quantize { get; } = new(89);

    public override byte UnionType => Type;
    internal override void Write(TableBuilder table) { }
}

/// <summary>CONV_2D options. Strides and dilations in elements.</summary>
public sealed record Conv2DOptions : OperatorOptions
{
    internal const byte Tag = 1;
    public override byte UnionType => Tag;
    public Padding Padding { get; init; }
    public int StrideWidth { get; init; } = 1;
    public int StrideHeight { get; init; } = 1;
    public FusedActivation Activation { get; init; }
    public int DilationWidth { get; init; } = 1;
    public int DilationHeight { get; init; } = 1;
    /// <summary>Bias and accumulator type of quantized versions ≥ 8; Float32 (0) = unset.</summary>
    public TensorType QuantizedBiasType { get; init; }

    internal override void Write(TableBuilder t)
    {
        Byte(t, 0, (byte)Padding); Int(t, 1, StrideWidth); Int(t, 2, StrideHeight); Byte(t, 3, (byte)Activation);
        Int(t, 4, DilationWidth, 1); Int(t, 5, DilationHeight, 1); Byte(t, 6, (byte)QuantizedBiasType);
    }
}

/// <summary>DEPTHWISE_CONV_2D options.</summary>
public sealed record DepthwiseConv2DOptions : OperatorOptions
{
    internal const byte Tag = 2;
    public override byte UnionType => Tag;
    public Padding Padding { get; init; }
    public int StrideWidth { get; init; } = 1;
    public int StrideHeight { get; init; } = 1;
    /// <summary>Output channels per input channel.</summary>
    public int DepthMultiplier { get; init; } = 1;
    public FusedActivation Activation { get; init; }
    public int DilationWidth { get; init; } = 1;
    public int DilationHeight { get; init; } = 1;

    internal override void Write(TableBuilder t)
    {
        Byte(t, 0, (byte)Padding); Int(t, 1, StrideWidth); Int(t, 2, StrideHeight); Int(t, 3, DepthMultiplier);
        Byte(t, 4, (byte)Activation); Int(t, 5, DilationWidth, 1); Int(t, 6, DilationHeight, 1);
    }
}

/// <summary>AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D options.</summary>
public sealed record Pool2DOptions : OperatorOptions
{
    internal const byte Tag = 5;
    public override byte UnionType => Tag;
    public Padding Padding { get; init; }
    public int StrideWidth { get; init; } = 1;
    public int StrideHeight { get; init; } = 1;
    public int FilterWidth { get; init; } = 1;
    public int FilterHeight { get; init; } = 1;
    public FusedActivation Activation { get; init; }

    internal override void Write(TableBuilder t)
    {
        Byte(t, 0, (byte)Padding); Int(t, 1, StrideWidth); Int(t, 2, StrideHeight); Int(t, 3, FilterWidth); Int(t, 4, FilterHeight);
        Byte(t, 5, (byte)Activation);
    }
}

/// <summary>FULLY_CONNECTED options.</summary>
public sealed record FullyConnectedOptions : OperatorOptions
{
    internal const byte Tag = 8;
    public override byte UnionType => Tag;
    public FusedActivation Activation { get; init; }
    /// <summary>0 = DEFAULT, 1 = SHUFFLED4x16INT8.</summary>
    public byte WeightsFormat { get; init; }
    public bool KeepNumDims { get; init; }
    public bool AsymmetricQuantizeInputs { get; init; }
    /// <summary>Bias and accumulator type of quantized versions ≥ 11; Float32 (0) = unset.</summary>
    public TensorType QuantizedBiasType { get; init; }

    internal override void Write(TableBuilder t)
    {
        Byte(t, 0, (byte)Activation); Byte(t, 1, WeightsFormat); Byte(t, 2, KeepNumDims ? (byte)1 : (byte)0);
        Byte(t, 3, AsymmetricQuantizeInputs ? (byte)1 : (byte)0); Byte(t, 4, (byte)QuantizedBiasType);
    }
}

/// <summary>SOFTMAX options: <c>softmax(beta * x)</c>.</summary>
public sealed record SoftmaxOptions : OperatorOptions
{
    internal const byte Tag = 9;
    public override byte UnionType => Tag;
    public float Beta { get; init; } = 1;

    internal override void Write(TableBuilder t)
    {
        if (BitConverter.SingleToInt32Bits(Beta) != 0) t.Float(0, Beta);
    }
}

/// <summary>CONCATENATION options.</summary>
public sealed record ConcatenationOptions : OperatorOptions
{
    internal const byte Tag = 10;
    public override byte UnionType => Tag;
    public int Axis { get; init; }
    public FusedActivation Activation { get; init; }

    internal override void Write(TableBuilder t)
    {
        Int(t, 0, Axis); Byte(t, 1, (byte)Activation);
    }
}

/// <summary>ADD options.</summary>
public sealed record AddOptions : OperatorOptions
{
    internal const byte Tag = 11;
    public override byte UnionType => Tag;
    public FusedActivation Activation { get; init; }
    /// <summary>int16 variant: power-of-two scales (schema default true).</summary>
    public bool PotScaleInt16 { get; init; } = true;

    internal override void Write(TableBuilder t)
    {
        Byte(t, 0, (byte)Activation); Byte(t, 1, PotScaleInt16 ? (byte)1 : (byte)0, 1);
    }
}

/// <summary>SUB options.</summary>
public sealed record SubOptions : OperatorOptions
{
    internal const byte Tag = 28;
    public override byte UnionType => Tag;
    public FusedActivation Activation { get; init; }
    /// <summary>int16 variant: power-of-two scales (schema default true).</summary>
    public bool PotScaleInt16 { get; init; } = true;

    internal override void Write(TableBuilder t)
    {
        Byte(t, 0, (byte)Activation); Byte(t, 1, PotScaleInt16 ? (byte)1 : (byte)0, 1);
    }
}

/// <summary>MUL options.</summary>
public sealed record MulOptions : OperatorOptions
{
    internal const byte Tag = 21;
    public override byte UnionType => Tag;
    public FusedActivation Activation { get; init; }
    internal override void Write(TableBuilder t) => Byte(t, 0, (byte)Activation);
}

/// <summary>L2_NORMALIZATION options.</summary>
public sealed record L2NormOptions : OperatorOptions
{
    internal const byte Tag = 12;
    public override byte UnionType => Tag;
    public FusedActivation Activation { get; init; }
    internal override void Write(TableBuilder t) => Byte(t, 0, (byte)Activation);
}

/// <summary>RESHAPE options; null <see cref="NewShape"/> = not stored (the shape comes from input 1).</summary>
public sealed record ReshapeOptions : OperatorOptions
{
    internal const byte Tag = 17;
    public override byte UnionType => Tag;
    public int[]? NewShape { get; init; }
    internal override void Write(TableBuilder t)
    {
        if (NewShape is not null) t.Vector<int>(0, NewShape);
    }
}

/// <summary>SQUEEZE options; null = not stored (all size-1 dimensions).</summary>
public sealed record SqueezeOptions : OperatorOptions
{
    internal const byte Tag = 30;
    public override byte UnionType => Tag;
    public int[]? SqueezeDims { get; init; }
    internal override void Write(TableBuilder t)
    {
        if (SqueezeDims is not null) t.Vector<int>(0, SqueezeDims);
    }
}

/// <summary>MEAN, SUM, REDUCE_MAX, ... options.</summary>
public sealed record ReducerOptions : OperatorOptions
{
    internal const byte Tag = 27;
    public override byte UnionType => Tag;
    public bool KeepDims { get; init; }
    internal override void Write(TableBuilder t) => Byte(t, 0, KeepDims ? (byte)1 : (byte)0);
}

/// <summary>RESIZE_BILINEAR options.</summary>
public sealed record ResizeBilinearOptions : OperatorOptions
{
    internal const byte Tag = 15;
    public override byte UnionType => Tag;
    public bool AlignCorners { get; init; }
    public bool HalfPixelCenters { get; init; }
    internal override void Write(TableBuilder t)
    {
        Byte(t, 2, AlignCorners ? (byte)1 : (byte)0); Byte(t, 3, HalfPixelCenters ? (byte)1 : (byte)0);
    }
}

/// <summary>RESIZE_NEAREST_NEIGHBOR options.</summary>
public sealed record ResizeNearestNeighborOptions : OperatorOptions
{
    internal const byte Tag = 74;
    public override byte UnionType => Tag;
    public bool AlignCorners { get; init; }
    public bool HalfPixelCenters { get; init; }
    internal override void Write(TableBuilder t)
    {
        Byte(t, 0, AlignCorners ? (byte)1 : (byte)0); Byte(t, 1, HalfPixelCenters ? (byte)1 : (byte)0);
    }
}

/// <summary>STRIDED_SLICE options (bit masks over dimensions).</summary>
public sealed record StridedSliceOptions : OperatorOptions
{
    internal const byte Tag = 32;
    public override byte UnionType => Tag;
    public int BeginMask { get; init; }
    public int EndMask { get; init; }
    public int EllipsisMask { get; init; }
    public int NewAxisMask { get; init; }
    public int ShrinkAxisMask { get; init; }
    public bool Offset { get; init; }
    internal override void Write(TableBuilder t)
    {
        Int(t, 0, BeginMask); Int(t, 1, EndMask); Int(t, 2, EllipsisMask); Int(t, 3, NewAxisMask); Int(t, 4, ShrinkAxisMask);
        Byte(t, 5, Offset ? (byte)1 : (byte)0);
    }
}

/// <summary>SPLIT options.</summary>
public sealed record SplitOptions : OperatorOptions
{
    internal const byte Tag = 35;
    public override byte UnionType => Tag;
    public int NumSplits { get; init; }
    internal override void Write(TableBuilder t) => Int(t, 0, NumSplits);
}

/// <summary>MIRROR_PAD options: 0 = REFLECT, 1 = SYMMETRIC.</summary>
public sealed record MirrorPadOptions : OperatorOptions
{
    internal const byte Tag = 77;
    public override byte UnionType => Tag;
    public byte Mode { get; init; }
    internal override void Write(TableBuilder t) => Byte(t, 0, Mode);
}

/// <summary>TRANSPOSE_CONV options.</summary>
public sealed record TransposeConvOptions : OperatorOptions
{
    internal const byte Tag = 49;
    public override byte UnionType => Tag;
    public Padding Padding { get; init; }
    public int StrideWidth { get; init; } = 1;
    public int StrideHeight { get; init; } = 1;
    public FusedActivation Activation { get; init; }
    public TensorType QuantizedBiasType { get; init; }
    internal override void Write(TableBuilder t)
    {
        Byte(t, 0, (byte)Padding); Int(t, 1, StrideWidth); Int(t, 2, StrideHeight); Byte(t, 3, (byte)Activation); Byte(t, 4, (byte)QuantizedBiasType);
    }
}

/// <summary>LEAKY_RELU options.</summary>
public sealed record LeakyReluOptions : OperatorOptions
{
    internal const byte Tag = 75;
    public override byte UnionType => Tag;
    public float Alpha { get; init; }
    internal override void Write(TableBuilder t)
    {
        if (BitConverter.SingleToInt32Bits(Alpha) != 0) t.Float(0, Alpha);
    }
}

/// <summary>GATHER options.</summary>
public sealed record GatherOptions : OperatorOptions
{
    internal const byte Tag = 23;
    public override byte UnionType => Tag;
    public int Axis { get; init; }
    public int BatchDims { get; init; }
    internal override void Write(TableBuilder t)
    {
        Int(t, 0, Axis); Int(t, 1, BatchDims);
    }
}
