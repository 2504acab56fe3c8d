using BenchmarkDotNet.Running;

// In process: the benchmarks reference the matching service, whose web dependencies BenchmarkDotNet's generated
// out-of-process project cannot restore here (package downgrade without the ASP.NET Core framework reference).
var arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(TalentMatch.Benchmarks.ShortlistBenchmarks).Assembly).Run(arguments);
