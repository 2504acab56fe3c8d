using TalentMatch.Matching.Baseline;
using TalentMatch.Matching.ReadModel;

namespace TalentMatch.Matching.Tests;

public sealed class BaselineScorerTests
{
    [Theory]
    [InlineData("MED.IMMUNO.TUMOUR", "MED.IMMUNO.TUMOUR", 1.0)]
    [InlineData("MED.IMMUNO.TUMOUR", "MED.IMMUNO", 1.0)] // inside the wanted field
    [InlineData("MED.IMMUNO", "MED.IMMUNO.TUMOUR", 2.0 / 3)] // broader than wanted
    [InlineData("MED.IMMUNO.INFECT", "MED.IMMUNO.TUMOUR", 2.0 / 3)] // sibling subfield
    [InlineData("MED.NEURO.AD", "MED.IMMUNO", 0.5)] // same discipline
    [InlineData("ENG.MATERIALS", "MED.IMMUNO.TUMOUR", 0.0)]
    [InlineData("MED.IMMUNOLOGY", "MED.IMMUNO", 0.5)] // a shared prefix of letters is not a shared segment
    public void Proximity_follows_the_taxonomy(string have, string wanted, double expected) =>
        Assert.Equal(expected, BaselineScorer.Proximity(have, wanted), 6);

    [Fact]
    public void The_score_is_the_weighted_sum_of_its_parts_computed_by_hand()
    {
        var profile = new CandidateProfile
        {
            ResearchFields = ["MED.IMMUNO.TUMOUR"],
            Skills = ["flow cytometry", "elisa"],
            DegreeLevel = 2,
            YearsOfExperience = 4,
        };
        var position = new PositionSnapshot
        {
            ResearchFields = ["MED.IMMUNO", "LIFE.BIOINFO"],
            RequiredSkills = ["flow cytometry", "crispr screening"],
            PreferredSkills = ["elisa"],
            MinimumDegree = 3,
            MinimumYears = 8,
        };

        var score = BaselineScorer.Score(profile, position);

        // fields: (1 + 0) / 2 = 0.5; skills: 0.75 * 1/2 + 0.25 * 1 = 0.625; degree: 1 - 0.5 = 0.5; experience: 4/8 = 0.5
        Assert.Equal([0.5, 0.625, 0.5, 0.5], score.Parts.Select(p => p.Value));
        Assert.Equal(0.4 * 0.5 + 0.3 * 0.625 + 0.15 * 0.5 + 0.15 * 0.5, score.Score, 6);
        Assert.Equal(score.Score, score.Parts.Sum(p => p.Contribution), 6);
    }

    [Fact]
    public void A_perfect_fit_scores_one_and_no_requirements_count_as_met()
    {
        var profile = new CandidateProfile { ResearchFields = ["LIFE.BIOINFO"], DegreeLevel = 3, YearsOfExperience = 1 };
        var position = new PositionSnapshot { ResearchFields = ["LIFE.BIOINFO"], MinimumDegree = 3 };

        Assert.Equal(1.0, BaselineScorer.Score(profile, position).Score, 6);
    }

    [Fact]
    public void Index_keys_cover_discipline_and_field_and_queries_use_the_field_level()
    {
        Assert.Equal(["MED", "MED.IMMUNO", "LIFE", "LIFE.BIOINFO"], ResearchFieldKeys.For(["MED.IMMUNO.TUMOUR", "MED.IMMUNO", "LIFE.BIOINFO"]));
        Assert.Equal(["MED.IMMUNO", "ENG"], ResearchFieldKeys.QueryKeys(["MED.IMMUNO.TUMOUR", "ENG"]));
    }
}
