using System.Diagnostics;
using System.Runtime.Intrinsics;
using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.Model;

namespace TalentMatch.Ranking.Training;

/// <summary>Progress of one boosting round.</summary>
public readonly record struct TrainingProgress(int Iteration, int Leaves, double? ValidationNdcg, TimeSpan Elapsed);

/// <summary>
/// LambdaMART: gradient-boosted regression trees fitted to LambdaRank gradients that optimise NDCG
/// (histogram-based, leaf-wise growth). Deterministic for a given seed and thread count.
/// </summary>
public sealed class LambdaMartTrainer
{
    private readonly LambdaMartOptions _options;

    public LambdaMartTrainer(LambdaMartOptions? options = null)
    {
        _options = options ?? new LambdaMartOptions();
        _options.Validate();
    }

    public LambdaMartOptions Options => _options;

    /// <summary>Trains a model. With <paramref name="validation"/> and EarlyStoppingRounds &gt; 0, stops early and keeps the best iteration.</summary>
    public RankingModel Train(RankingDataset train, RankingDataset? validation = null, Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (validation != null)
        {
            var diffs = ModelSchemaException.Compare(train.FeatureNames, validation.FeatureNames);
            if (diffs.Count > 0) throw new ModelSchemaException(diffs);
        }
        var o = _options;
        var clock = Stopwatch.StartNew();
        int n = train.RowCount, fc = train.FeatureCount;

        var binned = BinnedMatrix.Create(train, o.MaxBins, o.BinSampleRows, o.Seed, Math.Min(o.Threads, Math.Max(1, fc)));
        var learner = new TreeLearner(binned, o);
        var lambdas = new LambdaGradients(train.Labels, train.GroupBoundaries, o.LambdaTruncation, o.NormalizeLambdas, o.Sigmoid, o.Threads);

        var scores = new double[n];
        var grad = new double[n];
        var hess = new double[n];
        var gh = GC.AllocateUninitializedArray<Vector256<double>>(n, pinned: true);
        var rng = new SplitMix64((ulong)o.Seed);
        var allRows = new int[n];
        for (int i = 0; i < n; i++) allRows[i] = i;
        var bag = new int[n];
        var inBag = new bool[n];
        var featureAllowed = new bool[fc];
        var featureOrder = new int[fc];

        double[]? validScores = validation != null ? new double[validation.RowCount] : null;
        int earlyStop = validation != null ? o.EarlyStoppingRounds : 0;
        double bestValid = double.NegativeInfinity;
        int bestIter = 0;
        var trees = new List<RegressionTree>(o.NumberOfTrees);

        for (int iter = 0; iter < o.NumberOfTrees; iter++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lambdas.Compute(scores, grad, hess);
            for (int i = 0; i < n; i++) gh[i] = Vector256.Create(grad[i], hess[i], 1.0, 0.0);

            // Row bagging.
            ReadOnlySpan<int> rows = allRows;
            bool bagging = o.RowSubsample < 1.0;
            if (bagging)
            {
                int k = 0;
                for (int i = 0; i < n; i++)
                {
                    bool take = rng.NextDouble() < o.RowSubsample;
                    inBag[i] = take;
                    if (take) bag[k++] = i;
                }
                rows = bag.AsSpan(0, k);
            }
            // Feature subsampling per tree.
            if (o.FeatureSubsample < 1.0)
            {
                int keep = Math.Max(1, (int)Math.Round(fc * o.FeatureSubsample));
                for (int i = 0; i < fc; i++) featureOrder[i] = i;
                for (int i = fc - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (featureOrder[i], featureOrder[j]) = (featureOrder[j], featureOrder[i]); }
                Array.Clear(featureAllowed);
                for (int i = 0; i < keep; i++) featureAllowed[featureOrder[i]] = true;
            }
            else Array.Fill(featureAllowed, true);

            var grown = learner.Grow(rows, gh, featureAllowed);
            var tree = grown.Tree;
            trees.Add(tree);

            // Update training scores: in-bag rows via the partition, out-of-bag rows by walking the binned tree.
            for (int l = 0; l < tree.LeafCount; l++)
            {
                double v = tree.Leaf[l];
                int s = grown.LeafStart[l], e = s + grown.LeafCount[l];
                for (int i = s; i < e; i++) scores[grown.Rows[i]] += v;
            }
            if (bagging)
            {
                var binsArr = binned.Bins;
                for (int r = 0; r < n; r++)
                {
                    if (inBag[r]) continue;
                    int node = tree.NodeCount == 0 ? -1 : 0;
                    while (node >= 0)
                        node = binsArr[(long)r * fc + tree.Feature[node]] <= grown.BinThresholds[node] ? tree.Left[node] : tree.Right[node];
                    scores[r] += tree.Leaf[~node];
                }
            }

            double? validNdcg = null;
            if (validation != null && validScores != null)
            {
                var vx = validation.Features;
                for (int r = 0; r < validation.RowCount; r++) validScores[r] += tree.Predict(vx.AsSpan(r * fc, fc));
                double ndcg = RankingEvaluation.MeanNdcg(validation.Labels, validScores, validation.GroupBoundaries, o.EvalAt);
                validNdcg = ndcg;
                if (ndcg > bestValid) { bestValid = ndcg; bestIter = iter + 1; }
            }
            progress?.Invoke(new TrainingProgress(iter + 1, tree.LeafCount, validNdcg, clock.Elapsed));
            if (earlyStop > 0 && iter + 1 - bestIter >= earlyStop) break;
        }

        int kept = validation != null && earlyStop > 0 ? bestIter : trees.Count;
        if (kept < trees.Count) trees.RemoveRange(kept, trees.Count - kept);
        clock.Stop();
        var meta = new TrainingMetadata
        {
            Parameters = o,
            Trees = trees.Count,
            Rows = n,
            Groups = train.GroupCount,
            Features = fc,
            BestIteration = validation != null ? bestIter : trees.Count,
            ValidationMetric = validation != null ? (o.EvalAt > 0 ? $"ndcg@{o.EvalAt}" : "ndcg") : null,
            ValidationScore = validation != null ? bestValid : null,
            TrainSeconds = clock.Elapsed.TotalSeconds,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        return new RankingModel(train.FeatureNames, trees, 0.0, meta);
    }
}
