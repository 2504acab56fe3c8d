using Microsoft.ML;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Synthetic;
using TalentMatch.Matching.Shortlists;
using TalentMatch.Matching.Features;
using TalentMatch.Ranking.MlNet;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;
using Xunit.Abstractions;

namespace TalentMatch.Matching.Tests;

/// <summary>
/// The champion the loop trains (ML.NET LightGBM, read into the platform's trees) scores real profile × position pairs
/// exactly as ML.NET's own model does, and its TreeSHAP explanations add up to the score.
/// </summary>
public sealed class MlNetParityTests(ITestOutputHelper output)
{
    [Fact]
    public void Platform_scores_equal_ML_NETs_on_10000_generated_pairs_and_explanations_add_up()
    {
        var options = new LearningOptions();
        var split = TrainingData.Split(ColdStartHistoryGenerator.Rows(profiles: 1000), options.HeldOutFraction);
        var trained = new MlNetRankingTrainer(options.TrainerOptions()).Train(split.Train);
        Assert.Equal("ML.NET LightGBM", trained.Model.Metadata.Trainer);
        Assert.Equal(options.Trees, trained.Model.Trees.Count);

        // 10,000 pairs the model never saw: 250 new profiles × the 40 seed positions, through the live feature code.
        var facts = new MatchFacts();
        var positions = SeedPositions.Load().All.Select(p => facts.Position(SyntheticMapping.Position(p))).ToArray();
        var profiles = new ProfileGenerator(777).Generate(10_000 / positions.Length).Select(p => facts.Profile(SyntheticMapping.Candidate(p))).ToArray();
        const int Pairs = 10_000;
        Assert.Equal(Pairs, profiles.Length * positions.Length);
        var x = new float[Pairs * MatchFeatures.Count];
        var i = 0;
        foreach (var profile in profiles)
            foreach (var position in positions)
                facts.Features(profile, position, x.AsSpan(i++ * MatchFeatures.Count, MatchFeatures.Count));

        // ML.NET's scores come from the zip the registry stores, loaded as a data scientist would.
        var ml = new MLContext(1);
        using var zip = new MemoryStream(trained.MlNetModelZip);
        var mlnet = RankingData.Scores(ml.Model.Load(zip, out _), RankingData.FeaturesView(ml, x, MatchFeatures.Count));
        var ours = new double[Pairs];
        trained.Model.Score(x, ours);

        var worst = 0.0;
        for (var r = 0; r < Pairs; r++)
        {
            var row = x.AsSpan(r * MatchFeatures.Count, MatchFeatures.Count);
            var relative = Math.Abs(ours[r] - mlnet[r]) / Math.Max(Math.Abs(mlnet[r]), 1e-6);
            worst = Math.Max(worst, relative);
            Assert.True(relative <= 1e-5, $"pair {r}: ML.NET {mlnet[r]:R}, platform {ours[r]:R}");
            var why = trained.Model.Explain(row);
            Assert.Equal(ours[r], why.Score);
            Assert.Equal(why.Score, why.Bias + why.Contributions.Sum(), 9);
        }

        Assert.True(ours.Distinct().Count() > 1000, "the pairs should get many different scores");
        output.WriteLine($"{Pairs} pairs: largest relative difference to ML.NET {worst:E2}");
    }
}
