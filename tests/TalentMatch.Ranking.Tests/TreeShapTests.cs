using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.Synthetic;
using TalentMatch.Ranking.MlNet;

namespace TalentMatch.Ranking.Tests;

public class TreeShapTests
{
    // x0 <= 0.5 ? (x1 <= 0.3 ? 1 : (x0 <= 0.2 ? 4 : 2)) : (x2 <= 0.7 ? -1 : 3); feature 3 unused.
    private static RegressionTree TinyTree() => new(
        splitFeatures: [0, 1, 2, 0],
        thresholds: [0.5f, 0.3f, 0.7f, 0.2f],
        leftChildren: [1, ~0, ~2, ~4],
        rightChildren: [2, 3, ~3, ~1],
        splitGains: [1, 1, 1, 1],
        internalCovers: [100, 60, 40, 45],
        leafValues: [1.0, 2.0, -1.0, 3.0, 4.0],
        leafCovers: [15, 30, 25, 15, 15]);

    [Theory]
    [InlineData(0.1f, 0.1f, 0.1f, 0.0f)]
    [InlineData(0.3f, 0.9f, 0.9f, 1.0f)]
    [InlineData(0.9f, 0.1f, 0.8f, 0.5f)]
    [InlineData(0.1f, 0.5f, 0.5f, 0.5f)]
    public void TreeShap_matches_brute_force_Shapley_values(float a, float b, float c, float d)
    {
        var tree = TinyTree();
        var model = new RankingModel(["a", "b", "c", "d"], [tree], 0.0, new TrainingMetadata());
        float[] x = [a, b, c, d];
        var explained = model.Explain(x);
        var exact = BruteForce(tree, x);
        for (int i = 0; i < 4; i++) Assert.Equal(exact[i], explained.Contributions[i], 10);
        Assert.Equal(0.0, explained.Contributions[3], 12);
        Assert.Equal(tree.ExpectedValue(), explained.Bias, 12);
        Assert.Equal(explained.Score, explained.Bias + explained.Contributions.Sum(), 10);
    }

    [Fact]
    public void Contributions_add_up_to_the_score_for_a_trained_model()
    {
        var data = SyntheticRanking.Generate(3000, 10, 60, 8);
        var model = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 25, NumberOfLeaves = 31, Threads = 1 }).Train(data).Model;
        for (int r = 0; r < 200; r++)
        {
            var e = model.Explain(data.Row(r));
            Assert.Equal(model.Score(data.Row(r)), e.Score);
            Assert.Equal(e.Score, e.Bias + e.Contributions.Sum(), 6);
        }
    }

    /// <summary>Exact Shapley values of the path-dependent conditional expectation (exponential, tiny trees only).</summary>
    private static double[] BruteForce(RegressionTree t, float[] x)
    {
        int m = x.Length;
        double V(int mask) => Cond(t, 0, x, mask);
        var phi = new double[m];
        for (int i = 0; i < m; i++)
        {
            for (int s = 0; s < 1 << m; s++)
            {
                if ((s & (1 << i)) != 0) continue;
                int size = System.Numerics.BitOperations.PopCount((uint)s);
                double w = Fact(size) * Fact(m - size - 1) / Fact(m);
                phi[i] += w * (V(s | (1 << i)) - V(s));
            }
        }
        return phi;
    }

    private static double Cond(RegressionTree t, int node, float[] x, int known)
    {
        if (node < 0) return t.LeafValues[~node];
        int f = t.SplitFeatures[node];
        int l = t.LeftChildren[node], r = t.RightChildren[node];
        if ((known & (1 << f)) != 0) return Cond(t, x[f] <= t.Thresholds[node] ? l : r, x, known);
        double cl = l < 0 ? t.LeafCovers[~l] : t.InternalCovers[l];
        double cr = r < 0 ? t.LeafCovers[~r] : t.InternalCovers[r];
        return (cl * Cond(t, l, x, known) + cr * Cond(t, r, x, known)) / (cl + cr);
    }

    private static double Fact(int n) => n <= 1 ? 1 : n * Fact(n - 1);
}
