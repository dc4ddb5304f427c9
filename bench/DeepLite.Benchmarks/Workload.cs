using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DeepLite.Benchmarks;

/// <summary>The work one benchmark invocation does; a benchmark parameter implementing it gets the
/// <see cref="WorkloadColumn"/> rates in the summary.</summary>
public interface IWorkload
{
    /// <summary>Multiply-accumulates per invocation (0 for operators that do none, such as ADD or pooling).</summary>
    long MultiplyAccumulates { get; }

    /// <summary>Bytes the invocation must at least read and write: inputs, weights, bias and outputs once each (0 when not stated).</summary>
    long BytesTouched { get; }
}

/// <summary>
/// A summary column dividing a <see cref="IWorkload"/> figure by the benchmark's mean time:
/// <c>GMAC/s = MultiplyAccumulates / mean ns</c> and <c>GB/s = BytesTouched / mean ns</c> (a count per
/// nanosecond is that count ×10^9 per second). Cases without the figure show "-".
/// </summary>
public sealed class WorkloadColumn : IColumn
{
    private readonly Func<IWorkload, long> _amount;

    private WorkloadColumn(string name, string legend, Func<IWorkload, long> amount)
    {
        ColumnName = name;
        Legend = legend;
        _amount = amount;
    }

    public static WorkloadColumn GigaMacsPerSecond { get; } =
        new("GMAC/s", "Multiply-accumulates per invocation / mean time, in 10^9 per second", w => w.MultiplyAccumulates);

    public static WorkloadColumn GigabytesPerSecond { get; } =
        new("GB/s", "Inputs + weights + outputs bytes per invocation / mean time, in 10^9 bytes per second", w => w.BytesTouched);

    public string Id => nameof(WorkloadColumn) + "." + ColumnName;
    public string ColumnName { get; }
    public string Legend { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var workload = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IWorkload>().FirstOrDefault();
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (workload is null || meanNanoseconds is not > 0 || _amount(workload) == 0) return "-";
        return (_amount(workload) / meanNanoseconds.Value).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
