using System.Diagnostics;
using System.Globalization;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Synthetic;
using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.MlNet;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

namespace TalentMatch.Benchmarks;

/// <summary>
/// The learning loop's learning curve: held-out NDCG@10 of a challenger trained on N labelled decisions against the
/// baseline's, with the loop's own split and trainer settings, on synthetic history through the live feature code.
/// </summary>
public static class LearningCurve
{
    public static readonly int[] Sizes = [500, 1_000, 2_000, 4_000];
    public const int Repeats = 5;

    /// <summary>
    /// Prints the curve as CSV; with <c>--history FILE</c> (the retired trainer's CSV) and <c>--png FILE</c> also draws
    /// the three curves (this trainer, the retired one, the baseline) and prints a Markdown table of the means.
    /// </summary>
    public static void Run(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var options = new LearningOptions();
        // A pool larger than the biggest size: 150 decisions per seed position.
        var pool = ColdStartHistoryGenerator.Rows(ColdStartHistoryGenerator.DefaultProfiles, ColdStartHistoryGenerator.DefaultSeed, new SyntheticHistoryOptions { Seed = ColdStartHistoryGenerator.DefaultSeed, RelatedPerPosition = 120, RandomPerPosition = 30 });
        Console.WriteLine($"# pool {pool.Count} decisions over {pool.Select(r => r.PositionId).Distinct().Count()} positions");
        Console.WriteLine("decisions,repeat,trainer_ndcg10,baseline_ndcg10,train_seconds");
        var results = new List<(int N, double Model, double Baseline)>();
        foreach (var n in Sizes)
        {
            for (var repeat = 0; repeat < Repeats; repeat++)
            {
                var sample = pool.ToList();
                var rng = new Random(1000 * n + repeat);
                for (var i = sample.Count - 1; i > 0; i--) { var j = rng.Next(i + 1); (sample[i], sample[j]) = (sample[j], sample[i]); }
                sample = sample.Take(n).ToList();
                var split = TrainingData.Split(sample, options.HeldOutFraction);
                var clock = Stopwatch.StartNew();
                var model = Train(split.Train, options);
                var seconds = clock.Elapsed.TotalSeconds;
                var held = split.HeldOut;
                double Ndcg(double[] s) => RankingEvaluation.MeanNdcg(held.Labels, s, held.GroupBoundaries, 10);
                var (m, b) = (Ndcg(model.Score(held)), Ndcg(split.HeldOutBaseline));
                results.Add((n, m, b));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n},{repeat},{m:F4},{b:F4},{seconds:F3}"));
            }
        }

        if (Arg("--history") is { } historyFile && Arg("--png") is { } png)
        {
            var history = File.ReadLines(historyFile).Where(l => l.Length > 0 && char.IsDigit(l[0])).Select(l => l.Split(','))
                .Select(c => (N: int.Parse(c[0], CultureInfo.InvariantCulture), Model: double.Parse(c[2], CultureInfo.InvariantCulture))).ToList();
            double[] Mean(Func<int, IEnumerable<double>> values) => Sizes.Select(n => values(n).Average()).ToArray();
            var lightGbm = Mean(n => results.Where(r => r.N == n).Select(r => r.Model));
            var retired = Mean(n => history.Where(r => r.N == n).Select(r => r.Model));
            var baseline = Mean(n => results.Where(r => r.N == n).Select(r => r.Baseline));
            Plot(png, lightGbm, retired, baseline);
            Console.WriteLine();
            Console.WriteLine($"| labelled decisions | ML.NET LightGBM | retired LambdaMART | baseline |");
            Console.WriteLine("|---|---|---|---|");
            for (var i = 0; i < Sizes.Length; i++)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {Sizes[i]:N0} | {lightGbm[i]:F3} | {retired[i]:F3} | {baseline[i]:F3} |"));
        }
    }

    private static void Plot(string path, double[] lightGbm, double[] retired, double[] baseline)
    {
        var xs = Sizes.Select(n => (double)n).ToArray();
        var plot = new ScottPlot.Plot();
        var a = plot.Add.Scatter(xs, lightGbm);
        a.LegendText = "ML.NET LightGBM (the platform's trainer)";
        var b = plot.Add.Scatter(xs, retired);
        b.LegendText = "retired in-house LambdaMART";
        b.LinePattern = ScottPlot.LinePattern.Dashed;
        var c = plot.Add.Scatter(xs, baseline);
        c.LegendText = "baseline scorer";
        c.LinePattern = ScottPlot.LinePattern.Dotted;
        plot.Title($"Learning loop: held-out NDCG@10 (mean of {Repeats} samples)");
        plot.XLabel("labelled decisions");
        plot.YLabel("held-out NDCG@10");
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 800, 480);
    }

    /// <summary>The cold start's own work (synthetic history, features, split, training, held-out scoring), timed.</summary>
    public static void ColdStart(string[] args)
    {
        var profiles = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3000;
        var options = new LearningOptions();
        if (args.Length > 1) options.Threads = int.Parse(args[1], CultureInfo.InvariantCulture);
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            var rows = ColdStartHistoryGenerator.Rows(profiles);
            var history = clock.Elapsed.TotalSeconds;
            var split = TrainingData.Split(rows, options.HeldOutFraction);
            var model = Train(split.Train, options);
            var ndcg = RankingEvaluation.MeanNdcg(split.HeldOut.Labels, model.Score(split.HeldOut), split.HeldOut.GroupBoundaries, 10);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cold start {profiles} profiles: {rows.Count} rows, history {history:F2} s, total {clock.Elapsed.TotalSeconds:F2} s, held-out NDCG@10 {ndcg:F4}"));
        }
    }

    private static RankingModel Train(RankingDataset train, LearningOptions options) =>
        new MlNetRankingTrainer(options.TrainerOptions()).Train(train).Model;
}
