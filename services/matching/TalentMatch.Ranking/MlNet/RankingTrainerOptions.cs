namespace TalentMatch.Ranking.MlNet;

/// <summary>Which ML.NET ranking trainer fits the trees.</summary>
public enum RankingTrainerKind
{
    /// <summary>ML.NET's <c>Ranking.Trainers.LightGbm</c> (native LightGBM, lambdarank): the platform's trainer.</summary>
    LightGbm,

    /// <summary>ML.NET's <c>Ranking.Trainers.FastTree</c> (managed LambdaMART), kept selectable for comparison.</summary>
    FastTree,
}

/// <summary>Hyper-parameters of <see cref="MlNetRankingTrainer"/>, named once for both ML.NET trainers.</summary>
public sealed record RankingTrainerOptions
{
    public RankingTrainerKind Trainer { get; init; } = RankingTrainerKind.LightGbm;

    /// <summary>Boosting rounds (trees). With early stopping this is the maximum.</summary>
    public int NumberOfTrees { get; init; } = 100;

    /// <summary>Maximum leaves per tree.</summary>
    public int NumberOfLeaves { get; init; } = 31;

    /// <summary>Shrinkage applied to every tree.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Minimum training rows in a leaf (LightGBM's default is 20; 10 suits the loop's small groups).</summary>
    public int MinRowsPerLeaf { get; init; } = 10;

    /// <summary>L2 regularisation of leaf values (LightGBM's lambda_l2; FastTree has none and ignores it).</summary>
    public double L2 { get; init; }

    /// <summary>Fraction of rows used per tree (bagging every round when below 1), in (0, 1].</summary>
    public double RowSubsample { get; init; } = 1.0;

    /// <summary>Fraction of features considered per tree, in (0, 1].</summary>
    public double FeatureSubsample { get; init; } = 1.0;

    /// <summary>Maximum histogram bins per feature.</summary>
    public int MaxBins { get; init; } = 255;

    /// <summary>With a validation set: stop when its NDCG has not improved for this many rounds (0 = off).</summary>
    public int EarlyStoppingRounds { get; init; }

    /// <summary>Seed of bagging and feature sampling.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Worker threads. Default: all cores.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    internal void Validate()
    {
        static void Check(bool ok, string name, object value)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}.");
        }

        Check(Enum.IsDefined(Trainer), nameof(Trainer), Trainer);
        Check(NumberOfTrees >= 1, nameof(NumberOfTrees), NumberOfTrees);
        Check(NumberOfLeaves >= 2 && NumberOfLeaves <= 131_072, nameof(NumberOfLeaves), NumberOfLeaves);
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate);
        Check(MinRowsPerLeaf >= 1, nameof(MinRowsPerLeaf), MinRowsPerLeaf);
        Check(L2 >= 0 && double.IsFinite(L2), nameof(L2), L2);
        Check(RowSubsample > 0 && RowSubsample <= 1, nameof(RowSubsample), RowSubsample);
        Check(FeatureSubsample > 0 && FeatureSubsample <= 1, nameof(FeatureSubsample), FeatureSubsample);
        Check(MaxBins >= 2, nameof(MaxBins), MaxBins);
        Check(EarlyStoppingRounds >= 0, nameof(EarlyStoppingRounds), EarlyStoppingRounds);
        Check(Threads >= 1, nameof(Threads), Threads);
    }
}
