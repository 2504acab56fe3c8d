using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/TalentMatch.Benchmarks -- --filter '*'  (add --job short for a quick run)
BenchmarkSwitcher.FromAssembly(typeof(TalentMatch.Benchmarks.ShortlistBenchmarks).Assembly).Run(args);

public partial class Program;
