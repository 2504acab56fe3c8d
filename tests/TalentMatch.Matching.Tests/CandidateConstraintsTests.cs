using Microsoft.EntityFrameworkCore;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Shortlists;

namespace TalentMatch.Matching.Tests;

/// <summary>The hard constraints are one expression: its compiled form and its SQL translation must agree.</summary>
public sealed class CandidateConstraintsTests
{
    private static readonly PositionSnapshot Position = new()
    {
        PositionId = Guid.NewGuid(), ResearchFields = ["MED.IMMUNO.TUMOUR"], MinimumDegree = 3, CareerStageMin = 2, CareerStageMax = 3, EmploymentMode = 1,
    };

    private static CandidateProfile Candidate(Action<CandidateProfile>? change = null)
    {
        var c = new CandidateProfile
        {
            ProfileId = Guid.NewGuid(), ResearchFields = ["MED.IMMUNO"], FieldKeys = ResearchFieldKeys.For(["MED.IMMUNO"]), DegreeLevel = 3,
            CareerStage = 2, EmploymentModes = 1, ConsentToMatching = true,
        };
        change?.Invoke(c);
        return c;
    }

    [Fact]
    public void Each_rule_refuses_on_its_own()
    {
        Assert.True(CandidateConstraints.Satisfied(Candidate(), Position));
        Assert.False(CandidateConstraints.Satisfied(Candidate(c => c.Withdrawn = true), Position));
        Assert.False(CandidateConstraints.Satisfied(Candidate(c => c.ConsentToMatching = false), Position));
        Assert.False(CandidateConstraints.Satisfied(Candidate(c => c.DegreeLevel = 2), Position));
        Assert.False(CandidateConstraints.Satisfied(Candidate(c => c.CareerStage = 1), Position));
        Assert.False(CandidateConstraints.Satisfied(Candidate(c => c.CareerStage = 4), Position));
        Assert.False(CandidateConstraints.Satisfied(Candidate(c => c.EmploymentModes = 2), Position));
        Assert.False(CandidateConstraints.Satisfied(Candidate(c => c.FieldKeys = ResearchFieldKeys.For(["ENG.MAT"])), Position));
    }

    [Fact]
    public void The_hand_written_check_agrees_with_the_rule_on_every_seed_position_and_2000_generated_profiles()
    {
        var positions = TalentMatch.ReferenceData.SeedPositions.Load().All.Select(Synthetic.SyntheticMapping.Position).ToList();
        var profiles = new TalentMatch.SyntheticData.ProfileGenerator(99).Generate(2000).Select(Synthetic.SyntheticMapping.Candidate).ToList();
        profiles[0].Withdrawn = true;
        profiles[1].ConsentToMatching = false;
        var accepted = 0;
        foreach (var position in positions)
        {
            var keys = ResearchFieldKeys.QueryKeys(position.ResearchFields);
            foreach (var profile in profiles)
            {
                var expected = CandidateConstraints.ByRule(profile, position, keys);
                Assert.Equal(expected, CandidateConstraints.Satisfied(profile, position));
                accepted += expected ? 1 : 0;
            }
        }

        // Both outcomes occur often enough for the comparison to mean something.
        Assert.InRange(accepted, positions.Count * profiles.Count / 100, positions.Count * profiles.Count / 2);
    }

    [Fact]
    public void The_candidate_pool_query_is_the_same_rule_with_the_position_as_parameters()
    {
        using var db = new MatchingDbContext(new DbContextOptionsBuilder<MatchingDbContext>().UseNpgsql("Host=unused").Options);
        var sql = db.CandidateProfiles.Where(CandidateConstraints.For(Position)).ToQueryString();
        // The field overlap stays an array operator (GIN-indexed), and no value of the position is inlined.
        Assert.Contains("&&", sql);
        Assert.Contains("consent_to_matching", sql);
        Assert.Contains("employment_modes", sql);
        Assert.DoesNotContain("MED.IMMUNO", sql.Split("SELECT")[^1]);
    }
}
