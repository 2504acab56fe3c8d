using Microsoft.ML;
using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.MlNet;

namespace TalentMatch.Ranking.Tests;

/// <summary>The platform's reading of ML.NET's trees routes every row as ML.NET does: at a threshold and with NaN.</summary>
public class MlNetConversionTests
{
    /// <summary>ML.NET's own scores from the stored model zip.</summary>
    internal static double[] MlNetScores(byte[] zip, float[] rowMajor, int featureCount)
    {
        var ml = new MLContext(1);
        using var stream = new MemoryStream(zip);
        var model = ml.Model.Load(stream, out _);
        return RankingData.Scores(model, RankingData.FeaturesView(ml, rowMajor, featureCount)).Select(s => (double)s).ToArray();
    }

    internal static void AssertClose(double expected, double actual, string what)
    {
        var scale = Math.Max(Math.Abs(expected), 1e-6);
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * scale, $"{what}: ML.NET {expected:R}, platform {actual:R}");
    }

    [Fact]
    public void A_value_equal_to_the_threshold_goes_left_as_in_ML_NET()
    {
        var data = TestData.KnownOrdering(40, 20, 3, 5);
        var trained = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 20, NumberOfLeaves = 8, Threads = 1 }).Train(data);
        var rows = new List<float>();
        var cases = 0;
        foreach (var tree in trained.Model.Trees.Where(t => t.NodeCount > 0).Take(10))
        {
            var f = tree.SplitFeatures[0];
            var t = tree.Thresholds[0];
            var at = data.Row(0).ToArray();
            at[f] = t;
            var above = (float[])at.Clone();
            above[f] = MathF.BitIncrement(t);
            // The root split itself: at the threshold left, one float above right.
            Assert.NotEqual(tree.LeafIndex(at), tree.LeafIndex(above));
            rows.AddRange(at);
            rows.AddRange(above);
            cases++;
        }

        Assert.True(cases >= 5);
        var x = rows.ToArray();
        var expected = MlNetScores(trained.MlNetModelZip, x, 3);
        var actual = new double[expected.Length];
        trained.Model.Score(x, actual);
        for (var i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"row {i}");
        // The pairs differ in ML.NET too: the boundary case is not vacuous.
        Assert.Contains(Enumerable.Range(0, cases), c => expected[2 * c] != expected[2 * c + 1]);
    }

    [Fact]
    public void Missing_values_take_ML_NETs_direction_per_split()
    {
        // x0 orders the rows; a NaN in x0 marks a row LightGBM learns to send with the low values (default left), and
        // x1 is missing at random. x2 never is, so its splits have no learned direction (ML.NET then reads NaN as 0,
        // or sends it right when no split of the tree saw a missing value).
        var data = TestData.KnownOrdering(60, 25, 3, 8);
        var rng = new Random(4);
        for (var r = 0; r < data.RowCount; r++)
        {
            if (rng.NextDouble() < 0.2)
            {
                data.Features[r * 3] = float.NaN;
                data.Labels[r] = 0;
            }

            if (rng.NextDouble() < 0.2) data.Features[r * 3 + 1] = float.NaN;
        }

        var trained = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 30, NumberOfLeaves = 8, Threads = 1 }).Train(data);
        var trees = trained.Model.Trees;
        Assert.Contains(trees, t => t.MissingGoesLeft is { } left && Enumerable.Range(0, t.NodeCount).Any(i => left[i] && t.SplitFeatures[i] == 0));
        Assert.Contains(trees, t => t.MissingGoesLeft is { } left && Enumerable.Range(0, t.NodeCount).Any(i => !left[i]));

        // Every row with NaN in each feature in turn, and in all of them.
        var test = TestData.KnownOrdering(10, 20, 3, 9);
        var rows = new List<float>();
        for (var r = 0; r < test.RowCount; r++)
        {
            for (var mask = 1; mask < 8; mask++)
            {
                var row = test.Row(r).ToArray();
                for (var f = 0; f < 3; f++)
                    if ((mask & (1 << f)) != 0) row[f] = float.NaN;
                rows.AddRange(row);
            }
        }

        var x = rows.ToArray();
        var expected = MlNetScores(trained.MlNetModelZip, x, 3);
        var batch = new double[expected.Length];
        trained.Model.Score(x, batch);
        for (var i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], batch[i], $"batch row {i}");
            Assert.Equal(batch[i], trained.Model.Score(x.AsSpan(i * 3, 3)));
            var why = trained.Model.Explain(x.AsSpan(i * 3, 3));
            Assert.Equal(why.Score, why.Bias + why.Contributions.Sum(), 9);
        }

        // The JSON keeps the directions.
        var loaded = Model.RankingModel.FromJson(trained.Model.ToJson(), data.FeatureNames);
        var n = x.Length / 3;
        Assert.Equal(batch, loaded.Score(new RankingDataset(new float[n], [0, n], x, data.FeatureNames)));
    }
}
