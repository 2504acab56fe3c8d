using TalentMatch.Ranking.Data;

namespace TalentMatch.Ranking.Tests;

internal static class TestData
{
    /// <summary>Groups whose true ordering is given by feature 0 (label = grade of f0), plus noise features.</summary>
    public static RankingDataset KnownOrdering(int groups, int perGroup, int features, int seed)
    {
        var rng = new Random(seed);
        int n = groups * perGroup;
        var labels = new float[n];
        var x = new float[n * features];
        var bounds = new int[groups + 1];
        for (int g = 0; g < groups; g++)
        {
            bounds[g + 1] = bounds[g] + perGroup;
            for (int i = 0; i < perGroup; i++)
            {
                int r = g * perGroup + i;
                for (int f = 0; f < features; f++) x[r * features + f] = (float)rng.NextDouble();
                labels[r] = Math.Min(4, (int)(x[r * features] * 5));
            }
        }
        var names = Enumerable.Range(0, features).Select(f => $"x{f}").ToArray();
        return new RankingDataset(labels, bounds, x, names);
    }
}
