using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Synthetic;

namespace TalentMatch.Matching.Tests;

public sealed class ColdStartHistoryTests
{
    [Fact]
    public void The_embedded_history_is_what_the_synthetic_data_generator_makes()
    {
        // The service ships the file, not the generator: a change to the generator, the hidden utility, the seed
        // positions or the read-model mapping must come with a regenerated file (the command is in the README).
        var embedded = ColdStartHistory.Load();
        var generated = ColdStartHistoryGenerator.Generate();
        Assert.Equal(generated.ToJson(), embedded.ToJson());
        Assert.Equal(40, embedded.Positions.Count); // every seed position, drafts included
        Assert.InRange(embedded.Decisions.Count, 2000, 3000);
        Assert.Equal(Enumerable.Range(0, 5), embedded.Decisions.Select(d => d.Label).Distinct().Order());
    }

    [Fact]
    public void Its_rows_are_featurised_by_the_live_feature_code()
    {
        var rows = ColdStartHistory.Load().Rows();
        var fresh = ColdStartHistoryGenerator.Rows();
        Assert.Equal(fresh.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(fresh[i].PositionId, rows[i].PositionId);
            Assert.Equal(fresh[i].Label, rows[i].Label);
            Assert.Equal(fresh[i].Features, rows[i].Features);
            Assert.Equal(fresh[i].BaselineScore, rows[i].BaselineScore);
        }
    }
}
