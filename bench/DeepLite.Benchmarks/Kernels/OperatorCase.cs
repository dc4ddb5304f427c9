namespace DeepLite.Benchmarks.Kernels;

/// <summary>A kernel benchmark case: an operator at one MobileNet layer's shape and data type, built on demand
/// (BenchmarkDotNet creates the cases in its host process too, where nothing is run).</summary>
public sealed class OperatorCase : IWorkload
{
    private readonly Func<PreparedOperator> _build;

    internal OperatorCase(string name, long multiplyAccumulates, long bytesTouched, Func<PreparedOperator> build)
    {
        Name = name;
        MultiplyAccumulates = multiplyAccumulates;
        BytesTouched = bytesTouched;
        _build = build;
    }

    /// <summary>Shape and type, e.g. <c>1x1/1 56x56x24-&gt;144 QU8</c>: kernel size/stride, input height x width x channels -&gt; output channels.</summary>
    public string Name { get; }
    public long MultiplyAccumulates { get; }
    public long BytesTouched { get; }

    public PreparedOperator Prepare() => _build();

    public override string ToString() => Name;
}

/// <summary>The base of the per-operator benchmark classes: each declares <c>public static IEnumerable&lt;OperatorCase&gt; Cases()</c>;
/// setup prepares the case's operator once, and the benchmark is one <see cref="PreparedOperator.Eval"/>.</summary>
public abstract class OperatorBenchmark
{
    private PreparedOperator? _operator;

    [BenchmarkDotNet.Attributes.ParamsSource("Cases")]
    public OperatorCase Case { get; set; } = null!;

    [BenchmarkDotNet.Attributes.GlobalSetup]
    public void Setup() => _operator = Case.Prepare();

    [BenchmarkDotNet.Attributes.Benchmark]
    public void Eval() => _operator!.Eval();
}
