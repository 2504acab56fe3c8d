using System.Diagnostics;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.Model;
using MlTree = Microsoft.ML.Trainers.FastTree.RegressionTree;

namespace TalentMatch.Ranking.MlNet;

/// <summary>
/// A model trained by ML.NET: the platform's model (flattened inference, TreeSHAP, JSON with its schema) and ML.NET's
/// own model zip of the same trees, which a data scientist can open with <c>MLContext.Model.Load</c>.
/// </summary>
/// <param name="RowsSeen">Training rows that reached the trainer (a row with a missing group key would be dropped).</param>
/// <param name="GroupsSeen">Distinct groups among them.</param>
/// <param name="FitSeconds">ML.NET's <c>Fit</c> alone (the rest of the training time builds the data view, reads the trees and saves the zip).</param>
public sealed record MlNetTrainedModel(RankingModel Model, byte[] MlNetModelZip, int RowsSeen, int GroupsSeen, double FitSeconds);

/// <summary>
/// Trains a ranking model with ML.NET's LightGBM (or FastTree) ranking trainer on ML.NET's ranking shape (Label,
/// GroupId as a key, Features) and reads the trained ensemble into the platform's <see cref="RankingModel"/>.
/// Label gains are 2^label − 1, as the project's NDCG (ML.NET's default gains differ).
/// </summary>
public sealed class MlNetRankingTrainer
{
    /// <summary>The LightGBM native library version Microsoft.ML.LightGbm 5.0.1 ships with (pinned in Directory.Packages.props).</summary>
    public const string NativeLightGbmVersion = "4.6.0";

    private readonly RankingTrainerOptions _options;

    public MlNetRankingTrainer(RankingTrainerOptions? options = null)
    {
        _options = options ?? new RankingTrainerOptions();
        _options.Validate();
    }

    public RankingTrainerOptions Options => _options;

    /// <summary>The trainer's name as the registry records it.</summary>
    public static string TrainerName(RankingTrainerKind kind) => kind == RankingTrainerKind.LightGbm ? "ML.NET LightGBM" : "ML.NET FastTree";

    /// <summary>The trainer's library versions as the registry records them.</summary>
    public static string TrainerVersion(RankingTrainerKind kind) => kind == RankingTrainerKind.LightGbm
        ? $"Microsoft.ML.LightGbm {PackageVersion(typeof(LightGbmRankingTrainer))}, LightGBM {NativeLightGbmVersion}"
        : $"Microsoft.ML.FastTree {PackageVersion(typeof(FastTreeRankingTrainer))}";

    private static string PackageVersion(Type type) =>
        type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? type.Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Gains 2^label − 1 for labels 0..max(4, the largest label in the data).</summary>
    public static double[] LabelGains(params RankingDataset?[] sets)
    {
        var max = 4;
        foreach (var set in sets)
        {
            if (set is null) continue;
            foreach (var l in set.Labels)
            {
                if (l < 0 || l != MathF.Floor(l) || l > 30)
                    throw new ArgumentException($"Ranking labels must be whole numbers in 0..30; found {l}.");
                max = Math.Max(max, (int)l);
            }
        }

        return Enumerable.Range(0, max + 1).Select(l => Math.Pow(2, l) - 1).ToArray();
    }

    /// <summary>Trains on <paramref name="train"/>; with <paramref name="validation"/> and early stopping on, LightGBM stops on its NDCG.</summary>
    public MlNetTrainedModel Train(RankingDataset train, RankingDataset? validation = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (validation != null) ModelSchemaException.ThrowIfDifferent(train.FeatureNames, validation.FeatureNames);
        if (train.RowCount == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        var o = _options;
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(o.Seed);
        cancellationToken.ThrowIfCancellationRequested();

        // Group ids become keys through MapValueToKey, fitted on every id of both sets: a key type declared by hand
        // with count = groups made both trainers silently drop the last group (key 0 means missing).
        var trainView = RankingData.ToDataView(ml, train, groupOffset: 0);
        var validView = validation is null ? null : RankingData.ToDataView(ml, validation, groupOffset: train.GroupCount);
        var keys = RankingData.GroupKeys(ml, train.GroupCount + (validation?.GroupCount ?? 0));
        var toKey = ml.Transforms.Conversion.MapValueToKey(RankingData.GroupId, keyData: keys).Fit(trainView);
        var trainKeyed = toKey.Transform(trainView);
        var validKeyed = validView is null ? null : toKey.Transform(validView);
        var (rowsSeen, groupsSeen) = RankingData.CountKeyedRows(trainKeyed);

        var gains = LabelGains(train, validation);
        var fitClock = Stopwatch.StartNew();
        ITransformer fitted;
        TreeEnsemble<MlTree> ensemble;
        if (o.Trainer == RankingTrainerKind.LightGbm)
        {
            var trainer = ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
            {
                LabelColumnName = RankingData.Label,
                FeatureColumnName = RankingData.Features,
                RowGroupColumnName = RankingData.GroupId,
                NumberOfIterations = o.NumberOfTrees,
                NumberOfLeaves = o.NumberOfLeaves,
                LearningRate = o.LearningRate,
                MinimumExampleCountPerLeaf = o.MinRowsPerLeaf,
                MaximumBinCountPerFeature = o.MaxBins,
                NumberOfThreads = o.Threads,
                Seed = o.Seed,
                Deterministic = true,
                Silent = true,
                Verbose = false,
                UseCategoricalSplit = false,
                HandleMissingValue = true,
                UseZeroAsMissingValue = false,
                CustomGains = gains.Select(g => (int)g).ToArray(),
                EvaluationMetric = LightGbmRankingTrainer.Options.EvaluateMetricType.NormalizedDiscountedCumulativeGain,
                EarlyStoppingRound = validKeyed is null ? 0 : o.EarlyStoppingRounds,
                Booster = new GradientBooster.Options
                {
                    L2Regularization = o.L2,
                    SubsampleFraction = o.RowSubsample,
                    SubsampleFrequency = o.RowSubsample < 1 ? 1 : 0,
                    FeatureFraction = o.FeatureSubsample,
                },
            });
            var model = validKeyed is null ? trainer.Fit(trainKeyed) : trainer.Fit(trainKeyed, validKeyed);
            fitted = model;
            ensemble = model.Model.TrainedTreeEnsemble;
        }
        else
        {
            var trainer = ml.Ranking.Trainers.FastTree(new FastTreeRankingTrainer.Options
            {
                LabelColumnName = RankingData.Label,
                FeatureColumnName = RankingData.Features,
                RowGroupColumnName = RankingData.GroupId,
                NumberOfTrees = o.NumberOfTrees,
                NumberOfLeaves = o.NumberOfLeaves,
                LearningRate = o.LearningRate,
                MinimumExampleCountPerLeaf = o.MinRowsPerLeaf,
                MaximumBinCountPerFeature = o.MaxBins,
                NumberOfThreads = o.Threads,
                Seed = o.Seed,
                FeatureFraction = o.FeatureSubsample,
                BaggingSize = o.RowSubsample < 1 ? 1 : 0,
                BaggingExampleFraction = o.RowSubsample,
                CustomGains = gains,
            });
            var model = validKeyed is null ? trainer.Fit(trainKeyed) : trainer.Fit(trainKeyed, validKeyed);
            fitted = model;
            ensemble = model.Model.TrainedTreeEnsemble;
        }

        var fitSeconds = fitClock.Elapsed.TotalSeconds;
        byte[] zip;
        using (var stream = new MemoryStream())
        {
            ml.Model.Save(fitted, trainKeyed.Schema, stream);
            zip = stream.ToArray();
        }

        clock.Stop();
        var seconds = clock.Elapsed.TotalSeconds;
        var converted = MlNetTreeConverter.Convert(ensemble, train, new TrainingMetadata());
        double? validScore = validation is null ? null : RankingEvaluation.MeanNdcg(validation.Labels, converted.Score(validation), validation.GroupBoundaries, 10);
        var meta = new TrainingMetadata
        {
            Parameters = o,
            Trainer = TrainerName(o.Trainer),
            TrainerVersion = TrainerVersion(o.Trainer),
            Trees = converted.Trees.Count,
            Rows = rowsSeen,
            Groups = groupsSeen,
            Features = train.FeatureCount,
            BestIteration = converted.Trees.Count,
            ValidationMetric = validation is null ? null : "ndcg@10",
            ValidationScore = validScore,
            TrainSeconds = seconds,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        return new MlNetTrainedModel(converted.WithMetadata(meta), zip, rowsSeen, groupsSeen, fitSeconds);
    }
}
