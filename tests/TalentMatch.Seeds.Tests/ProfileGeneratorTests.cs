using System.Text.Json;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

namespace TalentMatch.Seeds.Tests;

public class ProfileGeneratorTests
{
    private static readonly List<SyntheticProfile> Sample = new ProfileGenerator(20260701).Generate(10_000).ToList();

    private static string Json(IEnumerable<SyntheticProfile> profiles) => JsonSerializer.Serialize(profiles);

    [Fact]
    public void Same_seed_gives_identical_output()
    {
        var a = Json(new ProfileGenerator(42).Generate(500));
        var b = Json(new ProfileGenerator(42).Generate(500));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Enumerating_again_restarts_from_the_seed()
    {
        var g = new ProfileGenerator(42);
        var seq = g.Generate(50);
        Assert.Equal(Json(seq), Json(seq));
        Assert.Equal(Json(g.Generate(20)), Json(g.Generate(50).Take(20)));
    }

    [Fact]
    public void Different_seed_gives_different_output()
    {
        var a = new ProfileGenerator(42).Generate(100).ToList();
        var b = new ProfileGenerator(43).Generate(100).ToList();
        Assert.NotEqual(Json(a), Json(b));
        Assert.True(a.Zip(b).Count(x => x.First.FullName != x.Second.FullName) > 50);
    }

    [Fact]
    public void Generate_streams_lazily()
    {
        var first = new ProfileGenerator(1).Generate(int.MaxValue).Take(3).ToList();
        Assert.Equal(3, first.Count);
    }

    [Fact]
    public void Profiles_reference_only_known_codes_skills_and_titles()
    {
        var taxonomy = ResearchFieldTaxonomy.Load();
        var skills = SkillVocabulary.Load();
        var stages = CareerStages.Load();
        var institutions = Institutions.Load();
        Assert.All(Sample, p =>
        {
            Assert.InRange(p.ResearchFields.Length, 1, 3);
            Assert.Equal(p.ResearchFields.Length, p.ResearchFields.Distinct().Count());
            Assert.All(p.ResearchFields, f => Assert.Equal(FieldLevel.Subfield, taxonomy.Get(f).Level));
            Assert.All(p.Skills, s => Assert.True(skills.Contains(s), s));
            Assert.Equal(p.Skills.Length, p.Skills.Distinct().Count());
            Assert.True(stages.TryGetStageOfTitle(p.CurrentTitle.En, out var stage, out var track));
            Assert.Equal(p.CareerStage, stage!.Stage);
            Assert.Equal(p.Track, track);
            if (p.CurrentInstitutionId is { } id)
            {
                Assert.Equal(p.CurrentInstitution, institutions.Get(id).NameEn);
            }

            Assert.All(p.Degrees, d => Assert.True(taxonomy.Contains(d.FieldCode), d.FieldCode));
            Assert.Equal(p.HighestDegree, p.Degrees.Max(d => d.Level));
            Assert.True(p.Degrees.Select(d => d.Year).SequenceEqual(p.Degrees.Select(d => d.Year).Order()));
            Assert.True(p.Degrees[^1].Year <= 2026);
            if (p.Orcid is not null)
            {
                Assert.True(Orcid.IsValid(p.Orcid), p.Orcid);
            }

            Assert.Matches("^[a-z0-9]+\\.[a-z0-9]+[0-9]+@[a-z.]*example\\.(com|org|net)$", p.Email);
            Assert.NotEqual(EmploymentModes.None, p.EmploymentModes);
            Assert.InRange(p.PreferredCities.Length, 0, 3);
            Assert.Equal(p.PreferredCities.Length, p.PreferredCities.Distinct().Count());
            Assert.True(p.HIndex <= p.PublicationsCount);
            Assert.Equal(p.ConsentToMatching, p.ConsentGivenAt is not null);
            Assert.Contains(p.HasChineseName ? "zh" : "en", p.Languages);
            Assert.Equal(p.Languages.Length, p.Languages.Distinct().Count());
        });
        Assert.Equal(Sample.Count, Sample.Select(p => p.Id).Distinct().Count());
        Assert.Equal(Sample.Count, Sample.Select(p => p.Email).Distinct().Count());
    }

    [Fact]
    public void Career_stage_distribution_is_roughly_30_35_25_10()
    {
        double Share(CareerStage s) => Sample.Count(p => p.CareerStage == s) / (double)Sample.Count;
        Assert.InRange(Share(CareerStage.R1), 0.27, 0.33);
        Assert.InRange(Share(CareerStage.R2), 0.32, 0.38);
        Assert.InRange(Share(CareerStage.R3), 0.22, 0.28);
        Assert.InRange(Share(CareerStage.R4), 0.08, 0.12);
    }

    [Fact]
    public void Consent_is_about_95_percent_and_names_mostly_chinese()
    {
        Assert.InRange(Sample.Count(p => p.ConsentToMatching) / (double)Sample.Count, 0.93, 0.97);
        Assert.InRange(Sample.Count(p => p.HasChineseName) / (double)Sample.Count, 0.85, 0.91);
        Assert.Contains(Sample, p => !p.HasChineseName);
        Assert.All(Sample.Where(p => p.HasChineseName), p => Assert.Matches("^[A-Z][a-z]+ [A-Z][a-z]+$", p.FullName));
    }

    [Fact]
    public void Experience_output_and_honours_grow_with_stage()
    {
        var byStage = Sample.GroupBy(p => p.CareerStage).OrderBy(g => g.Key).ToList();
        double Median(IEnumerable<double> xs)
        {
            var a = xs.Order().ToArray();
            return a[a.Length / 2];
        }

        var years = byStage.Select(g => Median(g.Select(p => p.YearsOfExperience))).ToArray();
        var pubs = byStage.Select(g => Median(g.Select(p => (double)p.PublicationsCount))).ToArray();
        var grants = byStage.Select(g => g.Average(p => p.GrantsLed)).ToArray();
        for (var i = 1; i < 4; i++)
        {
            Assert.True(years[i] > years[i - 1]);
            Assert.True(pubs[i] > pubs[i - 1]);
            Assert.True(grants[i] > grants[i - 1]);
        }

        Assert.InRange(pubs[0], 0, 3);
        Assert.InRange(pubs[3], 40, 120);
        Assert.All(byStage[0], p => Assert.Equal(TalentTier.None, p.TalentTier));
        Assert.DoesNotContain(byStage[1], p => p.TalentTier > TalentTier.Young);
        Assert.InRange(Sample.Count(p => p.TalentTier == TalentTier.None) / (double)Sample.Count, 0.82, 0.92);
        Assert.InRange(byStage[3].Count(p => p.TalentTier == TalentTier.National) / (double)byStage[3].Count(), 0.10, 0.20);
        // Publications are right-skewed: mean above median.
        Assert.True(byStage[2].Average(p => p.PublicationsCount) > Median(byStage[2].Select(p => (double)p.PublicationsCount)));
    }

    [Fact]
    public void Degrees_are_consistent_with_stage()
    {
        Assert.All(Sample.Where(p => p.CareerStage == CareerStage.R1), p => Assert.NotEqual(DegreeLevel.Doctorate, p.HighestDegree));
        var researchR2Plus = Sample.Where(p => p.Track == TitleTrack.Research && p.CareerStage >= CareerStage.R2).ToList();
        Assert.InRange(researchR2Plus.Count(p => p.HighestDegree == DegreeLevel.Doctorate) / (double)researchR2Plus.Count, 0.94, 1.0);
    }

    [Fact]
    public void Fields_are_clustered_and_skills_mostly_match_the_fields()
    {
        var multi = Sample.Where(p => p.ResearchFields.Length > 1).ToList();
        var sameDiscipline = multi.Count(p => p.ResearchFields.Skip(1).All(f => ResearchFieldTaxonomy.Proximity(f, p.ResearchFields[0]) >= 1.0 / 3));
        Assert.True(sameDiscipline / (double)multi.Count > 0.75);

        var vocabulary = SkillVocabulary.Load();
        var total = 0;
        var matched = 0;
        foreach (var p in Sample)
        {
            foreach (var s in p.Skills)
            {
                var skill = vocabulary.All.First(x => x.Name == s);
                total++;
                if (skill.Fields.Any(f => p.ResearchFields.Any(pf => ResearchFieldTaxonomy.IsSelfOrAncestor(f, pf))))
                {
                    matched++;
                }
            }
        }

        Assert.InRange(matched / (double)total, 0.75, 0.95);
    }

    [Fact]
    public void Employment_modes_and_cities_follow_the_documented_shares()
    {
        Assert.InRange(Sample.Count(p => p.EmploymentModes.HasFlag(EmploymentModes.FullTime)) / (double)Sample.Count, 0.85, 0.95);
        var senior = Sample.Where(p => p.CareerStage >= CareerStage.R3).ToList();
        var junior = Sample.Where(p => p.CareerStage <= CareerStage.R2).ToList();
        Assert.True(senior.Count(p => p.EmploymentModes.HasFlag(EmploymentModes.FlexiblePartTime)) / (double)senior.Count
                    > junior.Count(p => p.EmploymentModes.HasFlag(EmploymentModes.FlexiblePartTime)) / (double)junior.Count);
        var seedCities = Institutions.Load().Cities;
        var allPreferred = Sample.SelectMany(p => p.PreferredCities).ToList();
        Assert.InRange(allPreferred.Count(seedCities.Contains) / (double)allPreferred.Count, 0.6, 0.8);
        Assert.InRange(Sample.Count(p => p.PreferredCities.Length == 0) / (double)Sample.Count, 0.12, 0.18);
    }

    [Fact]
    public void Dates_are_relative_to_the_reference_date()
    {
        var reference = ProfileGenerator.DefaultReferenceDate;
        Assert.All(Sample, p =>
        {
            Assert.InRange(p.EarliestStartDate, reference, reference.AddDays(366));
            if (p.ConsentGivenAt is { } at)
            {
                Assert.True(at <= new DateTimeOffset(reference.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
                Assert.True(at >= new DateTimeOffset(reference.AddDays(-731).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
            }
        });
    }
}
