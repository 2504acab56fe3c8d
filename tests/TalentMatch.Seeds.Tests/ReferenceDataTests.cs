using TalentMatch.ReferenceData;

namespace TalentMatch.Seeds.Tests;

public class ReferenceDataTests
{
    private static readonly ResearchFieldTaxonomy Taxonomy = ResearchFieldTaxonomy.Load();
    private static readonly SkillVocabulary Skills = SkillVocabulary.Load();
    private static readonly Institutions Institutions = Institutions.Load();
    private static readonly SeedPositions Positions = SeedPositions.Load();
    private static readonly CareerStages Stages = CareerStages.Load();

    private static readonly string[] SeedDocuments =
    [
        "000_df68c68afe6aee6b.txt", "001_dd67f366b9abc124.txt", "002_4b2829e973078baa.txt",
        "003_3c3f61fc764720dc.txt", "004_fc99057d46c0a617.txt",
    ];

    [Fact]
    public void Skills_are_unique_lower_case_and_their_fields_resolve()
    {
        Assert.InRange(Skills.All.Length, 140, 170);
        Assert.Equal(Skills.All.Length, Skills.All.Select(s => s.Name).Distinct().Count());
        Assert.All(Skills.All, s =>
        {
            Assert.Equal(s.Name.ToLowerInvariant(), s.Name);
            Assert.Equal(s.Name.Trim(), s.Name);
            Assert.Contains(s.Category, Skills.Categories);
            Assert.All(s.Fields, f => Assert.True(Taxonomy.Contains(f), $"{s.Name}: {f}"));
        });
    }

    [Fact]
    public void Every_subfield_has_associated_skills()
    {
        Assert.All(Taxonomy.Subfields, f => Assert.True(Skills.ForField(f.Code).Count() >= 4, f.Code));
    }

    [Fact]
    public void Seed_campaigns_recruit_for_open_seed_positions_of_their_own_institutions()
    {
        var campaigns = SeedCampaigns.All;
        Assert.Equal(3, campaigns.Length);
        Assert.Equal(campaigns.Length, campaigns.Select(c => c.Id).Distinct().Count());
        Assert.All(campaigns, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.NameEn), c.Key);
            Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", c.NameZh);
            Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", c.Organiser.NameZh);
            Assert.True(c.Organiser.InstitutionId is null || Institutions.TryGet(c.Organiser.InstitutionId.Value, out _), c.Key);
            Assert.NotEmpty(c.InstitutionIds);
            Assert.All(c.InstitutionIds, i => Assert.True(Institutions.TryGet(i, out _), $"{c.Key}: {i}"));
            Assert.True(c.ClosesOn >= c.OpensOn, c.Key);
            Assert.NotEmpty(c.PositionIds);
            Assert.All(c.PositionIds, id =>
            {
                Assert.True(Positions.TryGet(id, out var p), $"{c.Key}: {id}");
                Assert.Equal(PositionStatus.Open, p!.Status);
                Assert.Contains(p.InstitutionId, c.InstitutionIds);
            });
            // The target is reachable with the positions' headcount.
            Assert.InRange(c.TargetHires, 1, c.PositionIds.Sum(id => Positions.TryGet(id, out var p) ? p!.Headcount : 0));
            Assert.All(c.Source.Split(',', ';').Take(1), s => Assert.Matches(@"^\d{3}", s.Trim()));
        });
        // The Mianyang campaign: at CQMU, for the Third People's Hospital of Mianyang, with an ambassador's letter.
        var mianyang = campaigns.Single(c => c.Key == "science-and-technology-mianyang-city-2025");
        Assert.Null(mianyang.Organiser.InstitutionId);
        Assert.NotNull(mianyang.AmbassadorLetter);
        Assert.Contains(Institutions.All, i => i.Slug == "mianyang-third-peoples-hospital" && mianyang.InstitutionIds.Contains(i.Id));
    }

    [Fact]
    public void Institutions_are_well_formed()
    {
        Assert.InRange(Institutions.All.Length, 9, 20);
        Assert.Equal(Institutions.All.Length, Institutions.All.Select(i => i.Id).Distinct().Count());
        Assert.Equal(Institutions.All.Length, Institutions.All.Select(i => i.Slug).Distinct().Count());
        Assert.All(Institutions.All, i =>
        {
            Assert.NotEqual(Guid.Empty, i.Id);
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", i.Slug);
            Assert.Contains(i.NameZh, ch => ch >= '\u4e00' && ch <= '\u9fff');
            Assert.NotEmpty(i.FocusFields);
            Assert.All(i.FocusFields, f => Assert.True(Taxonomy.Contains(f), $"{i.Slug}: {f}"));
            Assert.NotEmpty(i.Source);
            Assert.All(i.Source, s => Assert.Contains(s, SeedDocuments));
        });
    }

    [Theory]
    [InlineData("cqmu", "重庆医科大学", "Chongqing", InstitutionKind.University)]
    [InlineData("jinfeng-laboratory", "金凤实验室", "Chongqing", InstitutionKind.Laboratory)]
    [InlineData("chongqing-international-institute-for-immunology", "重庆国际免疫研究院", "Chongqing", InstitutionKind.Institute)]
    [InlineData("shenzhen-bay-laboratory", "深圳湾实验室", "Shenzhen", InstitutionKind.Laboratory)]
    [InlineData("pku-shenzhen-research-institute", "北京大学深圳研究院", "Shenzhen", InstitutionKind.Institute)]
    [InlineData("west-china-hospital", "四川大学华西医院", "Chengdu", InstitutionKind.Hospital)]
    [InlineData("mianyang-third-peoples-hospital", "绵阳市第三人民医院", "Mianyang", InstitutionKind.Hospital)]
    [InlineData("cqmu-international-institute-of-in-vitro-diagnostics", "重庆医科大学国际体外诊断研究院", "Chongqing", InstitutionKind.Institute)]
    [InlineData("national-pediatric-clinical-research-center", "国家儿童健康与疾病临床医学研究中心（重庆医科大学附属儿童医院）", "Chongqing", InstitutionKind.Hospital)]
    public void Required_institutions_are_present(string slug, string nameZh, string city, InstitutionKind kind)
    {
        var i = Institutions.GetBySlug(slug);
        Assert.Equal(nameZh, i.NameZh);
        Assert.Equal(city, i.City);
        Assert.Equal(kind, i.Kind);
    }

    [Fact]
    public void Every_position_resolves_its_institution_fields_and_skills()
    {
        Assert.InRange(Positions.All.Length, 30, 50);
        Assert.Equal(Positions.All.Length, Positions.All.Select(p => p.Id).Distinct().Count());
        Assert.All(Positions.All, p =>
        {
            Assert.True(Institutions.TryGet(p.InstitutionId, out var inst), p.Title);
            Assert.Equal(inst!.City, p.City);
            Assert.NotEmpty(p.ResearchFields);
            Assert.All(p.ResearchFields, f =>
            {
                Assert.True(Taxonomy.TryGet(f, out var node), $"{p.Title}: {f}");
                Assert.NotEqual(FieldLevel.Discipline, node!.Level);
            });
            Assert.NotEmpty(p.RequiredSkills);
            Assert.All(p.RequiredSkills.Concat(p.PreferredSkills), s => Assert.True(Skills.Contains(s), $"{p.Title}: {s}"));
            Assert.Empty(p.RequiredSkills.Intersect(p.PreferredSkills));
            Assert.True(p.CareerStageMin <= p.CareerStageMax, p.Title);
            Assert.True(p.SalaryBand.MinCny > 0 && p.SalaryBand.MinCny <= p.SalaryBand.MaxCny, p.Title);
            Assert.True(p.Headcount >= 1);
            Assert.True(p.MinimumYears >= 0);
            Assert.Equal(2027, p.ApplicationDeadline.Year);
            Assert.Contains(p.Source, SeedDocuments);
            Assert.Contains(p.Source, inst.Source);
            Assert.True(p.EmploymentMode is EmploymentModes.FullTime or EmploymentModes.FlexiblePartTime or EmploymentModes.Visiting);
            Assert.InRange(p.Description.Split(". ").Length, 2, 4);
        });
    }

    [Fact]
    public void Positions_include_flexible_visiting_and_draft_posts()
    {
        Assert.True(Positions.All.Count(p => p.EmploymentMode == EmploymentModes.FlexiblePartTime) >= 4);
        Assert.Contains(Positions.All, p => p.EmploymentMode == EmploymentModes.Visiting);
        var drafts = Positions.All.Count(p => p.Status == PositionStatus.Draft);
        Assert.InRange(drafts, 1, Positions.All.Length / 4);
    }

    [Fact]
    public void Every_institution_that_recruits_has_a_position()
    {
        Assert.All(Institutions.All, i => Assert.NotEmpty(Positions.ForInstitution(i.Id)));
    }

    [Fact]
    public void Every_title_in_the_crosswalk_is_under_exactly_one_stage()
    {
        var all = Stages.Stages
            .SelectMany(s => s.ResearchTitles.Concat(s.ClinicalGrades).Select(t => (s.Stage, t)))
            .ToList();
        Assert.Equal(all.Count, all.Select(x => x.t.En).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(all.Count, all.Select(x => x.t.Zh).Distinct().Count());
        foreach (var (stage, title) in all)
        {
            Assert.True(Stages.TryGetStageOfTitle(title.Zh, out var s, out _));
            Assert.Equal(stage, s!.Stage);
        }
    }

    [Theory]
    [InlineData("博士后", CareerStage.R2, TitleTrack.Research)]
    [InlineData("助理研究员", CareerStage.R2, TitleTrack.Research)]
    [InlineData("讲师", CareerStage.R2, TitleTrack.Research)]
    [InlineData("副研究员", CareerStage.R3, TitleTrack.Research)]
    [InlineData("副教授", CareerStage.R3, TitleTrack.Research)]
    [InlineData("课题组长/PI", CareerStage.R3, TitleTrack.Research)]
    [InlineData("研究员", CareerStage.R4, TitleTrack.Research)]
    [InlineData("教授", CareerStage.R4, TitleTrack.Research)]
    [InlineData("住院医师", CareerStage.R1, TitleTrack.Clinical)]
    [InlineData("主治医师", CareerStage.R2, TitleTrack.Clinical)]
    [InlineData("副主任医师", CareerStage.R3, TitleTrack.Clinical)]
    [InlineData("主任医师", CareerStage.R4, TitleTrack.Clinical)]
    [InlineData("Postdoctoral researcher", CareerStage.R2, TitleTrack.Research)]
    public void Crosswalk_maps_required_titles(string title, CareerStage expected, TitleTrack track)
    {
        Assert.True(Stages.TryGetStageOfTitle(title, out var stage, out var t));
        Assert.Equal(expected, stage!.Stage);
        Assert.Equal(track, t);
    }

    [Fact]
    public void Embedded_resources_are_readable()
    {
        foreach (var f in new[] { SeedResources.ResearchFieldsFile, SeedResources.CareerStagesFile, SeedResources.InstitutionsFile, SeedResources.PositionsFile, SeedResources.SkillsFile })
        {
            Assert.StartsWith("{", SeedResources.ReadText(f).TrimStart());
        }
    }
}
