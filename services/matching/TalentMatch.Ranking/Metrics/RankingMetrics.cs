namespace TalentMatch.Ranking.Metrics;

/// <summary>
/// Ranking metrics for one group (query / position). Items are ranked by descending score; ties keep input order
/// (a stable sort, as LightGBM). Conventions: NDCG uses gain 2^label − 1 and a log2(rank + 1) discount; a group with
/// no relevant item (all labels 0) scores 1 for NDCG, MAP and MRR (it cannot be ranked wrongly). For MAP and MRR an
/// item is relevant when its label is at least <c>relevantFrom</c> (default 1).
/// </summary>
public static class RankingMetrics
{
    /// <summary>NDCG@k of one group (<paramref name="k"/> ≤ 0 means the whole list).</summary>
    public static double Ndcg(ReadOnlySpan<float> labels, ReadOnlySpan<double> scores, int k)
    {
        CheckLengths(labels, scores);
        int n = labels.Length;
        if (n == 0) return 1.0;
        int kk = k <= 0 ? n : Math.Min(k, n);
        Span<int> order = n <= 1024 ? stackalloc int[n] : new int[n];
        SortByScore(scores, order);
        double dcg = 0;
        for (int i = 0; i < kk; i++) dcg += Gain(labels[order[i]]) * Discount(i);
        double idcg = IdealDcg(labels, kk);
        return idcg <= 0 ? 1.0 : dcg / idcg;
    }

    /// <summary>Ideal DCG@k (labels sorted descending).</summary>
    public static double IdealDcg(ReadOnlySpan<float> labels, int k)
    {
        int n = labels.Length;
        int kk = k <= 0 ? n : Math.Min(k, n);
        Span<float> sorted = n <= 1024 ? stackalloc float[n] : new float[n];
        labels.CopyTo(sorted);
        sorted.Sort();
        double idcg = 0;
        for (int i = 0; i < kk; i++) idcg += Gain(sorted[n - 1 - i]) * Discount(i);
        return idcg;
    }

    /// <summary>Average precision (@k when <paramref name="k"/> &gt; 0, normalised by min(relevant, k)).</summary>
    public static double AveragePrecision(ReadOnlySpan<float> labels, ReadOnlySpan<double> scores, int k = 0, float relevantFrom = 1f)
    {
        CheckLengths(labels, scores);
        int n = labels.Length;
        int relevant = 0;
        foreach (var l in labels) if (l >= relevantFrom) relevant++;
        if (relevant == 0) return 1.0;
        int kk = k <= 0 ? n : Math.Min(k, n);
        Span<int> order = n <= 1024 ? stackalloc int[n] : new int[n];
        SortByScore(scores, order);
        int hits = 0;
        double sum = 0;
        for (int i = 0; i < kk; i++)
        {
            if (labels[order[i]] >= relevantFrom)
            {
                hits++;
                sum += hits / (double)(i + 1);
            }
        }
        return sum / Math.Min(relevant, kk);
    }

    /// <summary>Reciprocal rank of the first relevant item (0 if none within @k; 1 if the group has no relevant item).</summary>
    public static double ReciprocalRank(ReadOnlySpan<float> labels, ReadOnlySpan<double> scores, int k = 0, float relevantFrom = 1f)
    {
        CheckLengths(labels, scores);
        int n = labels.Length;
        bool any = false;
        foreach (var l in labels) if (l >= relevantFrom) { any = true; break; }
        if (!any) return 1.0;
        int kk = k <= 0 ? n : Math.Min(k, n);
        Span<int> order = n <= 1024 ? stackalloc int[n] : new int[n];
        SortByScore(scores, order);
        for (int i = 0; i < kk; i++)
            if (labels[order[i]] >= relevantFrom) return 1.0 / (i + 1);
        return 0.0;
    }

    /// <summary>Gain of a graded label: 2^label − 1.</summary>
    public static double Gain(float label) => Math.Pow(2.0, label) - 1.0;

    /// <summary>Discount of a 0-based rank: 1 / log2(rank + 2).</summary>
    public static double Discount(int rank) => 1.0 / Math.Log2(rank + 2.0);

    /// <summary>Fills <paramref name="order"/> with item indices by descending score, ties in input order.</summary>
    public static void SortByScore(ReadOnlySpan<double> scores, Span<int> order)
    {
        int n = scores.Length;
        for (int i = 0; i < n; i++) order[i] = i;
        // Insertion sort for small groups, otherwise a stable merge via keys (score desc, index asc).
        if (n <= 32)
        {
            for (int i = 1; i < n; i++)
            {
                int v = order[i];
                double s = scores[v];
                int j = i - 1;
                while (j >= 0 && scores[order[j]] < s) { order[j + 1] = order[j]; j--; }
                order[j + 1] = v;
            }
            return;
        }
        var keys = new (double, int)[n];
        for (int i = 0; i < n; i++) keys[i] = (-scores[i], i);
        Array.Sort(keys);
        for (int i = 0; i < n; i++) order[i] = keys[i].Item2;
    }

    private static void CheckLengths(ReadOnlySpan<float> labels, ReadOnlySpan<double> scores)
    {
        if (labels.Length != scores.Length)
            throw new ArgumentException($"{labels.Length} labels but {scores.Length} scores.");
    }
}

/// <summary>Mean of per-group metrics over a grouped data set.</summary>
public sealed record RankingEvaluation(int Groups, IReadOnlyDictionary<int, double> Ndcg, double Map, double Mrr)
{
    /// <summary>Evaluates scores (one per row) on groups given by boundaries (length groups + 1).</summary>
    /// <param name="ndcgAt">Truncations for NDCG (default 1, 3, 5, 10).</param>
    public static RankingEvaluation Evaluate(ReadOnlySpan<float> labels, ReadOnlySpan<double> scores, ReadOnlySpan<int> groupBoundaries, IReadOnlyList<int>? ndcgAt = null)
    {
        if (labels.Length != scores.Length) throw new ArgumentException($"{labels.Length} labels but {scores.Length} scores.");
        ndcgAt ??= [1, 3, 5, 10];
        int groups = groupBoundaries.Length - 1;
        var sums = new double[ndcgAt.Count];
        double map = 0, mrr = 0;
        for (int g = 0; g < groups; g++)
        {
            int s = groupBoundaries[g], e = groupBoundaries[g + 1];
            var l = labels[s..e];
            var sc = scores[s..e];
            for (int i = 0; i < ndcgAt.Count; i++) sums[i] += RankingMetrics.Ndcg(l, sc, ndcgAt[i]);
            map += RankingMetrics.AveragePrecision(l, sc);
            mrr += RankingMetrics.ReciprocalRank(l, sc);
        }
        var nd = new Dictionary<int, double>();
        for (int i = 0; i < ndcgAt.Count; i++) nd[ndcgAt[i]] = groups == 0 ? 0 : sums[i] / groups;
        return new RankingEvaluation(groups, nd, groups == 0 ? 0 : map / groups, groups == 0 ? 0 : mrr / groups);
    }

    /// <summary>Mean NDCG@k over groups.</summary>
    public static double MeanNdcg(ReadOnlySpan<float> labels, ReadOnlySpan<double> scores, ReadOnlySpan<int> groupBoundaries, int k)
    {
        int groups = groupBoundaries.Length - 1;
        if (groups <= 0) return 0;
        double sum = 0;
        for (int g = 0; g < groups; g++)
        {
            int s = groupBoundaries[g], e = groupBoundaries[g + 1];
            sum += RankingMetrics.Ndcg(labels[s..e], scores[s..e], k);
        }
        return sum / groups;
    }
}
