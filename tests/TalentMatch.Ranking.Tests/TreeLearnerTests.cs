using System.Runtime.Intrinsics;
using TalentMatch.Ranking.Synthetic;
using TalentMatch.Ranking.Training;

namespace TalentMatch.Ranking.Tests;

public class TreeLearnerTests
{
    [Fact]
    public void Parallel_histograms_and_partitions_match_the_sequential_ones()
    {
        var data = SyntheticRanking.Generate(80_000, 8, 800, 3);
        var binned = BinnedMatrix.Create(data, 255, 0, 1, 2);
        var gh = new Vector256<double>[data.RowCount];
        var rng = new Random(5);
        for (int i = 0; i < gh.Length; i++) gh[i] = Vector256.Create(rng.NextDouble() - 0.5 + data.Features[i * 8], 0.5 + rng.NextDouble(), 1, 0);
        var rows = Enumerable.Range(0, data.RowCount).ToArray();
        var allowed = Enumerable.Repeat(true, 8).ToArray();

        var seq = new TreeLearner(binned, new LambdaMartOptions { NumberOfLeaves = 4, Threads = 1 }).Grow(rows, gh, allowed);
        var par = new TreeLearner(binned, new LambdaMartOptions { NumberOfLeaves = 4, Threads = 2 }).Grow(rows, gh, allowed);

        Assert.Equal(seq.Tree.SplitFeatures, par.Tree.SplitFeatures);
        Assert.Equal(seq.BinThresholds, par.BinThresholds);
        Assert.Equal(seq.LeafStart, par.LeafStart);
        Assert.Equal(seq.LeafCount, par.LeafCount);
        Assert.Equal(seq.Rows, par.Rows);
        for (int l = 0; l < seq.Tree.LeafCount; l++) Assert.Equal(seq.Tree.LeafValues[l], par.Tree.LeafValues[l], 9);
        // Every leaf's rows really satisfy the path to it.
        for (int l = 0; l < seq.Tree.LeafCount; l++)
            for (int i = seq.LeafStart[l]; i < seq.LeafStart[l] + seq.LeafCount[l]; i++)
                Assert.Equal(l, seq.Tree.LeafIndex(data.Row(seq.Rows[i])));
    }

    [Fact]
    public void Bins_keep_zero_and_nan_apart_and_thresholds_separate_bins()
    {
        float[] sample = [0, 0, 0, 1, 2, 2, -1, float.NaN, 3];
        var m = BinMapper.Fit(sample.ToArray(), 255);
        Assert.True(m.HasNaN);
        Assert.Equal(6, m.BinCount); // -1, 0, 1, 2, 3, NaN
        Assert.Equal(0, m.BinOf(-1));
        Assert.Equal(1, m.BinOf(0));
        Assert.Equal(2, m.BinOf(1));
        Assert.Equal(4, m.BinOf(3));
        Assert.Equal(5, m.BinOf(float.NaN));
        Assert.Equal(m.BinOf(0.4f), m.BinOfNumber(0.4f));
        var many = Enumerable.Range(0, 10_000).Select(i => (float)i).ToArray();
        var q = BinMapper.Fit(many, 16);
        Assert.True(q.BinCount <= 16);
        Assert.InRange(q.BinOf(5000), 6, 9); // roughly equal-frequency
    }
}
