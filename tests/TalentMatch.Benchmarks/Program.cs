using BenchmarkDotNet.Running;

if (args.FirstOrDefault() == "learning-curve")
{
    TalentMatch.Benchmarks.LearningCurve.Run(args[1..]);
    return;
}

if (args.FirstOrDefault() == "cold-start-history")
{
    // Regenerates the cold-start history matching embeds: ... -- cold-start-history services/matching/TalentMatch.Matching/Learning/cold-start-history.json.gz
    using var file = File.Create(args[1]);
    TalentMatch.Matching.Synthetic.ColdStartHistoryGenerator.Generate().Write(file);
    Console.WriteLine($"wrote {args[1]} ({file.Length:N0} bytes)");
    return;
}

if (args.FirstOrDefault() == "cold-start")
{
    TalentMatch.Benchmarks.LearningCurve.ColdStart(args[1..]);
    return;
}

// In process: the benchmarks reference the matching service, whose web dependencies BenchmarkDotNet's generated
// out-of-process project cannot restore here (package downgrade without the ASP.NET Core framework reference).
var arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(TalentMatch.Benchmarks.ShortlistBenchmarks).Assembly).Run(arguments);
