using TalentMatch.Ranking.Data;

namespace TalentMatch.Ranking.Synthetic;

/// <summary>
/// Deterministic synthetic ranking data for tests and benchmarks: dense uniform features, a hidden nonlinear
/// utility (interactions, thresholds, sinusoids) plus Gaussian noise and a per-group offset; labels 0–4 from
/// global utility quantiles (about 40/25/18/11/6 %). Group sizes vary around rows/groups.
/// </summary>
public static class SyntheticRanking
{
    public static RankingDataset Generate(int rows, int features, int groups, int seed)
    {
        if (features < 8) throw new ArgumentOutOfRangeException(nameof(features), "At least 8 features.");
        if (groups < 1 || rows < groups) throw new ArgumentOutOfRangeException(nameof(groups));
        var rng = new SplitMix64((ulong)seed * 0x2545F4914F6CDD1DUL + 1);
        // Group sizes: uniform in [0.5, 1.5] × mean, adjusted to sum to rows.
        var sizes = new int[groups];
        double mean = rows / (double)groups;
        int total = 0;
        for (int g = 0; g < groups; g++) { sizes[g] = Math.Max(1, (int)(mean * (0.5 + rng.NextDouble()))); total += sizes[g]; }
        int gi = 0;
        while (total != rows)
        {
            if (total < rows) { sizes[gi]++; total++; }
            else if (sizes[gi] > 1) { sizes[gi]--; total--; }
            gi = (gi + 1) % groups;
        }
        var bounds = new int[groups + 1];
        for (int g = 0; g < groups; g++) bounds[g + 1] = bounds[g] + sizes[g];

        var x = new float[(long)rows * features];
        var utility = new double[rows];
        // Weights of the linear part (decaying: later features matter little or not at all).
        var w = new double[features];
        for (int f = 0; f < features; f++) w[f] = f < features / 2 ? (rng.NextDouble() * 2 - 1) * Math.Pow(0.85, f) : 0.0;
        for (int g = 0; g < groups; g++)
        {
            double groupOffset = Gaussian(ref rng) * 0.3;
            for (int r = bounds[g]; r < bounds[g + 1]; r++)
            {
                long o = (long)r * features;
                for (int f = 0; f < features; f++) x[o + f] = (float)Math.Round(rng.NextDouble(), 4);
                double u = 0;
                for (int f = 0; f < features; f++) u += w[f] * x[o + f];
                u += 1.5 * Math.Sin(3.0 * x[o]) * x[o + 1];
                u += x[o + 2] > 0.7 ? 0.8 : 0.0;
                u += 1.2 * x[o + 3] * x[o + 4];
                u += 0.7 * (x[o + 5] - 0.5) * (x[o + 5] - 0.5) * 4;
                u -= x[o + 6] < 0.2 && x[o + 7] > 0.5 ? 0.9 : 0.0;
                u += groupOffset + Gaussian(ref rng) * 0.35;
                utility[r] = u;
            }
        }
        var sorted = (double[])utility.Clone();
        Array.Sort(sorted);
        double Q(double p) => sorted[Math.Min(rows - 1, (int)(p * rows))];
        double q1 = Q(0.40), q2 = Q(0.65), q3 = Q(0.83), q4 = Q(0.94);
        var labels = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double u = utility[r];
            labels[r] = u >= q4 ? 4 : u >= q3 ? 3 : u >= q2 ? 2 : u >= q1 ? 1 : 0;
        }
        var names = new string[features];
        for (int f = 0; f < features; f++) names[f] = "f" + (f + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new RankingDataset(labels, bounds, x, names);
    }

    private static double Gaussian(ref SplitMix64 rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
