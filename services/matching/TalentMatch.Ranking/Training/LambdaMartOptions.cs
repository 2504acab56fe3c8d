namespace TalentMatch.Ranking.Training;

/// <summary>Hyper-parameters of <see cref="LambdaMartTrainer"/>. Defaults follow LightGBM's lambdarank where sensible.</summary>
public sealed record LambdaMartOptions
{
    /// <summary>Boosting rounds (trees). With early stopping this is the maximum.</summary>
    public int NumberOfTrees { get; init; } = 100;

    /// <summary>Maximum leaves per tree (leaf-wise, best-first growth).</summary>
    public int NumberOfLeaves { get; init; } = 31;

    /// <summary>Maximum depth (0 = unlimited; leaf-wise growth is bounded by <see cref="NumberOfLeaves"/>).</summary>
    public int MaxDepth { get; init; }

    /// <summary>Shrinkage applied to every leaf value.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Minimum training rows in a leaf (LightGBM uses 20; 10 did better on the LETOR sample and suits small groups).</summary>
    public int MinRowsPerLeaf { get; init; } = 10;

    /// <summary>Minimum sum of hessians in a leaf (XGBoost's min_child_weight, LightGBM's min_sum_hessian_in_leaf).</summary>
    public double MinHessianPerLeaf { get; init; } = 1e-3;

    /// <summary>L2 regularisation on leaf values (XGBoost's lambda, LightGBM's lambda_l2).</summary>
    public double L2 { get; init; }

    /// <summary>Minimum gain to make a split.</summary>
    public double MinSplitGain { get; init; }

    /// <summary>Maximum histogram bins per feature (2..255); missing values (NaN) get one extra bin.</summary>
    public int MaxBins { get; init; } = 255;

    /// <summary>Rows sampled to find bin boundaries (0 = all rows).</summary>
    public int BinSampleRows { get; init; } = 50_000;

    /// <summary>Fraction of rows used per tree (bagging), in (0, 1].</summary>
    public double RowSubsample { get; init; } = 1.0;

    /// <summary>Fraction of features considered per tree, in (0, 1].</summary>
    public double FeatureSubsample { get; init; } = 1.0;

    /// <summary>
    /// Lambda truncation (LightGBM's lambdarank_truncation_level): only pairs whose higher-ranked item is in the current
    /// top-k contribute. 0 = all pairs.
    /// </summary>
    public int LambdaTruncation { get; init; } = 30;

    /// <summary>
    /// k of the NDCG@k validation metric used for early stopping (0 = the whole list). Pair weights are normalised by
    /// the ideal DCG at <see cref="LambdaTruncation"/>, as LightGBM.
    /// </summary>
    public int EvalAt { get; init; } = 10;

    /// <summary>Normalise lambdas per query (LightGBM's lambdarank_norm).</summary>
    public bool NormalizeLambdas { get; init; } = true;

    /// <summary>Sigmoid steepness of the pairwise logistic loss.</summary>
    public double Sigmoid { get; init; } = 1.0;

    /// <summary>Stop when the validation NDCG@<see cref="EvalAt"/> has not improved for this many rounds (0 = off).</summary>
    public int EarlyStoppingRounds { get; init; } = 10;

    /// <summary>Seed for row/feature subsampling and bin sampling. Training is deterministic for a seed and thread count.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Worker threads (histograms, lambdas, split search). Default: all cores.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    internal void Validate()
    {
        static void Check(bool ok, string name, object value) { if (!ok) throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}."); }
        Check(NumberOfTrees >= 1, nameof(NumberOfTrees), NumberOfTrees);
        Check(NumberOfLeaves >= 2 && NumberOfLeaves <= 1 << 16, nameof(NumberOfLeaves), NumberOfLeaves);
        Check(MaxDepth >= 0, nameof(MaxDepth), MaxDepth);
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate);
        Check(MinRowsPerLeaf >= 1, nameof(MinRowsPerLeaf), MinRowsPerLeaf);
        Check(MinHessianPerLeaf >= 0, nameof(MinHessianPerLeaf), MinHessianPerLeaf);
        Check(L2 >= 0, nameof(L2), L2);
        Check(MinSplitGain >= 0, nameof(MinSplitGain), MinSplitGain);
        Check(MaxBins >= 2 && MaxBins <= 255, nameof(MaxBins), MaxBins);
        Check(BinSampleRows >= 0, nameof(BinSampleRows), BinSampleRows);
        Check(RowSubsample > 0 && RowSubsample <= 1, nameof(RowSubsample), RowSubsample);
        Check(FeatureSubsample > 0 && FeatureSubsample <= 1, nameof(FeatureSubsample), FeatureSubsample);
        Check(LambdaTruncation >= 0, nameof(LambdaTruncation), LambdaTruncation);
        Check(EvalAt >= 0, nameof(EvalAt), EvalAt);
        Check(Sigmoid > 0, nameof(Sigmoid), Sigmoid);
        Check(EarlyStoppingRounds >= 0, nameof(EarlyStoppingRounds), EarlyStoppingRounds);
        Check(Threads >= 1, nameof(Threads), Threads);
    }
}
