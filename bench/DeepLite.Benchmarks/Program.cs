using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using DeepLite.Benchmarks;
using DeepLite.Benchmarks.Peers;

// `peers ...` compares whole-model latency with other engines; anything else goes to BenchmarkDotNet,
// with the GMAC/s and GB/s columns, case names shown in full, and time to build the benchmark
// process on a machine busy with other builds (the default, 2 minutes, is not always enough).
if (args is ["peers", .. var peerArgs]) return PeersMode.Run(peerArgs, Console.Out, Console.Error);
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddColumn(WorkloadColumn.GigaMacsPerSecond, WorkloadColumn.GigabytesPerSecond)
    .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
    .WithBuildTimeout(TimeSpan.FromMinutes(10));
BenchmarkSwitcher.FromAssembly(typeof(WorkloadColumn).Assembly).Run(args, config);
return 0;
