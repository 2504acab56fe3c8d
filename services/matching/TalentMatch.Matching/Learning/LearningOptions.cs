using TalentMatch.Ranking.MlNet;

namespace TalentMatch.Matching.Learning;

/// <summary>Configuration section <c>Learning</c>.</summary>
public sealed class LearningOptions
{
    public const string Section = "Learning";

    /// <summary>A challenger is promoted only if its held-out NDCG@10 is at least the champion's plus this.</summary>
    public double PromotionMargin { get; set; } = 0.005;

    /// <summary>How often the automatic retrainer counts new labels.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retrain automatically once this many matches were decided since the newest registered model.</summary>
    public int RetrainAfterLabels { get; set; } = 200;

    /// <summary>Whether the automatic retrainer runs at all.</summary>
    public bool AutoRetrain { get; set; } = true;

    /// <summary>Fewest labelled matches a retraining needs.</summary>
    public int MinLabels { get; set; } = 50;

    /// <summary>Fewest positions with labelled matches a retraining needs (some are held out for evaluation).</summary>
    public int MinGroups { get; set; } = 4;

    /// <summary>Share of positions held out for evaluation (chosen by a hash of the position id, at least one).</summary>
    public double HeldOutFraction { get; set; } = 0.25;

    public int Trees { get; set; } = 100;
    public int Leaves { get; set; } = 15;
    public int MinRowsPerLeaf { get; set; } = 5;
    public double LearningRate { get; set; } = 0.1;
    /// <summary>
    /// LightGBM's threads. One: the loop's sets are a few thousand rows, and LightGBM's OpenMP workers spin while they
    /// wait, which on a machine shared with PostgreSQL and RabbitMQ made a 2-thread cold start 10-50× slower.
    /// </summary>
    public int Threads { get; set; } = 1;
    public int Seed { get; set; } = 42;

    /// <summary>ML.NET's ranking trainer: <c>LightGbm</c> (the platform's) or <c>FastTree</c> (for comparison).</summary>
    public RankingTrainerKind Trainer { get; set; } = RankingTrainerKind.LightGbm;

    public ColdStartOptions ColdStart { get; set; } = new();

    public RankingTrainerOptions TrainerOptions() => new()
    {
        Trainer = Trainer,
        NumberOfTrees = Trees,
        NumberOfLeaves = Leaves,
        MinRowsPerLeaf = MinRowsPerLeaf,
        LearningRate = LearningRate,
        Threads = Math.Max(1, Math.Min(Threads, Environment.ProcessorCount)),
        Seed = Seed,
    };
}

/// <summary>Configuration section <c>Learning:ColdStart</c>: the first model, from the embedded synthetic history.</summary>
public sealed class ColdStartOptions
{
    /// <summary>Train a first model at start-up when the registry has no champion.</summary>
    public bool Enabled { get; set; } = true;
}
