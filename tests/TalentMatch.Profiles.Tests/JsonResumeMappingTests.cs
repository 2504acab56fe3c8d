using System.Text.Json;
using TalentMatch.Profiles.Imports;
using TalentMatch.ReferenceData;

namespace TalentMatch.Profiles.Tests;

/// <summary>The JSON Resume mapping without a server: years of experience and research fields.</summary>
public sealed class JsonResumeMappingTests
{
    private static readonly DateOnly Today = new(2026, 7, 1);

    private static readonly ResumeImportOptions Options = new(true, [EmploymentModes.FullTime], null, CareerStage.R2, "INFO", [], null);

    private static JsonResumeWork Post(string? start, string? end = null) => new("Some University", null, "Lecturer", start, end);

    private static (double? Years, Dictionary<string, string[]> Errors) Years(params JsonResumeWork[] work)
    {
        var errors = new Dictionary<string, string[]>();
        return (WorkedTime.Years(work, Today, errors), errors);
    }

    [Fact]
    public void One_year_worked_long_ago_is_one_year_not_the_time_since()
    {
        // The case: counting from the earliest start gave 13 years for one worked.
        Assert.Equal(1.0, Years(Post("2013-01", "2013-12")).Years);
    }

    [Fact]
    public void Gaps_between_posts_are_not_counted()
    {
        // Two calendar years, a two-year gap, two more: 1,460 days = 4.0 years (not 6).
        Assert.Equal(4.0, Years(Post("2010-01-01", "2011-12-31"), Post("2014-01-01", "2015-12-31")).Years);
    }

    [Fact]
    public void Overlapping_posts_are_counted_once()
    {
        // 1 Jan 2010 – 31 May 2013 = 1,247 days = 3.4 years; adding the two posts up would give 5.
        Assert.Equal(3.4, Years(Post("2010-01", "2012-12"), Post("2011-06", "2013-05")).Years);
        // A post inside another adds nothing, whatever the order.
        Assert.Equal(3.0, Years(Post("2016-09", "2017-08"), Post("2015-01-01", "2017-12-31")).Years);
        // Back-to-back posts join without a double-counted day: 1 Jan 2015 – 31 Dec 2016 = 731 days.
        Assert.Equal(2.0, Years(Post("2015-01-01", "2015-12-31"), Post("2016-01-01", "2016-12-31")).Years);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("Present")]
    [InlineData("current")]
    [InlineData("至今")]
    public void A_post_without_an_end_runs_until_today(string? end)
    {
        // 1 July 2025 – 1 July 2026, both days worked: 366 days = 1.0 year.
        Assert.Equal(1.0, Years(Post("2025-07-01", end)).Years);
        Assert.True(WorkedTime.IsOpen(end));
    }

    [Fact]
    public void Partial_dates_cover_the_whole_month_or_year_they_name()
    {
        // "2014" – "2016" is 1 Jan 2014 – 31 Dec 2016 (three calendar years).
        Assert.Equal(3.0, Years(Post("2014", "2016")).Years);
        // "2016-07" – "2019-08" is 1 July 2016 – 31 August 2019: 1,157 days = 3.2 years.
        Assert.Equal(3.2, Years(Post("2016-07", "2019-08")).Years);
        // A single month, and a single year started and ended in it.
        Assert.Equal(0.1, Years(Post("2020-02", "2020-02")).Years);
        Assert.Equal(1.0, Years(Post("2020", "2020")).Years);
        Assert.Equal(new DateOnly(2024, 2, 29), WorkedTime.Parse("2024-02", first: false));
        Assert.Equal(new DateOnly(2024, 1, 1), WorkedTime.Parse("2024", first: true));
    }

    [Fact]
    public void Time_after_today_does_not_count()
    {
        Assert.Equal(0.0, Years(Post("2026-09-01")).Years); // accepted, not started yet
        Assert.Equal(0.5, Years(Post("2026-01-01", "2028-12-31")).Years); // 1 Jan – 1 July 2026: 182 days
        Assert.Equal(0.0, Years().Years); // no work history at all
    }

    [Theory]
    [InlineData("2019-13", null, "work[0].startDate")]
    [InlineData("2019-02-30", null, "work[0].startDate")]
    [InlineData("2019/01", null, "work[0].startDate")]
    [InlineData("Sept 2019", null, "work[0].startDate")]
    [InlineData("20190101", null, "work[0].startDate")]
    [InlineData("1899-12", null, "work[0].startDate")]
    [InlineData("\u0661\u0669\u0669\u0660", null, "work[0].startDate")] // Arabic-Indic digits
    [InlineData("2019-01", "last year", "work[0].endDate")]
    [InlineData("2019-01", "2019-00", "work[0].endDate")]
    [InlineData("2019-06", "2019-05", "work[0].endDate")] // ends before it starts
    [InlineData("2019", "2018-12-31", "work[0].endDate")]
    public void An_invalid_date_is_an_error_naming_the_member(string start, string? end, string member)
    {
        var (years, errors) = Years(Post(start, end));

        Assert.Null(years);
        Assert.Equal([member], errors.Keys);
    }

    [Fact]
    public void Every_bad_post_is_named_and_null_entries_are_left_to_the_reader()
    {
        var errors = new Dictionary<string, string[]>();
        var years = WorkedTime.Years([Post("2010", "2012"), null, Post(null, "2015"), Post("2016-05", "2016-04")], Today, errors);

        Assert.Null(years);
        Assert.Equal(["work[2].startDate", "work[3].endDate"], errors.Keys.Order());
    }

    [Fact]
    public void An_invalid_date_makes_the_mapping_fail_with_the_member_named()
    {
        var resume = new JsonResumeDocument(new JsonResumeBasics("A B", null, "a@example.org", null, null, null),
            [Post("2020-01"), Post("2015-01", "2014-12")], [], [], [], [], [], [new JsonResumeInterest("Machine learning", [])]);

        var (request, errors) = JsonResumeMapper.Map(resume, Options, TaxonomyLabels.Default, CareerStages.Load(), Today);

        Assert.Null(request);
        Assert.Equal(["work[1].endDate"], errors.Keys);
    }

    [Theory]
    [InlineData("json-resume-cs-to-bioinformatics.json", 10.0)] // 2011-07..2013-08 and 2018-09..today (not 15.0 from 2011)
    [InlineData("json-resume-clinician.json", 15.8)] // 2010-08..2019-12 and 2020-03..today, the visit abroad inside
    [InlineData("json-resume-materials.json", 9.9)] // 2015..2017, 2018-06..2019, 2021-03..today (not 11.5 from 2015)
    [InlineData("json-resume-chinese.json", 10.0)] // 2012-07..2014-06 and 2018-07..today, overlapping posts once (not 14.0)
    public void Real_resumes_get_the_time_they_worked(string fixture, double expected)
    {
        var resume = JsonSerializer.Deserialize<JsonResumeDocument>(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)), JsonSerializerOptions.Web)!;

        var (request, errors) = JsonResumeMapper.Map(resume, Options with { CareerStage = null, DegreeField = null },
            TaxonomyLabels.Default, CareerStages.Load(), Today);

        Assert.Empty(errors);
        Assert.Equal(expected, request!.YearsOfExperience);
    }

    [Fact]
    public void A_resume_whose_subjects_match_nothing_is_told_which_names_it_gave()
    {
        var resume = new JsonResumeDocument(null, [],
            [new JsonResumeEducation("X University", "Underwater Basket Weaving", "Certificate", null, "2010")], [], [],
            [new JsonResumeSkill("Knitting", null, ["Crochet", "knitting", "\u0000"])], [], [new JsonResumeInterest("Xyz", null)]);

        var (_, errors) = JsonResumeMapper.Map(resume, Options, TaxonomyLabels.Default, CareerStages.Load(), Today);

        var message = Assert.Single(errors["researchFields"]);
        Assert.StartsWith("The résumé names 'Xyz', 'Knitting', 'Crochet', 'Underwater Basket Weaving' — none matches a research field; send researchFields=", message);
        Assert.Contains("GET /api/taxonomy", message);
    }

    [Fact]
    public void A_long_list_of_unmatched_names_is_cut_short()
    {
        var interests = Enumerable.Range(1, 12).Select(i => new JsonResumeInterest($"Hobby {i}", null)).ToList();
        var resume = new JsonResumeDocument(null, [], [], [], [], [], [], interests);

        var (_, errors) = JsonResumeMapper.Map(resume, Options, TaxonomyLabels.Default, CareerStages.Load(), Today);

        var message = Assert.Single(errors["researchFields"]);
        Assert.Contains("'Hobby 8' and 4 more — none matches", message);
        Assert.DoesNotContain("Hobby 9", message);
    }

    [Fact]
    public void A_resume_without_any_subject_is_told_so()
    {
        var resume = new JsonResumeDocument(null, [], [], [], [], [], [], []);

        var (_, errors) = JsonResumeMapper.Map(resume, Options, TaxonomyLabels.Default, CareerStages.Load(), Today);

        Assert.StartsWith("The résumé names no interest, skill or degree subject", Assert.Single(errors["researchFields"]));
    }
}
