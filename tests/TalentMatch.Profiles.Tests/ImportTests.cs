using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Profiles;
using TalentMatch.Profiles.Imports;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

namespace TalentMatch.Profiles.Tests;

public sealed class ImportTests(ProfilesHost host) : IClassFixture<ProfilesHost>
{
    private const string ResumeQuery = "?consentToMatching=true&employmentModes=full-time,visiting&preferredCities=Chongqing";
    private readonly HttpClient _client = host.CreateClient();

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    private static JsonObject Resume() => JsonNode.Parse(Fixture("json-resume-researcher.json"))!.AsObject();

    private Task<HttpResponseMessage> PostResume(JsonObject resume, string query = ResumeQuery, string? key = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/api/profiles/import/json-resume" + query)
        {
            Content = new StringContent(resume.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            message.Headers.Add("Idempotency-Key", key);
        }

        return _client.SendAsync(message);
    }

    [Fact]
    public async Task A_json_resume_becomes_a_profile_with_its_registered_event()
    {
        var response = await PostResume(Resume());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Liu Yang", created["fullName"]!.GetValue<string>());
        Assert.Equal("liu.yang@example.edu", created["email"]!.GetValue<string>());
        Assert.Equal("0000-0002-1825-0097", created["orcid"]!.GetValue<string>());
        Assert.Equal("Chongqing Medical University", created["currentInstitution"]!.GetValue<string>());
        Assert.Equal("Associate professor", created["currentTitle"]!.GetValue<string>());
        Assert.Equal("R3", created["careerStage"]!.GetValue<string>()); // from the crosswalk
        Assert.Equal("doctorate", created["highestDegree"]!.GetValue<string>());
        var degrees = created["degrees"]!.AsArray();
        Assert.Equal(2, degrees.Count); // the certificate is not a degree
        Assert.Equal("MED.IMMUNO", degrees[0]!["field"]!.GetValue<string>());
        Assert.Equal(2016, degrees[0]!["year"]!.GetValue<int>());
        Assert.Equal("bachelor", degrees[1]!["level"]!.GetValue<string>());
        var fields = created["researchFields"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        Assert.Contains("MED.IMMUNO.TUMOUR", fields);
        Assert.Contains("MED.IMMUNO", fields);
        Assert.Contains("flow cytometry", created["skills"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["zh", "en"], created["languages"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(3, created["publicationsCount"]!.GetValue<int>());
        var honour = Assert.Single(created["honours"]!.AsArray()); // the poster prize is not a talent programme
        Assert.Equal("young", honour!["tier"]!.GetValue<string>());
        Assert.True(created["yearsOfExperience"]!.GetValue<double>() >= 9);
        Assert.True(created["consentToMatching"]!.GetValue<bool>());
        Assert.Equal(["full-time", "visiting"], created["employmentModes"]!.AsArray().Select(s => s!.GetValue<string>()));

        var id = created["id"]!.GetValue<Guid>();
        var outbox = await OutboxFor(id);
        var registered = Assert.Single(outbox);
        Assert.EndsWith("ProfileRegistered", registered.MessageType);
        Assert.Equal(1, JsonNode.Parse(registered.Payload)!["aggregateVersion"]!.GetValue<long>());
        Assert.DoesNotContain("Liu Yang", registered.Payload);
    }

    [Fact]
    public async Task Consent_defaults_to_false_and_the_callers_stage_and_fields_win()
    {
        var response = await PostResume(Resume(), "?employmentModes=full-time&careerStage=R4&researchFields=NEURO");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(created["consentToMatching"]!.GetValue<bool>());
        Assert.Equal("R4", created["careerStage"]!.GetValue<string>());
        Assert.Equal(["NEURO"], created["researchFields"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task What_a_resume_cannot_say_gets_400_naming_the_query_parameters_and_nothing_is_stored()
    {
        var resume = Resume();
        resume["work"]![0]!["position"] = "Chief Scientist of Everything";
        resume["education"]![0]!["area"] = "Underwater basket weaving";
        resume["skills"] = new JsonArray();
        resume["interests"] = new JsonArray();
        resume["education"]![1]!["area"] = "Basket weaving";
        resume["education"]!.AsArray().RemoveAt(2); // "Machine Learning" is a taxonomy field
        var before = await Counts();

        var response = await PostResume(resume, "?consentToMatching=true");

        var problem = await ProfilesApiTests.AssertProblem(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Contains("employmentModes", errors.Select(e => e.Key));
        Assert.Contains("careerStage", errors.Select(e => e.Key));
        Assert.Contains("researchFields", errors.Select(e => e.Key));
        Assert.Contains("degreeField", errors["education[0].area"]![0]!.GetValue<string>());
        Assert.Equal(before, await Counts());

        var fixedUp = await PostResume(resume, "?consentToMatching=true&employmentModes=full-time&careerStage=R3&researchFields=MED.IMMUNO&degreeField=MED");
        Assert.Equal(HttpStatusCode.Created, fixedUp.StatusCode);
    }

    [Fact]
    public async Task Bad_resume_input_gets_a_problem_naming_it()
    {
        var invalidEmail = Resume();
        invalidEmail["basics"]!["email"] = "not-an-email";
        var problem = await ProfilesApiTests.AssertProblem(await PostResume(invalidEmail), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["email"]);

        problem = await ProfilesApiTests.AssertProblem(await PostResume(Resume(), "?employmentModes=sometimes&careerStage=R9&researchFields=NOPE"), HttpStatusCode.BadRequest);
        Assert.Equal(["careerStage", "employmentModes", "researchFields"], problem["errors"]!.AsObject().Select(e => e.Key).Order());

        var wrongType = Resume();
        wrongType["work"] = "many years";
        problem = await ProfilesApiTests.AssertProblem(await PostResume(wrongType), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["work"]);

        var malformed = await _client.PostAsync("/api/profiles/import/json-resume" + ResumeQuery, new StringContent("{\"basics\":", Encoding.UTF8, "application/json"));
        await ProfilesApiTests.AssertProblem(malformed, HttpStatusCode.BadRequest);

        var xml = await _client.PostAsync("/api/profiles/import/json-resume" + ResumeQuery, new StringContent("<resume/>", Encoding.UTF8, "application/xml"));
        await ProfilesApiTests.AssertProblem(xml, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("json-resume-cs-to-bioinformatics.json", "R2", "INFO.BIOINF,INFO.BIOINF.SINGLECELL,INFO.AI.ML,INFO", "doctorate INFO,bachelor INFO",
        "2011-07-01..2013-08-31,2018-09-01..")]
    [InlineData("json-resume-clinician.json", "R3", "CLIN.CARDIO.INTERV,PH.TRIAL.DESIGN,CLIN.CARDIO.EP,PH.TRIAL,CLIN.CARDIO,CLIN", "doctorate CLIN.CARDIO,bachelor CLIN",
        "2010-08-01..2019-12-31,2020-03-01..")]
    [InlineData("json-resume-materials.json", "R3", "ENG.MAT.BIO,ENG.MAT.ENERGY,ENG.MAT.NANO,ENG.MAT", "doctorate ENG.MAT,bachelor ENG.MAT",
        "2015-01-01..2017-12-31,2018-06-01..2019-12-31,2021-03-01..")]
    [InlineData("json-resume-chinese.json", "R3", "INFO.AI,INFO.DATA,LIFE.OMICS.SINGLECELL,INFO.AI.ML,LIFE.OMICS.SPATIAL,INFO.BIOINF,INFO", "doctorate INFO.BIOINF,bachelor INFO",
        "2012-07-01..2014-06-30,2018-07-01..")]
    public async Task Real_resumes_import_without_hand_chosen_fields(string fixture, string stage, string fields, string degrees, string worked)
    {
        var resume = JsonNode.Parse(Fixture(fixture))!.AsObject();
        var before = DateOnly.FromDateTime(DateTime.UtcNow);

        // Only what no résumé says: consent and the posts accepted. Fields, degree subjects and stage come from the résumé.
        var response = await PostResume(resume, "?consentToMatching=true&employmentModes=full-time");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(resume["basics"]!["name"]!.GetValue<string>(), created["fullName"]!.GetValue<string>());
        Assert.Equal(stage, created["careerStage"]!.GetValue<string>());
        Assert.Equal(fields.Split(','), created["researchFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(degrees.Split(','), created["degrees"]!.AsArray().Select(d => $"{d!["level"]} {d["field"]}"));

        // Worked time: the periods written out by hand (merged, gaps left out), the open one until the day of the import.
        var after = DateOnly.FromDateTime(DateTime.UtcNow);
        var years = created["yearsOfExperience"]!.GetValue<double>();
        Assert.Contains(years, new[] { WorkedYears(worked, before), WorkedYears(worked, after) });
    }

    private static double WorkedYears(string periods, DateOnly today) => Math.Round(periods.Split(',').Sum(p =>
    {
        var ends = p.Split("..");
        var to = ends[1].Length == 0 ? today : DateOnly.Parse(ends[1], System.Globalization.CultureInfo.InvariantCulture);
        return to.DayNumber - DateOnly.Parse(ends[0], System.Globalization.CultureInfo.InvariantCulture).DayNumber + 1;
    }) / 365.25, 1, MidpointRounding.AwayFromZero);

    [Fact]
    public async Task An_invalid_work_date_gets_400_naming_it_and_nothing_is_stored()
    {
        var before = await Counts();
        foreach (var (member, value) in new[] { ("startDate", "2019-13-01"), ("endDate", "since 2020"), ("endDate", "2015-06") })
        {
            var resume = Resume();
            resume["work"]![1]![member] = value; // the postdoc started 2016-07: ending 2015-06 is before it starts

            var problem = await ProfilesApiTests.AssertProblem(await PostResume(resume), HttpStatusCode.BadRequest);

            Assert.Equal([$"work[1].{member}"], problem["errors"]!.AsObject().Select(e => e.Key));
        }

        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task A_resume_whose_subjects_match_no_field_is_told_which_names_matched_nothing()
    {
        var resume = Resume();
        resume["interests"] = new JsonArray(new JsonObject { ["name"] = "Underwater Basket Weaving", ["keywords"] = new JsonArray("Xyz") });
        resume["skills"] = new JsonArray();
        resume["education"] = new JsonArray();
        var before = await Counts();

        var problem = await ProfilesApiTests.AssertProblem(await PostResume(resume), HttpStatusCode.BadRequest);

        var message = Assert.Single(problem["errors"]!["researchFields"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith("The résumé names 'Underwater Basket Weaving', 'Xyz' — none matches a research field; send researchFields=", message);
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task The_taxonomy_answers_the_synonyms_it_matches()
    {
        var taxonomy = (await _client.GetFromJsonAsync<JsonArray>("/api/taxonomy"))!;

        var info = taxonomy.Single(f => f!["code"]!.GetValue<string>() == "INFO")!;
        Assert.Contains("Computer science", info["synonyms"]!["en"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains("计算机科学", info["synonyms"]!["zh"]!.AsArray().Select(s => s!.GetValue<string>()));
        var noSynonyms = taxonomy.First(f => f!["code"]!.GetValue<string>() == "MED.IMMUNO.INFECT")!;
        Assert.Empty(noSynonyms["synonyms"]!["en"]!.AsArray());
    }

    [Fact]
    public async Task A_retried_resume_import_with_the_same_idempotency_key_creates_one_profile()
    {
        var resume = Resume();
        resume["basics"]!["email"] = $"idem-{Guid.NewGuid():N}@example.edu";
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(PostResume(resume, key: key), PostResume(resume, key: key));
        var again = await PostResume(resume, key: key);

        Assert.All(responses.Append(again), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = new List<Guid>();
        foreach (var r in responses.Append(again))
        {
            ids.Add((await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>());
        }

        Assert.Single(ids.Distinct());
        var email = resume["basics"]!["email"]!.GetValue<string>();
        Assert.Equal(1, await host.WithDbAsync<ProfilesDbContext, int>(db => db.Profiles.CountAsync(p => p.Email == email)));

        resume["basics"]!["name"] = "Someone Else";
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostResume(resume, key: key)).StatusCode);
    }

    [Fact]
    public async Task Json_lines_are_imported_row_by_row_with_errors_named_by_line()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var valid = ProfilesApiTests.ValidProfile();
        valid["email"] = $"bulk-{marker}-1@example.org";
        var second = ProfilesApiTests.ValidProfile();
        second["email"] = $"bulk-{marker}-2@example.org";
        second["degrees"] = new JsonArray();
        second["honours"] = new JsonArray();
        var invalid = ProfilesApiTests.ValidProfile();
        invalid["email"] = "nope";
        invalid["careerStage"] = null;
        var body = string.Join("\n",
            valid.ToJsonString(),
            invalid.ToJsonString(),
            "{\"fullName\": ",
            "",
            "{\"fullName\":\"X\",\"unknownMember\":1}",
            second.ToJsonString()) + "\n";
        var before = await Counts();

        var lines = await BulkImport(body, "application/x-ndjson");

        var summary = lines[^1];
        Assert.True(summary["done"]!.GetValue<bool>());
        Assert.Equal(5, summary["processed"]!.GetValue<long>());
        Assert.Equal(2, summary["imported"]!.GetValue<long>());
        Assert.Equal(3, summary["rejected"]!.GetValue<long>());
        var errors = summary["errors"]!.AsArray();
        Assert.Equal([2, 3, 5], errors.Select(e => e!["line"]!.GetValue<int>()));
        Assert.NotNull(errors[0]!["errors"]!["email"]);
        Assert.NotNull(errors[0]!["errors"]!["careerStage"]);
        Assert.NotNull(errors[2]!["errors"]!["unknownMember"]);
        Assert.Contains(lines.SkipLast(1), l => l["imported"]!.GetValue<long>() == 2);
        var after = await Counts();
        Assert.Equal((before.Profiles + 2, before.Outbox + 2), after);

        // The rows COPY wrote read back through EF exactly like rows EF wrote itself, and each has its event (version 1).
        var posted = await _client.PostAsJsonAsync("/api/profiles", ProfilesApiTests.ValidProfile());
        var postedId = (await posted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var email = valid["email"]!.GetValue<string>();
        var imported = await host.WithDbAsync<ProfilesDbContext, Profile>(db => db.Profiles.AsNoTracking().SingleAsync(p => p.Email == email));
        var reference = await host.WithDbAsync<ProfilesDbContext, Profile>(db => db.Profiles.AsNoTracking().SingleAsync(p => p.Id == postedId));
        Assert.Equal(JsonNode.Parse(ProfileJson(reference)), JsonNode.Parse(ProfileJson(imported)), JsonNode.DeepEquals);
        var rawImported = await RawJsonColumns(imported.Id);
        var rawReference = await RawJsonColumns(postedId);
        Assert.Equal(rawReference, rawImported);

        var events = await OutboxFor(imported.Id);
        var registered = Assert.Single(events);
        var payload = JsonNode.Parse(registered.Payload)!;
        Assert.Equal(1, payload["aggregateVersion"]!.GetValue<long>());
        Assert.Equal(imported.Id, payload["aggregateId"]!.GetValue<Guid>());
        Assert.Equal(3, payload["view"]!["degreeLevel"]!.GetValue<int>());
        Assert.DoesNotContain(email, registered.Payload);

        var fetched = await _client.GetFromJsonAsync<JsonObject>($"/api/profiles/{imported.Id}");
        Assert.Equal(1, fetched!["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Csv_rows_are_imported_and_bad_quoting_or_values_are_reported_on_their_line()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var csv = new StringBuilder();
        csv.AppendLine("fullName,email,careerStage,researchFields,skills,yearsOfExperience,employmentModes,consentToMatching,degrees,honours,languages,preferredCities,earliestStartDate,phone");
        csv.AppendLine($"\"Wang, Fang\",csv-{marker}-1@example.org,R2,MED.IMMUNO;INFO.BIOINF,flow cytometry;\"R\",6,full-time;visiting,true,doctorate|MED.IMMUNO|Sichuan University|2018,young|Chongqing Young Talents|2023,zh;en,Chongqing;Shenzhen,2027-01-01,+86 23 1234 5678".Replace(";\"R\"", ";R"));
        csv.AppendLine($"Li Lei,csv-{marker}-2@example.org,R9,MED.IMMUNO,,six,full-time,maybe,,,,,,");
        csv.AppendLine($"\"Unclosed,csv-{marker}-3@example.org,R2,MED.IMMUNO,,6,full-time,true,,,,,,");
        csv.AppendLine($"Short Row,csv-{marker}-4@example.org,R2");
        csv.AppendLine($"Zhao \"Q\" Min,csv-{marker}-5@example.org,R2,MED.IMMUNO,,6,full-time,true,,,,,,");
        csv.AppendLine($"Chen Jing,csv-{marker}-6@example.org,R3,MED.IMMUNO.TUMOUR,,9,full-time,false,master|MED|Chongqing Medical University|2012,,,,,");
        var before = await Counts();

        var lines = await BulkImport(csv.ToString(), "text/csv");

        var summary = lines[^1];
        Assert.Equal(6, summary["processed"]!.GetValue<long>());
        Assert.Equal(2, summary["imported"]!.GetValue<long>());
        var errors = summary["errors"]!.AsArray().ToDictionary(e => e!["line"]!.GetValue<int>(), e => e!["errors"]!.AsObject());
        Assert.Equal([3, 4, 5, 6], errors.Keys.Order());
        Assert.Equal(["careerStage", "consentToMatching", "yearsOfExperience"], errors[3].Select(e => e.Key).Order());
        Assert.Contains("Unterminated", errors[4]["row"]![0]!.GetValue<string>());
        Assert.Contains("Expected 14 fields", errors[5]["row"]![0]!.GetValue<string>());
        Assert.Contains("quote", errors[6]["row"]![0]!.GetValue<string>());
        Assert.Equal((before.Profiles + 2, before.Outbox + 2), await Counts());

        var email = $"csv-{marker}-1@example.org";
        var wang = await host.WithDbAsync<ProfilesDbContext, Profile>(db => db.Profiles.AsNoTracking().SingleAsync(p => p.Email == email));
        Assert.Equal("Wang, Fang", wang.FullName);
        Assert.Equal(["MED.IMMUNO", "INFO.BIOINF"], wang.ResearchFields);
        Assert.Equal(EmploymentModes.FullTime | EmploymentModes.Visiting, wang.EmploymentModes);
        Assert.Equal(DegreeLevel.Doctorate, wang.HighestDegree);
        Assert.Equal(TalentTier.Young, wang.HighestHonour);
        Assert.Equal(new DateOnly(2027, 1, 1), wang.EarliestStartDate);
        Assert.NotNull(wang.ConsentGivenAt);
    }

    [Fact]
    public async Task A_bad_header_or_content_type_is_refused_before_anything_is_stored()
    {
        var before = await Counts();

        var badHeader = await _client.PostAsync("/api/profiles/import",
            new StringContent("fullName,email,favouriteColour\nA,a@example.org,blue\n", Encoding.UTF8, "text/csv"));
        var problem = await ProfilesApiTests.AssertProblem(badHeader, HttpStatusCode.BadRequest);
        var headerErrors = problem["errors"]!["line 1"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains(headerErrors, e => e.Contains("favouriteColour"));
        Assert.Contains(headerErrors, e => e.Contains("careerStage"));

        var json = await _client.PostAsync("/api/profiles/import", new StringContent("[]", Encoding.UTF8, "application/json"));
        await ProfilesApiTests.AssertProblem(json, HttpStatusCode.UnsupportedMediaType);

        var latin1 = new StringContent("fullName\n", Encoding.Latin1, "text/csv");
        await ProfilesApiTests.AssertProblem(await _client.PostAsync("/api/profiles/import", latin1), HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task A_body_far_above_the_usual_limit_streams_through_in_batches()
    {
        // 1,500 generated profiles (~1 MB, four times the 256 KiB limit of other endpoints), sent chunked.
        var generated = new ProfileGenerator(seed: 7).Generate(1500).Select(p => ApiPayloads.Profile(p).ToJsonString());
        var body = string.Join("\n", generated);
        Assert.True(Encoding.UTF8.GetByteCount(body) > 4 * 256 * 1024);
        var before = await Counts();

        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        var response = await _client.PostAsync("/api/profiles/import", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

        var summary = lines[^1];
        Assert.Equal(0, summary["rejected"]!.GetValue<long>());
        Assert.Equal(1500, summary["imported"]!.GetValue<long>());
        Assert.True(lines.Count >= 2, "at least one progress line before the summary");
        Assert.Equal((before.Profiles + 1500, before.Outbox + 1500), await Counts());
    }

    [Fact]
    public void Study_types_and_language_names_map_to_levels_and_codes()
    {
        Assert.Equal(DegreeLevel.Doctorate, JsonResumeMapper.LevelOf("Ph.D."));
        Assert.Equal(DegreeLevel.Doctorate, JsonResumeMapper.LevelOf("MD"));
        Assert.Equal(DegreeLevel.Doctorate, JsonResumeMapper.LevelOf("DPhil"));
        Assert.Equal(DegreeLevel.Master, JsonResumeMapper.LevelOf("MSc"));
        Assert.Equal(DegreeLevel.Master, JsonResumeMapper.LevelOf("Master of Public Health"));
        Assert.Equal(DegreeLevel.Master, JsonResumeMapper.LevelOf("M.Phil."));
        Assert.Equal(DegreeLevel.Bachelor, JsonResumeMapper.LevelOf("B.Sc."));
        Assert.Equal(DegreeLevel.Bachelor, JsonResumeMapper.LevelOf("MBBS"));
        Assert.Equal(DegreeLevel.Bachelor, JsonResumeMapper.LevelOf("BA"));
        Assert.Null(JsonResumeMapper.LevelOf("Certificate"));
        Assert.Null(JsonResumeMapper.LevelOf("High school diploma"));
        Assert.Equal("en", JsonResumeMapper.LanguageCode("English"));
        Assert.Equal("zh", JsonResumeMapper.LanguageCode("Mandarin"));
        Assert.Equal("zh", JsonResumeMapper.LanguageCode("Chinese"));
        Assert.Equal("zh", JsonResumeMapper.LanguageCode("zh-CN"));
        Assert.Null(JsonResumeMapper.LanguageCode("Klingon"));
    }

    [Fact]
    public async Task A_null_entry_on_one_bulk_line_is_reported_on_that_line_and_the_valid_rows_around_it_are_stored()
    {
        // Before: a null list entry passed validation, failed when the batch was stored, and ended the answer early with
        // an empty body; the valid rows of its batch were lost.
        var marker = Guid.NewGuid().ToString("N")[..8];
        var rows = Enumerable.Range(1, 3).Select(i =>
        {
            var row = ProfilesApiTests.ValidProfile();
            row["email"] = $"nullentry-{marker}-{i}@example.org";
            return row;
        }).ToList();
        var hostile = ProfilesApiTests.ValidProfile();
        hostile["email"] = $"nullentry-{marker}-x@example.org";
        hostile["languages"] = new JsonArray("zh", null);
        var degreeNull = ProfilesApiTests.ValidProfile();
        degreeNull["email"] = $"nullentry-{marker}-y@example.org";
        degreeNull["degrees"] = new JsonArray((JsonNode?)null);
        var body = string.Join("\n", rows[0].ToJsonString(), hostile.ToJsonString(), rows[1].ToJsonString(), "null", degreeNull.ToJsonString(), rows[2].ToJsonString()) + "\n";
        var before = await Counts();

        var lines = await BulkImport(body, "application/x-ndjson");

        var summary = lines[^1];
        Assert.True(summary["done"]!.GetValue<bool>());
        Assert.Equal(6, summary["processed"]!.GetValue<long>());
        Assert.Equal(3, summary["imported"]!.GetValue<long>());
        Assert.Equal(3, summary["rejected"]!.GetValue<long>());
        var errors = summary["errors"]!.AsArray().ToDictionary(e => e!["line"]!.GetValue<int>(), e => e!["errors"]!.AsObject());
        Assert.Equal([2, 4, 5], errors.Keys.Order());
        Assert.NotNull(errors[2]["languages[1]"]);
        Assert.NotNull(errors[5]["degrees[0]"]);
        Assert.Equal((before.Profiles + 3, before.Outbox + 3), await Counts());
        var stored = await host.WithDbAsync<ProfilesDbContext, List<string>>(db =>
            db.Profiles.AsNoTracking().Where(p => p.Email.StartsWith($"nullentry-{marker}-")).Select(p => p.Email).ToListAsync());
        Assert.Equal(rows.Select(r => r["email"]!.GetValue<string>()).Order(), stored.Order());
    }

    [Fact]
    public async Task Bulk_csv_cells_with_control_characters_and_a_body_that_is_not_utf8_are_refused_not_500()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var csv = "fullName,email,careerStage,researchFields,yearsOfExperience,employmentModes,consentToMatching\n" +
                  $"Wang\u0001Fang,ctl-{marker}-1@example.org,R2,MED.IMMUNO,6,full-time,true\n" +
                  $"Li Lei,ctl-{marker}-2@example.org,R2,MED.IMMUNO,6,full-time,true\n";
        var lines = await BulkImport(csv, "text/csv");
        var summary = lines[^1];
        Assert.Equal(1, summary["imported"]!.GetValue<long>());
        Assert.Equal(2, summary["errors"]![0]!["line"]!.GetValue<int>());
        Assert.Contains("control characters", summary["errors"]![0]!["errors"]!["row"]![0]!.GetValue<string>());

        var invalid = new ByteArrayContent([.. "fullName,email\nWang "u8, 0xED, 0xA0, 0x80, .. ",a@example.org\n"u8]);
        invalid.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var response = await _client.PostAsync("/api/profiles/import", invalid);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("work", "work[0]")]
    [InlineData("education", "education[1]")]
    [InlineData("skills", "skills[0]")]
    [InlineData("languages", "languages[0]")]
    [InlineData("awards", "awards[0]")]
    public async Task A_null_entry_in_a_json_resume_list_is_400_naming_it(string list, string expected)
    {
        var resume = Resume();
        var entries = resume[list] as JsonArray ?? [];
        var index = int.Parse(expected[(expected.IndexOf('[') + 1)..^1]);
        while (entries.Count <= index)
        {
            entries.Add(new JsonObject());
        }

        entries[index] = null;
        resume[list] = entries.DeepClone();

        var problem = await AssertProblem(await PostResume(resume), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]![expected]);
    }

    [Fact]
    public async Task Null_keywords_nul_characters_and_duplicate_members_in_a_json_resume_are_400_naming_the_member()
    {
        var keywords = Resume();
        keywords["skills"]![0]!["keywords"] = new JsonArray("flow cytometry", null);
        Assert.NotNull((await AssertProblem(await PostResume(keywords), HttpStatusCode.BadRequest))["errors"]!["skills[0].keywords[1]"]);

        var nul = Resume();
        nul["basics"]!["name"] = "Liu\u0000Yang";
        Assert.NotNull((await AssertProblem(await PostResume(nul), HttpStatusCode.BadRequest))["errors"]!["basics.name"]);

        var text = Resume().ToJsonString().Replace("\"name\":\"Liu Yang\"", "\"name\":\"Liu Yang\",\"name\":\"Someone Else\"");
        var duplicate = await _client.PostAsync("/api/profiles/import/json-resume" + ResumeQuery, new StringContent(text, Encoding.UTF8, "application/json"));
        await AssertProblem(duplicate, HttpStatusCode.BadRequest);

        var surrogate = Resume().ToJsonString().Replace("\"Liu Yang\"", "\"Liu \\ud800Yang\"");
        var lone = await _client.PostAsync("/api/profiles/import/json-resume" + ResumeQuery, new StringContent(surrogate, Encoding.UTF8, "application/json"));
        await AssertProblem(lone, HttpStatusCode.BadRequest);
    }

    private static async Task<JsonObject> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!.AsObject();
    }

    private async Task<List<JsonNode>> BulkImport(string body, string contentType)
    {
        var response = await _client.PostAsync("/api/profiles/import", new StringContent(body, Encoding.UTF8, contentType));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
    }

    private static string ProfileJson(Profile p) => System.Text.Json.JsonSerializer.Serialize(new
    {
        p.Status, p.Version, p.Degrees, p.Honours, p.HighestDegree, p.CareerStage, p.ResearchFields, p.Skills, p.Languages,
        p.PreferredCities, p.EmploymentModes, p.EarliestStartDate, p.ConsentToMatching, p.YearsOfExperience, p.HIndex,
        p.GrantsLed, p.PublicationsCount, p.CurrentInstitution, p.CurrentTitle, p.Phone, p.Orcid, p.FullName,
    });

    private Task<string> RawJsonColumns(Guid id) => host.WithDbAsync<ProfilesDbContext, string>(db =>
        db.Database.SqlQuery<string>($"SELECT (degrees::text || ' ' || honours::text) AS \"Value\" FROM profiles WHERE id = {id}").SingleAsync());

    private Task<List<OutboxMessage>> OutboxFor(Guid id) => host.WithDbAsync<ProfilesDbContext, List<OutboxMessage>>(db => db.Set<OutboxMessage>()
        .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE payload->>'aggregateId' = {id.ToString()}").AsNoTracking().ToListAsync());

    private Task<(int Profiles, int Outbox)> Counts() => host.WithDbAsync<ProfilesDbContext, (int, int)>(async db =>
        (await db.Profiles.CountAsync(), await db.Set<OutboxMessage>().CountAsync()));
}
