using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.Synthetic;
using TalentMatch.Ranking.MlNet;

namespace TalentMatch.Ranking.Tests;

public class ModelTests
{
    private static readonly Lazy<(RankingModel Model, RankingDataset Data)> Trained = new(() =>
    {
        var data = SyntheticRanking.Generate(4000, 12, 80, 21);
        var model = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 30, NumberOfLeaves = 31, Threads = 1 }).Train(data).Model;
        return (model, data);
    });

    [Fact]
    public void Json_round_trip_gives_identical_scores_and_metadata()
    {
        var (model, data) = Trained.Value;
        using var ms = new MemoryStream();
        model.Save(ms);
        ms.Position = 0;
        var loaded = RankingModel.Load(ms, data.FeatureNames);
        Assert.Equal(model.Score(data), loaded.Score(data));
        Assert.Equal(model.ToJson(), loaded.ToJson());
        Assert.Equal(model.Metadata.Rows, loaded.Metadata.Rows);
        Assert.Equal(4000, loaded.Metadata.Rows);
        Assert.Equal(80, loaded.Metadata.Groups);
        Assert.Equal(30, loaded.Metadata.Trees);
        Assert.Equal(model.Metadata.Parameters, loaded.Metadata.Parameters);
        Assert.Equal(model.Metadata.CreatedUtc, loaded.Metadata.CreatedUtc);
        Assert.Contains("\"version\":2", model.ToJson());
        Assert.Equal("ML.NET LightGBM", loaded.Metadata.Trainer);
        Assert.StartsWith("Microsoft.ML.LightGbm 5.0.1, LightGBM 4.6.0", loaded.Metadata.TrainerVersion);
        // Models written before ML.NET (format 1, no missing-value directions) still load.
        Assert.Equal(model.Score(data), RankingModel.FromJson(model.ToJson().Replace("\"version\":2", "\"version\":1")).Score(data));
    }

    [Fact]
    public void Batch_and_single_row_scores_agree()
    {
        var (model, data) = Trained.Value;
        var batch = new double[data.RowCount];
        model.Score(data.Features, batch);
        for (int r = 0; r < data.RowCount; r++)
            Assert.Equal(model.Score(data.Row(r)), batch[r]);
        // Scores equal the sum of the trees' predictions.
        double manual = model.BaseScore + model.Trees.Sum(t => t.Predict(data.Row(5)));
        Assert.Equal(manual, batch[5], 9);
    }

    [Fact]
    public void Schema_mismatch_on_load_lists_the_differences()
    {
        var (model, data) = Trained.Value;
        var json = model.ToJson();
        var names = data.FeatureNames.ToArray();
        names[3] = "publications_rel";
        var ex = Assert.Throws<ModelSchemaException>(() => RankingModel.FromJson(json, names));
        Assert.Contains("missing in the caller's features: f4", ex.Message);
        Assert.Contains("not known to the model: publications_rel", ex.Message);

        var swapped = data.FeatureNames.ToArray();
        (swapped[0], swapped[1]) = (swapped[1], swapped[0]);
        var ex2 = Assert.Throws<ModelSchemaException>(() => RankingModel.FromJson(json, swapped));
        Assert.Contains("position 0: the model expects 'f1', the caller has 'f2'", ex2.Message);

        var shorter = data.FeatureNames.Take(11).ToArray();
        var ex3 = Assert.Throws<ModelSchemaException>(() => model.EnsureSchema(shorter));
        Assert.Contains("the model has 12 features, the caller 11", ex3.Message);

        Assert.Throws<ModelSchemaException>(() => model.Score(data.WithFeatureCount(13)));
    }

    [Fact]
    public void Corrupt_or_unsupported_documents_are_rejected()
    {
        var (model, _) = Trained.Value;
        Assert.Throws<InvalidDataException>(() => RankingModel.FromJson("{not json"));
        var future = model.ToJson().Replace("\"version\":2", "\"version\":99");
        Assert.Contains("Unsupported model version 99", Assert.Throws<InvalidDataException>(() => RankingModel.FromJson(future)).Message);
    }

    [Fact]
    public void Importance_reports_gain_and_split_counts()
    {
        var (model, _) = Trained.Value;
        var imp = model.Importance();
        Assert.Equal(12, imp.Count);
        Assert.Equal(model.Trees.Sum(t => t.NodeCount), imp.Sum(i => i.Splits));
        Assert.True(imp[0].Gain >= imp[^1].Gain);
    }
}
