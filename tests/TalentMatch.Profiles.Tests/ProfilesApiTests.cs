using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Profiles;
using TalentMatch.Testing;

namespace TalentMatch.Profiles.Tests;

public sealed class ProfilesHost : ServiceHost<Program>;

public sealed class ProfilesApiTests(ProfilesHost host) : IClassFixture<ProfilesHost>
{
    private readonly HttpClient _client = host.CreateClient();

    internal static JsonObject ValidProfile() => new()
    {
        ["fullName"] = "Zhang Wei",
        ["email"] = "zhang.wei@example.org",
        ["phone"] = "+86 23 6848 0000",
        ["researchFields"] = new JsonArray("MED.IMMUNO.TUMOUR", "INFO.BIOINF"),
        ["skills"] = new JsonArray("Flow Cytometry", "single-cell rna-seq"),
        ["degrees"] = new JsonArray(new JsonObject { ["level"] = "doctorate", ["field"] = "MED.IMMUNO", ["institution"] = "Chongqing Medical University", ["year"] = 2016 }),
        ["careerStage"] = "R2",
        ["yearsOfExperience"] = 6,
        ["publicationsCount"] = 14,
        ["preferredCities"] = new JsonArray("Chongqing", "Shenzhen"),
        ["employmentModes"] = new JsonArray("full-time", "visiting"),
        ["orcid"] = "0000-0002-1825-0097",
        ["currentInstitution"] = "Chongqing Medical University",
        ["currentTitle"] = "Associate Researcher",
        ["hIndex"] = 9,
        ["grantsLed"] = 2,
        ["honours"] = new JsonArray(new JsonObject { ["tier"] = "young", ["programme"] = "Chongqing Young Talents", ["year"] = 2022 }),
        ["languages"] = new JsonArray("zh", "en"),
        ["earliestStartDate"] = "2027-03-01",
        ["consentToMatching"] = true,
    };

    [Fact]
    public async Task Registering_stores_the_profile_and_an_event_without_personal_data_in_one_transaction()
    {
        var response = await _client.PostAsJsonAsync("/api/profiles", ValidProfile());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonObject>();
        var id = created!["id"]!.GetValue<Guid>();
        Assert.Equal($"/api/profiles/{id}", response.Headers.Location!.ToString());
        Assert.Equal(1, created["version"]!.GetValue<long>());
        Assert.Equal(["flow cytometry", "single-cell rna-seq"], created["skills"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["full-time", "visiting"], created["employmentModes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.NotNull(created["consentGivenAt"]);

        var fetched = await _client.GetFromJsonAsync<JsonObject>($"/api/profiles/{id}");
        Assert.Equal("Zhang Wei", fetched!["fullName"]!.GetValue<string>());
        Assert.Equal("R2", fetched["careerStage"]!.GetValue<string>());

        var outbox = await OutboxFor(id);
        var registered = Assert.Single(outbox);
        Assert.Equal("TalentMatch.Contracts.Profiles.ProfileRegistered", registered.MessageType);
        var payload = JsonNode.Parse(registered.Payload)!;
        Assert.Equal(1, payload["aggregateVersion"]!.GetValue<long>());
        Assert.Equal(registered.Id, payload["eventId"]!.GetValue<Guid>());
        Assert.Equal(3, payload["view"]!["degreeLevel"]!.GetValue<int>());
        Assert.Equal(1, payload["view"]!["talentTier"]!.GetValue<int>());
        Assert.Equal(9, payload["view"]!["hIndex"]!.GetValue<int>());
        Assert.DoesNotContain("1825-0097", registered.Payload);
        Assert.Equal(5, payload["view"]!["employmentModes"]!.GetValue<int>());
        Assert.DoesNotContain("Zhang", registered.Payload);
        Assert.DoesNotContain("zhang.wei", registered.Payload);
        Assert.DoesNotContain("6848", registered.Payload);
    }

    [Fact]
    public async Task The_relay_publishes_committed_events_and_marks_them_sent()
    {
        var id = await Register();

        await Eventually.True(
            async () => (await OutboxFor(id)).All(m => m.SentAt is not null),
            TimeSpan.FromSeconds(15), "the outbox row to be marked sent");
    }

    [Fact]
    public async Task Updates_and_withdrawal_increment_the_version_and_publish_each_change()
    {
        var id = await Register();
        var changed = ValidProfile();
        changed["researchFields"] = new JsonArray("ENG.MAT");

        var updated = await _client.PutAsJsonAsync($"/api/profiles/{id}", changed);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(2, (await updated.Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<long>());

        var withdrawn = await _client.PostAsync($"/api/profiles/{id}/withdraw", null);
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Equal("withdrawn", (await withdrawn.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());

        var events = (await OutboxFor(id)).OrderBy(m => m.Sequence).ToList();
        Assert.Equal(
            ["ProfileRegistered:1", "ProfileUpdated:2", "ProfileWithdrawn:3"],
            events.Select(e => $"{e.MessageType.Split('.').Last()}:{JsonNode.Parse(e.Payload)!["aggregateVersion"]}"));

        Assert.Equal(HttpStatusCode.Conflict, (await _client.PutAsJsonAsync($"/api/profiles/{id}", changed)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync($"/api/profiles/{id}/withdraw", null)).StatusCode);
        Assert.Equal(3, (await OutboxFor(id)).Count);
    }

    [Fact]
    public async Task An_incomplete_profile_gets_400_naming_every_missing_field_and_nothing_is_stored()
    {
        var before = await Counts();

        var response = await _client.PostAsJsonAsync("/api/profiles", new JsonObject { ["fullName"] = "Li Na" });

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject().Select(e => e.Key).ToHashSet();
        foreach (var field in new[] { "email", "researchFields", "careerStage", "yearsOfExperience", "employmentModes", "consentToMatching" })
        {
            Assert.Contains(field, errors);
        }

        Assert.DoesNotContain("fullName", errors);
        Assert.Equal(before, await Counts());
    }

    public static TheoryData<string, object?, string> InvalidValues => new()
    {
        { "email", "not-an-email", "email" },
        { "email", "a@b", "email" },
        { "email", "a@", "email" },
        { "email", "@b.c", "email" },
        { "email", "a@b.", "email" },
        { "researchFields", new JsonArray("not a code"), "researchFields" },
        { "researchFields", new JsonArray(), "researchFields" },
        { "researchFields", new JsonArray("MED.NO.SUCH"), "researchFields" },
        { "employmentModes", new JsonArray("none"), "employmentModes[0]" },
        { "yearsOfExperience", -1, "yearsOfExperience" },
        { "publicationsCount", -5, "publicationsCount" },
        { "employmentModes", new JsonArray(), "employmentModes" },
        { "skills", new JsonArray(new string('x', 101)), "skills" },
        { "phone", "call me maybe", "phone" },
        { "degrees", new JsonArray(new JsonObject { ["level"] = "phd" }), "degrees[0].level" },
        { "degrees", new JsonArray(new JsonObject { ["level"] = "master", ["field"] = "NOPE", ["institution"] = "X", ["year"] = 2010 }), "degrees[0].field" },
        { "degrees", new JsonArray(new JsonObject { ["level"] = "master", ["field"] = "MED", ["institution"] = "X", ["year"] = 1900 }), "degrees[0].year" },
        { "orcid", "0000-0002-1825-0098", "orcid" },
        { "hIndex", 99, "hIndex" },
        { "grantsLed", -1, "grantsLed" },
        { "honours", new JsonArray(new JsonObject { ["tier"] = "none", ["programme"] = "x", ["year"] = 2020 }), "honours[0].tier" },
        { "languages", new JsonArray("English"), "languages[0]" },
        { "earliestStartDate", "2027-02-30", "earliestStartDate" },
        { "earliestStartDate", "1999-01-01", "earliestStartDate" },
        { "careerStage", "R9", "careerStage" },
        { "yearsOfExperience", "six", "yearsOfExperience" },
        { "consentToMatching", "yes", "consentToMatching" },
        { "nickname", "unknown member", "nickname" },
        { "fullName", "Zhang\u0000Wei", "fullName" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public async Task An_invalid_value_gets_400_naming_the_field_and_nothing_is_stored(string field, object? value, string reported)
    {
        var body = ValidProfile();
        body[field] = value is JsonNode node ? node.DeepClone() : JsonValue.Create(value);
        var before = await Counts();

        var response = await _client.PostAsync("/api/profiles", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains(reported, problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Malformed_json_wrong_content_type_and_oversized_bodies_are_rejected_with_problem_details()
    {
        var before = await Counts();

        await AssertProblem(await _client.PostAsync("/api/profiles", new StringContent("{\"fullName\": ", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await AssertProblem(await _client.PostAsync("/api/profiles", new StringContent(ValidProfile().ToJsonString(), Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType);
        var huge = ValidProfile();
        huge["fullName"] = new string('a', 300_000);
        await AssertProblem(await _client.PostAsync("/api/profiles", new StringContent(huge.ToJsonString(), Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Unknown_profiles_and_bad_paging_get_problem_details()
    {
        await AssertProblem(await _client.GetAsync($"/api/profiles/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await AssertProblem(await _client.PutAsJsonAsync($"/api/profiles/{Guid.NewGuid()}", ValidProfile()), HttpStatusCode.NotFound);
        await AssertProblem(await _client.PostAsync($"/api/profiles/{Guid.NewGuid()}/withdraw", null), HttpStatusCode.NotFound);
        await AssertProblem(await _client.GetAsync("/api/profiles?pageSize=1000"), HttpStatusCode.BadRequest);
        await AssertProblem(await _client.GetAsync("/api/profiles?page=0"), HttpStatusCode.BadRequest);
        await AssertProblem(await _client.GetAsync("/api/profiles?city=%00"), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/api/taxonomy", "MED.IMMUNO.TUMOUR")]
    [InlineData("/api/career-stages", "R4")]
    [InlineData("/api/skills", "flow cytometry")]
    public async Task Reference_data_is_served(string path, string expected)
    {
        var body = await _client.GetStringAsync(path);
        Assert.Contains(expected, body);
    }

    [Fact]
    public async Task Lists_are_paged()
    {
        await Register();
        await Register();

        var page = await _client.GetFromJsonAsync<JsonObject>("/api/profiles?page=1&pageSize=1");

        Assert.Single(page!["items"]!.AsArray());
        Assert.True(page["total"]!.GetValue<long>() >= 2);
        Assert.Equal(1, page["pageSize"]!.GetValue<int>());
    }

    [Fact]
    public async Task Health_endpoints_report_live_and_ready()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);
        var ready = await _client.GetAsync("/health/ready");
        var body = await ready.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("database", body!["checks"]!.AsObject().Select(c => c.Key));
        Assert.Contains("broker", body["checks"]!.AsObject().Select(c => c.Key));
    }

    [Fact]
    public void MassTransit_usage_telemetry_is_off() =>
        // MassTransit 8.4 reports to its vendor unless told not to; the platform calls nothing an operator did not configure.
        Assert.False(host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MassTransit.UsageTelemetryOptions>>().Value.Enabled);

    [Fact]
    public async Task The_migrated_schema_matches_the_model() =>
        await host.WithDbAsync<ProfilesDbContext, bool>(async db =>
        {
            await SchemaAssert.MigratedSchemaMatchesModel(db);
            return true;
        });

    private async Task<Guid> Register()
    {
        var response = await _client.PostAsJsonAsync("/api/profiles", ValidProfile());
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private Task<List<OutboxMessage>> OutboxFor(Guid profileId) =>
        host.WithDbAsync<ProfilesDbContext, List<OutboxMessage>>(db => db.Set<OutboxMessage>()
            .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE payload->>'aggregateId' = {profileId.ToString()}")
            .AsNoTracking().ToListAsync());

    private Task<(int Profiles, int Outbox)> Counts() =>
        host.WithDbAsync<ProfilesDbContext, (int, int)>(async db => (await db.Profiles.CountAsync(), await db.Set<OutboxMessage>().CountAsync()));

    internal static async Task<JsonObject> AssertProblem(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal((int)expected, problem!["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        return problem;
    }
}
