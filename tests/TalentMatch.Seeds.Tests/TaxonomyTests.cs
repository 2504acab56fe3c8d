using TalentMatch.ReferenceData;

namespace TalentMatch.Seeds.Tests;

public class TaxonomyTests
{
    private static readonly ResearchFieldTaxonomy Taxonomy = ResearchFieldTaxonomy.Load();

    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        var codes = Taxonomy.All.Select(f => f.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, c => Assert.Matches("^[A-Z][A-Z0-9]*(\\.[A-Z][A-Z0-9]*){0,2}$", c));
        Assert.All(Taxonomy.All, f => Assert.Equal((int)f.Level, f.Code.Split('.').Length));
    }

    [Fact]
    public void Every_child_code_starts_with_its_parent_code_and_a_dot()
    {
        foreach (var f in Taxonomy.All)
        {
            if (f.Level == FieldLevel.Discipline)
            {
                Assert.Null(f.ParentCode);
                continue;
            }

            Assert.NotNull(f.ParentCode);
            Assert.StartsWith(f.ParentCode + ".", f.Code, StringComparison.Ordinal);
            Assert.Contains(f.Code, Taxonomy.Get(f.ParentCode!).ChildCodes);
            Assert.Equal(f.ParentCode, Taxonomy.GetParent(f.Code)!.Code);
        }
    }

    [Fact]
    public void Labels_are_present_and_chinese_labels_contain_chinese()
    {
        Assert.All(Taxonomy.All, f =>
        {
            Assert.False(string.IsNullOrWhiteSpace(f.En));
            Assert.Contains(f.Zh, ch => ch >= '\u4e00' && ch <= '\u9fff');
        });
    }

    [Fact]
    public void Sizes_are_as_documented()
    {
        Assert.InRange(Taxonomy.Disciplines.Length, 8, 10);
        Assert.InRange(Taxonomy.Fields.Length, 38, 50);
        Assert.InRange(Taxonomy.Subfields.Length, 80, 125);
        Assert.Equal(Taxonomy.All.Length, Taxonomy.Disciplines.Length + Taxonomy.Fields.Length + Taxonomy.Subfields.Length);
    }

    [Theory]
    [InlineData("MED.IMMUNO", "immunology")]
    [InlineData("MED.IMMUNO.TUMOUR", "tumour immunology")]
    [InlineData("MED.PATH.INTEL", "intelligent pathology")]
    [InlineData("NEURO", "brain science and brain disease")]
    [InlineData("DIAG", "laboratory medicine / medical testing and in vitro diagnostics")]
    [InlineData("DIAG.IVD", "in vitro diagnostics")]
    [InlineData("BIOMED.TUMOUR", "tumours")]
    [InlineData("CLIN.ONCO", "oncology clinic")]
    [InlineData("BIOMED.METAB", "metabolism")]
    [InlineData("BIOMED.CARDIO", "cardiovascular disease")]
    [InlineData("NEURO.DEGEN", "neurodegenerative disease")]
    [InlineData("INFO.BIOINF", "life information and bioinformatics")]
    [InlineData("BIOMED", "biomedicine")]
    [InlineData("BIOMED.THERAP", "biomedicine (therapeutics)")]
    [InlineData("ENG.BME", "medical engineering")]
    [InlineData("ENG.MAT", "materials science")]
    [InlineData("INFO.AI", "artificial intelligence")]
    [InlineData("CLIN.PAED", "paediatrics")]
    [InlineData("MED.MICRO.MOLINF", "molecular biology of infectious diseases")]
    [InlineData("PHARM", "pharmacy")]
    [InlineData("MED", "basic medicine")]
    [InlineData("CLIN.CARDIO", "cardiology")]
    [InlineData("CLIN.NEURO", "neurology")]
    [InlineData("CLIN.EMERG", "emergency")]
    [InlineData("CLIN.SURG", "surgery")]
    [InlineData("CLIN.OBGYN", "obstetrics")]
    [InlineData("CLIN.RADIO", "radiology")]
    public void Covers_required_area(string code, string area)
    {
        Assert.True(Taxonomy.Contains(code), $"{area}: {code} missing");
    }

    [Theory]
    [InlineData("Immunology", "免疫学")]
    [InlineData("Intelligent pathology", "智能病理学")]
    [InlineData("Brain Science and Brain Disease", "脑科学与脑疾病")]
    [InlineData("Molecular biology of infectious diseases", "感染性疾病分子生物学")]
    [InlineData("Paediatrics", "儿科学")]
    [InlineData("Pharmacy and Pharmaceutical Sciences", "药学")]
    [InlineData("Basic Medical Sciences", "基础医学")]
    [InlineData("Materials science", "材料科学")]
    [InlineData("Artificial intelligence", "人工智能")]
    public void Required_areas_have_expected_labels(string en, string zh)
    {
        var f = Taxonomy.All.Single(x => x.En == en);
        Assert.Equal(zh, f.Zh);
    }

    [Fact]
    public void Clinical_medicine_has_several_specialties()
    {
        Assert.True(Taxonomy.GetChildren("CLIN").Length >= 7);
    }

    [Theory]
    [InlineData("MED.IMMUNO.TUMOUR", "MED.IMMUNO.TUMOUR", 1.0)]
    [InlineData("MED.IMMUNO.TUMOUR", "MED.IMMUNO.AUTO", 2.0 / 3)]
    [InlineData("MED.IMMUNO.TUMOUR", "MED.IMMUNO", 2.0 / 3)]
    [InlineData("MED.IMMUNO.TUMOUR", "MED.PATH.INTEL", 1.0 / 3)]
    [InlineData("MED.IMMUNO.TUMOUR", "CLIN.ONCO.MEDONC", 0.0)]
    [InlineData("MED", "MEDX", 0.0)]
    public void Proximity_is_common_prefix_segments_over_three(string a, string b, double expected)
    {
        Assert.Equal(expected, ResearchFieldTaxonomy.Proximity(a, b), 10);
        Assert.Equal(expected, ResearchFieldTaxonomy.Proximity(b, a), 10);
    }

    [Fact]
    public void Lookup_helpers_work()
    {
        Assert.True(Taxonomy.TryGet("MED.PATH.INTEL", out var f));
        Assert.Equal(FieldLevel.Subfield, f!.Level);
        Assert.False(Taxonomy.TryGet("MED.NOPE", out _));
        Assert.Null(Taxonomy.GetParent("MED"));
        Assert.Equal(["MED.PATH.INTEL", "MED.PATH", "MED"], Taxonomy.GetSelfAndAncestors("MED.PATH.INTEL").Select(x => x.Code));
        Assert.Contains(Taxonomy.GetDescendants("MED"), x => x.Code == "MED.IMMUNO.TUMOUR");
        Assert.False(ResearchFieldTaxonomy.IsWellFormed("med.immuno"));
        Assert.False(ResearchFieldTaxonomy.IsWellFormed("A.B.C.D"));
        Assert.True(ResearchFieldTaxonomy.IsWellFormed("A.B.C"));
    }
}
