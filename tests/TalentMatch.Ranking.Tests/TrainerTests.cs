using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.MlNet;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.Synthetic;

namespace TalentMatch.Ranking.Tests;

public class TrainerTests
{
    [Theory]
    [InlineData(RankingTrainerKind.LightGbm, "ML.NET LightGBM")]
    [InlineData(RankingTrainerKind.FastTree, "ML.NET FastTree")]
    public void Recovers_a_known_ordering_with_either_ML_NET_trainer(RankingTrainerKind kind, string name)
    {
        var train = TestData.KnownOrdering(groups: 60, perGroup: 25, features: 5, seed: 1);
        var test = TestData.KnownOrdering(groups: 30, perGroup: 25, features: 5, seed: 2);
        var model = new MlNetRankingTrainer(new RankingTrainerOptions { Trainer = kind, NumberOfTrees = 40, NumberOfLeaves = 8, Threads = 1 }).Train(train).Model;
        var ndcg = RankingEvaluation.MeanNdcg(test.Labels, model.Score(test), test.GroupBoundaries, 10);
        Assert.True(ndcg > 0.97, $"NDCG@10 = {ndcg}");
        Assert.Equal("x0", model.Importance()[0].Feature);
        Assert.Equal(name, model.Metadata.Trainer);
        Assert.Equal(kind, model.Metadata.Parameters.Trainer);
        Assert.Equal(40, model.Trees.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_row_and_group_reaches_the_trainer(bool informativeGroupLast)
    {
        // 3,005 rows in 201 groups of uneven sizes, as the LETOR sample. Only one group carries any ordering (the others
        // are all label 0, so they give LightGBM no gradient): a dropped first or last group leaves nothing to learn.
        var sizes = Enumerable.Range(0, 201).Select(g => 10 + g % 11).ToList();
        sizes[^1] += 3005 - sizes.Sum();
        var informative = informativeGroupLast ? 200 : 0;
        var rng = new Random(3);
        var labels = new List<float>();
        var groupIds = new List<int>();
        var x = new List<float>();
        for (var g = 0; g < sizes.Count; g++)
        {
            for (var i = 0; i < sizes[g]; i++)
            {
                var f0 = (float)rng.NextDouble();
                labels.Add(g == informative ? Math.Min(4, (int)(f0 * 5)) : 0);
                groupIds.Add(g);
                x.Add(f0);
                x.Add((float)rng.NextDouble());
            }
        }

        var data = RankingDataset.FromGroupIds([.. labels], [.. groupIds], [.. x], ["x0", "x1"]);
        Assert.Equal(3005, data.RowCount);
        var trained = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 5, NumberOfLeaves = 4, MinRowsPerLeaf = 2, Threads = 1 }).Train(data);
        Assert.Equal(3005, trained.RowsSeen);
        Assert.Equal(201, trained.GroupsSeen);
        Assert.Equal(3005, trained.Model.Metadata.Rows);
        Assert.Equal(201, trained.Model.Metadata.Groups);
        // The lone informative group was learned from: the model orders it almost perfectly on x0.
        var start = data.GroupBoundaries[informative];
        var end = data.GroupBoundaries[informative + 1];
        var scores = trained.Model.Score(data).AsSpan(start, end - start).ToArray();
        var ndcg = RankingEvaluation.MeanNdcg(data.Labels.AsSpan(start, end - start).ToArray(), scores, [0, end - start], 10);
        Assert.True(ndcg > 0.9, $"NDCG@10 of the informative group = {ndcg}");
        Assert.Contains(trained.Model.Trees, t => t.NodeCount > 0 && t.SplitFeatures.Contains(0));
    }

    [Fact]
    public void Label_gains_are_two_to_the_label_minus_one()
    {
        Assert.Equal([0, 1, 3, 7, 15], MlNetRankingTrainer.LabelGains(TestData.KnownOrdering(2, 5, 1, 1)));
        var six = new RankingDataset([0, 6], [0, 2], [0, 1], ["x"]);
        Assert.Equal([0, 1, 3, 7, 15, 31, 63], MlNetRankingTrainer.LabelGains(six));
        Assert.Throws<ArgumentException>(() => MlNetRankingTrainer.LabelGains(new RankingDataset([0, 1.5f], [0, 2], [0, 1], ["x"])));
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed_also_with_two_threads()
    {
        var data = SyntheticRanking.Generate(6000, 16, 60, 5);
        var options = new RankingTrainerOptions
        {
            NumberOfTrees = 15, NumberOfLeaves = 15, RowSubsample = 0.8, FeatureSubsample = 0.75, Seed = 11, Threads = 2,
        };
        var a = new MlNetRankingTrainer(options).Train(data).Model;
        var b = new MlNetRankingTrainer(options).Train(data).Model;
        Assert.Equal(TreesJson(a), TreesJson(b));
        Assert.Equal(a.Score(data), b.Score(data));

        var otherSeed = new MlNetRankingTrainer(options with { Seed = 12 }).Train(data).Model;
        Assert.NotEqual(TreesJson(a), TreesJson(otherSeed));
    }

    [Fact]
    public void Early_stopping_on_a_validation_set_stops_before_the_maximum()
    {
        var train = TestData.KnownOrdering(40, 20, 4, 3);
        var valid = TestData.KnownOrdering(20, 20, 4, 4);
        var model = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 300, NumberOfLeaves = 4, EarlyStoppingRounds = 5, Threads = 1 })
            .Train(train, valid).Model;
        Assert.True(model.Trees.Count < 300, $"{model.Trees.Count} trees");
        Assert.Equal("ndcg@10", model.Metadata.ValidationMetric);
        var ndcg = RankingEvaluation.MeanNdcg(valid.Labels, model.Score(valid), valid.GroupBoundaries, 10);
        Assert.Equal(model.Metadata.ValidationScore!.Value, ndcg, 9);
    }

    [Fact]
    public void Validation_schema_must_match()
    {
        var train = TestData.KnownOrdering(5, 10, 3, 3);
        var valid = train.WithFeatureCount(4);
        Assert.Throws<ModelSchemaException>(() => new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 2 }).Train(train, valid));
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfLeaves = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlNetRankingTrainer(new RankingTrainerOptions { RowSubsample = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlNetRankingTrainer(new RankingTrainerOptions { Trainer = (RankingTrainerKind)7 }));
    }

    internal static string TreesJson(RankingModel m)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(m.ToJson())!;
        return doc["trees"]!.ToJsonString();
    }
}
