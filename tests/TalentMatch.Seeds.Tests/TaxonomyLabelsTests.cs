using TalentMatch.ReferenceData;

namespace TalentMatch.Seeds.Tests;

public class TaxonomyLabelsTests
{
    private static readonly ResearchFieldTaxonomy Taxonomy = ResearchFieldTaxonomy.Load();
    private static readonly TaxonomyLabels Labels = TaxonomyLabels.Default;

    [Fact]
    public void Every_label_and_synonym_names_its_own_node_and_no_other()
    {
        // The constructor refuses clashes; this also proves that each name finds its node again after folding.
        foreach (var f in Taxonomy.All)
        {
            foreach (var name in new[] { f.En, f.Zh, f.Code }.Concat(f.Synonyms.En).Concat(f.Synonyms.Zh))
            {
                Assert.True(Labels.TryMatch(name, out var code), $"{f.Code}: '{name}' matches nothing");
                Assert.Equal(f.Code, code);
            }
        }
    }

    [Fact]
    public void Synonyms_are_written_in_their_language_and_not_repeated()
    {
        var synonyms = Taxonomy.All.Sum(f => f.Synonyms.En.Length + f.Synonyms.Zh.Length);
        Assert.InRange(synonyms, 300, 600);
        Assert.All(Taxonomy.All.SelectMany(f => f.Synonyms.Zh), s => Assert.Contains(s, ch => ch >= '\u4e00' && ch <= '\u9fff'));
        Assert.All(Taxonomy.All.SelectMany(f => f.Synonyms.En), s => Assert.DoesNotContain(s, ch => ch >= '\u4e00' && ch <= '\u9fff'));
        foreach (var f in Taxonomy.All)
        {
            // A synonym that folds to the node's own label adds nothing.
            var own = new[] { f.En, f.Zh }.Select(TaxonomyLabels.Normalize).ToHashSet();
            var folded = f.Synonyms.En.Concat(f.Synonyms.Zh).Select(TaxonomyLabels.Normalize).ToList();
            Assert.Equal(folded.Count, folded.Distinct().Count());
            Assert.All(folded, s => Assert.DoesNotContain(s, own));
        }
    }

    [Theory]
    [InlineData("Computer Science", "INFO")]
    [InlineData("computer science and technology", "INFO")]
    [InlineData("Information Technology", "INFO")]
    [InlineData("Data Science", "INFO")]
    [InlineData("Artificial Intelligence", "INFO.AI")]
    [InlineData("A.I.", "INFO.AI")]
    [InlineData("Machine Learning", "INFO.AI.ML")]
    [InlineData("Deep-learning", "INFO.AI.ML")]
    [InlineData("Bioinformatics", "INFO.BIOINF")]
    [InlineData("Computational Biology", "INFO.BIOINF")]
    [InlineData("Biomedical Big Data", "INFO.DATA")]
    [InlineData("Biomedical Engineering", "ENG.BME")]
    [InlineData("Clinical Medicine", "CLIN")]
    [InlineData("Medicine", "CLIN")]
    [InlineData("Public Health", "PH")]
    [InlineData("Biology", "LIFE")]
    [InlineData("Chemistry", "ENG.MAT")]
    [InlineData("Materials Science", "ENG.MAT")]
    [InlineData("Materials Science & Engineering", "ENG.MAT")]
    [InlineData("Obstetrics & Gynecology", "CLIN.OBGYN")]
    [InlineData("Personalized Medicine", "BIOMED.PRECISION")]
    [InlineData("Alzheimers disease", "NEURO.DEGEN.AD")]
    [InlineData("  Tumor   Immunology. ", "MED.IMMUNO.TUMOUR")]
    [InlineData("计算机科学", "INFO")]
    [InlineData("计算机科学与技术", "INFO")]
    [InlineData("计算机科学和技术", "INFO")]
    [InlineData("信息技术", "INFO")]
    [InlineData("人工智能", "INFO.AI")]
    [InlineData("生物信息学", "INFO.BIOINF")]
    [InlineData("生物 信息学", "INFO.BIOINF")]
    [InlineData("临床医学", "CLIN")]
    [InlineData("公共卫生", "PH")]
    [InlineData("材料科学与工程", "ENG.MAT")]
    [InlineData("Ｃｏｍｐｕｔｅｒ　Ｓｃｉｅｎｃｅ", "INFO")] // full-width forms, as Chinese input methods type them
    [InlineData("med.immuno", "MED.IMMUNO")]
    public void Common_subject_names_match_case_and_punctuation_insensitively(string name, string code)
    {
        Assert.True(Labels.TryMatch(name, out var matched), $"'{name}' matches nothing");
        Assert.Equal(code, matched);
    }

    [Theory]
    [InlineData("Underwater Basket Weaving")]
    [InlineData("Science")]
    [InlineData("Computer")] // no partial matches
    [InlineData("")]
    public void Other_names_match_nothing(string name)
    {
        Assert.False(Labels.TryMatch(name, out _));
        Assert.Empty(Labels.MatchAll(name));
    }

    [Fact]
    public void A_name_that_is_not_valid_utf16_is_folded_like_a_symbol()
    {
        // A lone surrogate is folded like any other symbol.
        Assert.False(Labels.TryMatch("\ud800", out _));
        Assert.True(Labels.TryMatch("Bioinformatics\ud800", out var code));
        Assert.Equal("INFO.BIOINF", code);
    }

    [Fact]
    public void A_list_written_as_one_name_matches_each_part()
    {
        Assert.Equal(["INFO.AI.ML", "INFO.BIOINF"], Labels.MatchAll("Machine learning / Bioinformatics"));
        Assert.Equal(["INFO.AI", "INFO.BIOINF"], Labels.MatchAll("人工智能、生物信息学"));
        Assert.Equal(["MED.BIOCHEM"], Labels.MatchAll("Biochemistry and Molecular Biology")); // a label with "and" is one name
        Assert.Equal(["INFO.AI.ML"], Labels.MatchAll("Machine learning, knitting"));
    }

    [Fact]
    public void Clashing_names_are_refused_when_the_labels_are_built()
    {
        // Two nodes whose names fold to the same text cannot both be matched; building the labels says which.
        var clash = new Func<TaxonomyLabels>(() => new TaxonomyLabels(TaxonomyWithSynonym("LIFE.STRUCT", "Machine-learning")));
        var e = Assert.Throws<InvalidDataException>(clash);
        Assert.Contains("'Machine learning' of INFO.AI.ML is also a name of LIFE.STRUCT", e.Message);
    }

    private static ResearchFieldTaxonomy TaxonomyWithSynonym(string code, string synonym) =>
        ResearchFieldTaxonomy.Parse(SeedResources.ReadText(SeedResources.ResearchFieldsFile)
            .Replace($"\"code\": \"{code}\",", $"\"code\": \"{code}\", \"synonyms\": {{ \"en\": [\"{synonym}\"] }},", StringComparison.Ordinal));
}
