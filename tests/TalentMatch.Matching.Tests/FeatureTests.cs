using System.Reflection;
using TalentMatch.Matching.Features;

namespace TalentMatch.Matching.Tests;

public class FeatureTests
{
    private static readonly FactsEncoder Enc = new();

    private static ProfileFacts Profile(
        string[]? fields = null, string[]? skills = null, DegreeLevel degree = DegreeLevel.Doctorate, int stage = 2,
        float years = 5, int pubs = 20, float h = 8, int grants = 1, TalentTier tier = TalentTier.None,
        string[]? cities = null, EmploymentModes modes = EmploymentModes.FullTime, string[]? langs = null, DateOnly? start = null) =>
        new(Enc.Fields(fields ?? ["MED.IMMUNO.TUMOUR"]), Enc.Skills(skills ?? ["flow cytometry", "python", "crispr"]), degree, stage, years,
            pubs, h, grants, tier, Enc.Cities(cities ?? []), modes, Enc.Languages(langs ?? ["en", "zh"]), start);

    private static PositionFacts Position(
        string[]? fields = null, string[]? req = null, string[]? pref = null, DegreeLevel minDegree = DegreeLevel.Master,
        int minStage = 2, int maxStage = 3, float minYears = 4, TalentTier tier = TalentTier.None, string city = "Hangzhou",
        EmploymentModes mode = EmploymentModes.FullTime, string[]? langs = null, DateOnly? deadline = null, DateOnly? start = null) =>
        new(Enc.Fields(fields ?? ["MED.IMMUNO.TUMOUR"]), Enc.Skills(req ?? ["python", "crispr"]), Enc.Skills(pref ?? ["r", "flow cytometry"]),
            minDegree, minStage, maxStage, minYears, tier, Enc.City(city), mode, Enc.Languages(langs ?? ["en"]), deadline, start);

    [Fact]
    public void Schema_has_documented_unique_names()
    {
        Assert.Equal(MatchFeatures.Count, MatchFeatures.Names.Count);
        Assert.Equal(MatchFeatures.Count, MatchFeatures.Names.Distinct().Count());
        for (int i = 0; i < MatchFeatures.Count; i++)
        {
            Assert.Equal(i, MatchFeatures.Definitions[i].Index);
            Assert.False(string.IsNullOrWhiteSpace(MatchFeatures.Definitions[i].Description));
        }
    }

    [Fact]
    public void Field_proximity_uses_common_dotted_prefix()
    {
        Assert.Equal(1f, ResearchFieldCode.Proximity(Enc.Field("MED.IMMUNO.TUMOUR"), Enc.Field("med.immuno.tumour")));
        Assert.Equal(2f / 3, ResearchFieldCode.Proximity(Enc.Field("MED.IMMUNO.TUMOUR"), Enc.Field("MED.IMMUNO.VACCINE")), 6);
        Assert.Equal(2f / 3, ResearchFieldCode.Proximity(Enc.Field("MED.IMMUNO"), Enc.Field("MED.IMMUNO.VACCINE")), 6);
        Assert.Equal(1f / 3, ResearchFieldCode.Proximity(Enc.Field("MED.NEURO.AGING"), Enc.Field("MED.IMMUNO.TUMOUR")), 6);
        Assert.Equal(0f, ResearchFieldCode.Proximity(Enc.Field("PHY.IMMUNO.TUMOUR"), Enc.Field("MED.IMMUNO.TUMOUR")));
        Assert.Equal(3, Enc.Field("A.B.C").Depth);
        Assert.Throws<ArgumentException>(() => Enc.Field("A.B.C.D.E"));

        var x = new MatchFeatureExtractor(Enc);
        // Position fields: TUMOUR (best 1) and NEURO.AGING (best 1/3 via MED) => mean 2/3, max 1.
        var f = x.Extract(Profile(fields: ["MED.IMMUNO.TUMOUR", "CHEM.ORG"]), Position(fields: ["MED.IMMUNO.TUMOUR", "MED.NEURO.AGING"]));
        Assert.Equal(2f / 3, f[MatchFeatures.FieldProximityMean], 6);
        Assert.Equal(1f, f[MatchFeatures.FieldProximityMax]);
    }

    [Fact]
    public void Hand_made_pair_gives_expected_values()
    {
        var x = new MatchFeatureExtractor(Enc, new FieldOutputNorms(
            new Dictionary<string, OutputNorm> { ["MED"] = new(40, 10, 2) }, FieldOutputNorms.DefaultNorm));
        var p = Profile(skills: ["Python", "flow cytometry"], degree: DegreeLevel.Doctorate, stage: 4, years: 6, pubs: 40, h: 30, grants: 0,
            tier: TalentTier.YoungTalent, cities: ["Shanghai", "Hangzhou"], modes: EmploymentModes.FullTime | EmploymentModes.Visiting,
            langs: ["en"], start: new DateOnly(2026, 3, 31));
        var q = Position(req: ["python", "crispr"], pref: ["r", "flow cytometry"], minDegree: DegreeLevel.Master, minStage: 2, maxStage: 3,
            minYears: 4, tier: TalentTier.National, city: "Hangzhou", mode: EmploymentModes.Visiting, langs: ["en", "zh"],
            deadline: new DateOnly(2026, 1, 31), start: new DateOnly(2026, 3, 1));
        var f = x.Extract(p, q);
        Assert.Equal(0.5f, f[MatchFeatures.RequiredSkillCoverage]);
        Assert.Equal(0.5f, f[MatchFeatures.PreferredSkillCoverage]);
        Assert.Equal((2f * 1 + 1) / (2f * 2 + 2), f[MatchFeatures.WeightedSkillCoverage], 6);
        Assert.Equal(1f, f[MatchFeatures.DegreeFit]);
        Assert.Equal(1f / 3, f[MatchFeatures.DegreeSurplus], 6);
        Assert.Equal(1f - 1f / 3, f[MatchFeatures.CareerStageFit], 6);
        Assert.Equal(1f / 3, f[MatchFeatures.CareerStageOffset], 6);
        Assert.Equal(1f, f[MatchFeatures.ExperienceFit]);
        Assert.Equal(0.2f, f[MatchFeatures.ExperienceSurplus], 6);
        Assert.Equal(0.5f, f[MatchFeatures.PublicationsRelative], 6);   // at the MED median
        Assert.Equal(30f / 40f, f[MatchFeatures.HIndexRelative], 6);
        Assert.Equal(0f, f[MatchFeatures.GrantsRelative]);
        Assert.Equal(1f - 2f / 3, f[MatchFeatures.TalentTierFit], 6);
        Assert.Equal(1f / 3, f[MatchFeatures.TalentTierLevel], 6);
        Assert.Equal(1f, f[MatchFeatures.CityMatch]);
        Assert.Equal(1f, f[MatchFeatures.EmploymentModeMatch]);
        Assert.Equal(0.5f, f[MatchFeatures.LanguageCoverage]);
        Assert.Equal(1f - 30f / 180f, f[MatchFeatures.AvailabilityFit], 6); // 30 days after the start date
    }

    [Fact]
    public void Mismatches_and_defaults()
    {
        var x = new MatchFeatureExtractor(Enc);
        var f = x.Extract(
            Profile(degree: DegreeLevel.Bachelor, stage: 1, years: 1, cities: ["Beijing"], modes: EmploymentModes.FlexiblePartTime, pubs: 20),
            Position(minDegree: DegreeLevel.Doctorate, minStage: 3, maxStage: 4, minYears: 4, city: "Hangzhou", mode: EmploymentModes.FullTime,
                req: [], pref: [], langs: []));
        Assert.Equal(1f - 2f / 3, f[MatchFeatures.DegreeFit], 6);
        Assert.Equal(0f, f[MatchFeatures.DegreeSurplus]);
        Assert.Equal(1f - 2f / 3, f[MatchFeatures.CareerStageFit], 6);
        Assert.Equal(-2f / 3, f[MatchFeatures.CareerStageOffset], 6);
        Assert.Equal(0.25f, f[MatchFeatures.ExperienceFit]);
        Assert.Equal(0f, f[MatchFeatures.CityMatch]);
        Assert.Equal(0f, f[MatchFeatures.EmploymentModeMatch]);
        Assert.Equal(1f, f[MatchFeatures.RequiredSkillCoverage]);
        Assert.Equal(1f, f[MatchFeatures.WeightedSkillCoverage]);
        Assert.Equal(1f, f[MatchFeatures.LanguageCoverage]);
        Assert.Equal(1f, f[MatchFeatures.AvailabilityFit]);
        Assert.Equal(0.5f, f[MatchFeatures.PublicationsRelative], 6); // default median 20
        Assert.Equal(1f, f[MatchFeatures.TalentTierFit]);            // no tier sought
        // No city preference => any city matches.
        Assert.Equal(1f, x.Extract(Profile(cities: []), Position(city: "Anywhere"))[MatchFeatures.CityMatch]);
    }

    [Fact]
    public void Input_types_carry_no_protected_attributes()
    {
        string[] forbidden = ["name", "gender", "sex", "age", "birth", "ethnic", "race", "nationality", "religion", "marital", "photo"];
        foreach (var type in new[] { typeof(ProfileFacts), typeof(PositionFacts) })
        {
            foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                // Compare whole CamelCase words ("Languages" is fine, "Age" or "BirthDate" is not).
                var words = System.Text.RegularExpressions.Regex.Matches(prop.Name, "[A-Z][a-z]*").Select(m => m.Value.ToLowerInvariant());
                foreach (var word in words)
                    Assert.False(forbidden.Any(f => word.StartsWith(f, StringComparison.Ordinal)), $"{type.Name}.{prop.Name} looks like a protected attribute");
            }
        }
        foreach (var name in MatchFeatures.Names)
            foreach (var word in new[] { "gender", "sex", "birth", "ethnic", "race", "nationality" })
                Assert.DoesNotContain(word, name);
    }

    [Fact]
    public void Encoder_ids_are_sorted_distinct_and_case_insensitive()
    {
        var e = new FactsEncoder();
        var ids = e.Skills(["b", "A", "a", " b ", ""]);
        Assert.Equal(2, ids.Length);
        Assert.True(ids[0] < ids[1]);
        Assert.Equal(e.Skills(["A"])[0], e.Skills(["a"])[0]);
        Assert.Equal(2, MatchFeatureExtractor.IntersectCount([1, 3, 5, 7], [2, 3, 7, 9]));
    }
}
