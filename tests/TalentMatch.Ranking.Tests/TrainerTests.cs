using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.Synthetic;
using TalentMatch.Ranking.Training;

namespace TalentMatch.Ranking.Tests;

public class TrainerTests
{
    [Fact]
    public void Recovers_a_known_ordering()
    {
        var train = TestData.KnownOrdering(groups: 60, perGroup: 25, features: 5, seed: 1);
        var test = TestData.KnownOrdering(groups: 30, perGroup: 25, features: 5, seed: 2);
        var model = new LambdaMartTrainer(new LambdaMartOptions { NumberOfTrees = 40, NumberOfLeaves = 8, Threads = 1 }).Train(train);
        var scores = model.Score(test);
        double ndcg = RankingEvaluation.MeanNdcg(test.Labels, scores, test.GroupBoundaries, 10);
        Assert.True(ndcg > 0.97, $"NDCG@10 = {ndcg}");
        // The informative feature dominates the importance.
        Assert.Equal("x0", model.Importance()[0].Feature);
        Assert.True(model.Importance()[0].Splits > 0);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed_also_with_two_threads()
    {
        var data = SyntheticRanking.Generate(6000, 16, 60, 5);
        var options = new LambdaMartOptions
        {
            NumberOfTrees = 15, NumberOfLeaves = 15, RowSubsample = 0.8, FeatureSubsample = 0.75, Seed = 11, Threads = 2,
        };
        var a = new LambdaMartTrainer(options).Train(data);
        var b = new LambdaMartTrainer(options).Train(data);
        Assert.Equal(TreesJson(a), TreesJson(b));
        Assert.Equal(a.Score(data), b.Score(data));

        var single1 = new LambdaMartTrainer(options with { Threads = 1 }).Train(data);
        var single2 = new LambdaMartTrainer(options with { Threads = 1 }).Train(data);
        Assert.Equal(TreesJson(single1), TreesJson(single2));

        var otherSeed = new LambdaMartTrainer(options with { Seed = 12 }).Train(data);
        Assert.NotEqual(TreesJson(a), TreesJson(otherSeed));
    }

    [Fact]
    public void Early_stopping_keeps_the_best_iteration()
    {
        var train = TestData.KnownOrdering(40, 20, 4, 3);
        var valid = TestData.KnownOrdering(20, 20, 4, 4);
        var model = new LambdaMartTrainer(new LambdaMartOptions { NumberOfTrees = 300, NumberOfLeaves = 4, EarlyStoppingRounds = 5, Threads = 1 })
            .Train(train, valid);
        Assert.True(model.Trees.Count < 300);
        Assert.Equal(model.Metadata.BestIteration, model.Trees.Count);
        Assert.Equal("ndcg@10", model.Metadata.ValidationMetric);
        double ndcg = RankingEvaluation.MeanNdcg(valid.Labels, model.Score(valid), valid.GroupBoundaries, 10);
        Assert.Equal(model.Metadata.ValidationScore!.Value, ndcg, 9);
    }

    [Fact]
    public void Validation_schema_must_match()
    {
        var train = TestData.KnownOrdering(5, 10, 3, 3);
        var valid = train.WithFeatureCount(4);
        Assert.Throws<ModelSchemaException>(() => new LambdaMartTrainer(new LambdaMartOptions { NumberOfTrees = 2 }).Train(train, valid));
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LambdaMartTrainer(new LambdaMartOptions { NumberOfLeaves = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LambdaMartTrainer(new LambdaMartOptions { RowSubsample = 0 }));
    }

    [Fact]
    public void Missing_values_go_right_consistently_in_training_and_inference()
    {
        var data = TestData.KnownOrdering(30, 20, 3, 9);
        for (int r = 0; r < data.RowCount; r += 7) data.Features[r * 3 + 1] = float.NaN;
        var model = new LambdaMartTrainer(new LambdaMartOptions { NumberOfTrees = 10, NumberOfLeaves = 8, Threads = 1 }).Train(data);
        var scores = model.Score(data);
        Assert.All(scores, s => Assert.True(double.IsFinite(s)));
        double ndcg = RankingEvaluation.MeanNdcg(data.Labels, scores, data.GroupBoundaries, 10);
        Assert.True(ndcg > 0.9, $"NDCG@10 = {ndcg}");
    }

    internal static string TreesJson(RankingModel m)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(m.ToJson())!;
        return doc["trees"]!.ToJsonString();
    }
}
