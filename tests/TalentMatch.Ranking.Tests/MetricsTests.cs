using TalentMatch.Ranking.Metrics;

namespace TalentMatch.Ranking.Tests;

public class MetricsTests
{
    private const double Eps = 1e-12;

    [Fact]
    public void Ndcg_matches_hand_computation()
    {
        // Ranked by score: labels 3, 2, 3, 0, 1.
        float[] labels = [3, 2, 3, 0, 1];
        double[] scores = [5, 4, 3, 2, 1];
        double dcg = 7 / Math.Log2(2) + 3 / Math.Log2(3) + 7 / Math.Log2(4) + 0 + 1 / Math.Log2(6);
        double idcg = 7 / Math.Log2(2) + 7 / Math.Log2(3) + 3 / Math.Log2(4) + 1 / Math.Log2(5) + 0;
        Assert.Equal(dcg / idcg, RankingMetrics.Ndcg(labels, scores, 0), Eps);
        Assert.Equal(dcg / idcg, RankingMetrics.Ndcg(labels, scores, 10), Eps);
        // @1: 7 / 7.
        Assert.Equal(1.0, RankingMetrics.Ndcg(labels, scores, 1), Eps);
        // @3
        double dcg3 = 7 + 3 / Math.Log2(3) + 7 / Math.Log2(4);
        double idcg3 = 7 + 7 / Math.Log2(3) + 3 / Math.Log2(4);
        Assert.Equal(dcg3 / idcg3, RankingMetrics.Ndcg(labels, scores, 3), Eps);
    }

    [Fact]
    public void Ndcg_of_perfect_ranking_is_one_and_group_without_relevant_items_scores_one()
    {
        Assert.Equal(1.0, RankingMetrics.Ndcg([4, 2, 1, 0], [0.9, 0.5, 0.1, -1], 10), Eps);
        Assert.Equal(1.0, RankingMetrics.Ndcg([0, 0, 0], [1, 2, 3], 10), Eps);
        Assert.Equal(1.0, RankingMetrics.AveragePrecision([0, 0], [1, 2]), Eps);
        Assert.Equal(1.0, RankingMetrics.ReciprocalRank([0, 0], [1, 2]), Eps);
    }

    [Fact]
    public void Ties_keep_input_order()
    {
        // Equal scores: the first row (label 0) is ranked first.
        Assert.Equal(1 / Math.Log2(3), RankingMetrics.Ndcg([0, 1], [1.0, 1.0], 0), Eps);
    }

    [Fact]
    public void Map_and_mrr_match_hand_computation()
    {
        // Ranked relevance: 0, 1, 0, 1, 1  => precisions at hits: 1/2, 2/4, 3/5.
        float[] labels = [0, 2, 0, 1, 3];
        double[] scores = [10, 9, 8, 7, 6];
        Assert.Equal((0.5 + 0.5 + 0.6) / 3, RankingMetrics.AveragePrecision(labels, scores), Eps);
        Assert.Equal(0.5, RankingMetrics.ReciprocalRank(labels, scores), Eps);
        // MAP@2: one hit (1/2) normalised by min(3, 2).
        Assert.Equal(0.5 / 2, RankingMetrics.AveragePrecision(labels, scores, k: 2), Eps);
        Assert.Equal(0.0, RankingMetrics.ReciprocalRank(labels, scores, k: 1), Eps);
    }

    [Fact]
    public void Evaluation_averages_over_groups()
    {
        float[] labels = [1, 0, /* group 2 */ 0, 1];
        double[] scores = [2, 1, 2, 1];
        int[] bounds = [0, 2, 4];
        var ev = RankingEvaluation.Evaluate(labels, scores, bounds, [1, 2]);
        Assert.Equal(2, ev.Groups);
        Assert.Equal(0.5, ev.Ndcg[1], Eps);
        Assert.Equal((1 + 1 / Math.Log2(3)) / 2, ev.Ndcg[2], Eps);
        Assert.Equal((1 + 0.5) / 2, ev.Map, Eps);
        Assert.Equal((1 + 0.5) / 2, ev.Mrr, Eps);
        Assert.Equal(0.5, RankingEvaluation.MeanNdcg(labels, scores, bounds, 1), Eps);
    }
}
