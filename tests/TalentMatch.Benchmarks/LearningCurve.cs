using System.Diagnostics;
using System.Globalization;
using TalentMatch.Matching.Learning;
using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.MlNet;
using TalentMatch.Seeds;

namespace TalentMatch.Benchmarks;

/// <summary>
/// The learning loop's learning curve: held-out NDCG@10 of a challenger trained on N labelled decisions against the
/// baseline's, with the loop's own split and trainer settings, on synthetic history through the live feature code.
/// </summary>
public static class LearningCurve
{
    public static readonly int[] Sizes = [500, 1_000, 2_000, 4_000];
    public const int Repeats = 5;

    public static void Run(string[] args)
    {
        var options = new LearningOptions();
        // A pool larger than the biggest size: 150 decisions per seed position.
        var pool = ModelTrainer.SyntheticRows(options.ColdStart, new SyntheticHistoryOptions { Seed = options.ColdStart.Seed, RelatedPerPosition = 120, RandomPerPosition = 30 });
        Console.WriteLine($"# pool {pool.Count} decisions over {pool.Select(r => r.PositionId).Distinct().Count()} positions");
        Console.WriteLine("decisions,repeat,trainer_ndcg10,baseline_ndcg10,train_seconds");
        foreach (var n in Sizes)
        {
            for (var repeat = 0; repeat < Repeats; repeat++)
            {
                var sample = pool.OrderBy(_ => 0).ToList();
                var rng = new Random(1000 * n + repeat);
                for (var i = sample.Count - 1; i > 0; i--) { var j = rng.Next(i + 1); (sample[i], sample[j]) = (sample[j], sample[i]); }
                sample = sample.Take(n).ToList();
                var split = TrainingData.Split(sample, options.HeldOutFraction);
                var clock = Stopwatch.StartNew();
                var model = Train(split.Train, options);
                var seconds = clock.Elapsed.TotalSeconds;
                var held = split.HeldOut;
                double Ndcg(double[] s) => RankingEvaluation.MeanNdcg(held.Labels, s, held.GroupBoundaries, 10);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{n},{repeat},{Ndcg(model.Score(held)):F4},{Ndcg(split.HeldOutBaseline):F4},{seconds:F3}"));
            }
        }
    }

    /// <summary>The cold start's own work (synthetic history, features, split, training, held-out scoring), timed.</summary>
    public static void ColdStart(string[] args)
    {
        var profiles = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3000;
        var options = new LearningOptions { ColdStart = new ColdStartOptions { Profiles = profiles } };
        if (args.Length > 1) options.Threads = int.Parse(args[1], CultureInfo.InvariantCulture);
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            var rows = ModelTrainer.SyntheticRows(options.ColdStart);
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
