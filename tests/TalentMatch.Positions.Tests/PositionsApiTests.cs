using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Positions;
using TalentMatch.Testing;

namespace TalentMatch.Positions.Tests;

public sealed class PositionsHost : ServiceHost<Program>;

public sealed class PositionsApiTests(PositionsHost host) : IClassFixture<PositionsHost>
{
    private readonly HttpClient _client = host.CreateClient();

    internal static JsonObject ValidPosition() => new()
    {
        ["institutionId"] = "c5900272-f402-555f-a76f-adc691de5ea7",
        ["title"] = "Principal Investigator, Tumour Immunology",
        ["department"] = "Chongqing International Institute for Immunology",
        ["city"] = "Chongqing",
        ["researchFields"] = new JsonArray("MED.IMMUNO"),
        ["requiredSkills"] = new JsonArray("flow cytometry"),
        ["preferredSkills"] = new JsonArray("single-cell rna-seq"),
        ["minimumDegree"] = "doctorate",
        ["careerStageMin"] = "R3",
        ["careerStageMax"] = "R4",
        ["minimumYears"] = 8,
        ["employmentMode"] = "full-time",
        ["headcount"] = 2,
        ["applicationDeadline"] = "2027-06-30",
        ["talentTierSought"] = "national",
        ["languages"] = new JsonArray("en", "zh"),
        ["salaryBand"] = new JsonObject { ["minCny"] = 600000, ["maxCny"] = 1200000 },
        ["startupFundingCny"] = 5000000,
        ["description"] = "Leads a group on tumour-infiltrating lymphocytes.",
    };

    [Fact]
    public async Task Opening_updating_and_closing_publish_versioned_events()
    {
        var response = await _client.PostAsJsonAsync("/api/positions", ValidPosition());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        var changed = ValidPosition();
        changed["headcount"] = 3;
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsJsonAsync($"/api/positions/{id}", changed)).StatusCode);
        var closed = await _client.PostAsync($"/api/positions/{id}/close", null);
        Assert.Equal("closed", (await closed.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());

        var events = await host.WithDbAsync<PositionsDbContext, List<OutboxMessage>>(db => db.Set<OutboxMessage>()
            .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE payload->>'aggregateId' = {id.ToString()} ORDER BY sequence")
            .AsNoTracking().ToListAsync());
        Assert.Equal(
            ["PositionOpened:1", "PositionUpdated:2", "PositionClosed:3"],
            events.Select(e => $"{e.MessageType.Split('.').Last()}:{JsonNode.Parse(e.Payload)!["aggregateVersion"]}"));
        Assert.Equal(3, JsonNode.Parse(events[0].Payload)!["view"]!["careerStageMin"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.Conflict, (await _client.PutAsJsonAsync($"/api/positions/{id}", changed)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync($"/api/positions/{id}/close", null)).StatusCode);
    }

    public static TheoryData<string, object?> InvalidValues => new()
    {
        { "institutionId", null },
        { "institutionId", "not-a-guid" },
        { "institutionId", "00000000-0000-0000-0000-000000000001" },
        { "researchFields", new JsonArray("MED.IMMUNO.NOPE") },
        { "title", "" },
        { "researchFields", new JsonArray("lowercase.code") },
        { "minimumYears", -2 },
        { "headcount", 0 },
        { "careerStageMax", "R1" },
        { "employmentMode", "part-time" },
        { "applicationDeadline", "2020-01-01" },
        { "applicationDeadline", "2027-02-30" },
        { "salaryBand", new JsonObject { ["minCny"] = 900000, ["maxCny"] = 100 } },
        { "startupFundingCny", -1 },
        { "talentTierSought", "legendary" },
        { "status", "filled" },
        { "languages", new JsonArray("EN") },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public async Task An_invalid_position_gets_400_naming_the_field_and_nothing_is_stored(string field, object? value)
    {
        var body = ValidPosition();
        body[field] = value is JsonNode node ? node.DeepClone() : JsonValue.Create(value);
        var before = await Counts();

        var response = await _client.PostAsync("/api/positions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains(problem!["errors"]!.AsObject(), e => e.Key.StartsWith(field, StringComparison.Ordinal));
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task An_empty_body_names_every_required_field()
    {
        var response = await _client.PostAsJsonAsync("/api/positions", new JsonObject());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).ToHashSet();
        Assert.Superset(new HashSet<string> { "institutionId", "title", "researchFields", "minimumDegree", "careerStageMin", "careerStageMax", "minimumYears", "employmentMode", "headcount" }, errors);
    }

    [Fact]
    public async Task A_draft_is_invisible_to_matching_until_opened_and_filling_closes_it()
    {
        var draft = PositionsApiTests.ValidPosition();
        draft["status"] = "draft";
        draft.Remove("city");
        var response = await _client.PostAsJsonAsync("/api/positions", draft);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = created["id"]!.GetValue<Guid>();
        Assert.Equal("draft", created["status"]!.GetValue<string>());
        Assert.Equal("Chongqing", created["city"]!.GetValue<string>()); // the institution's city
        Assert.Equal(600000m, created["salaryBand"]!["minCny"]!.GetValue<decimal>());

        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsJsonAsync($"/api/positions/{id}", draft)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync($"/api/positions/{id}/fill", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/api/positions/{id}/open", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/api/positions/{id}/fill", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync($"/api/positions/{id}/open", null)).StatusCode);

        var events = await host.WithDbAsync<PositionsDbContext, List<OutboxMessage>>(db => db.Set<OutboxMessage>()
            .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE payload->>'aggregateId' = {id.ToString()} ORDER BY sequence")
            .AsNoTracking().ToListAsync());
        Assert.Equal(["PositionOpened:3", "PositionClosed:4"], events.Select(e => $"{e.MessageType.Split('.').Last()}:{JsonNode.Parse(e.Payload)!["aggregateVersion"]}"));
        Assert.True(JsonNode.Parse(events[1].Payload)!["filled"]!.GetValue<bool>());
        Assert.Equal(3, JsonNode.Parse(events[0].Payload)!["view"]!["talentTierSought"]!.GetValue<int>());
    }

    [Fact]
    public async Task Institutions_are_served_from_the_database_and_lists_filter_by_stage_and_institution()
    {
        var institutions = await _client.GetFromJsonAsync<JsonArray>("/api/institutions?city=Shenzhen");
        Assert.Contains(institutions!, i => i!["nameEn"]!.GetValue<string>() == "Shenzhen Bay Laboratory");
        Assert.All(institutions!, i => Assert.Equal("Shenzhen", i!["city"]!.GetValue<string>()));

        var body = ValidPosition();
        var institution = institutions![0]!["id"]!.GetValue<Guid>();
        body["institutionId"] = institution;
        var id = (await (await _client.PostAsJsonAsync("/api/positions", body)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        async Task<List<Guid>> Ids(string query) => (await _client.GetFromJsonAsync<JsonObject>($"/api/positions?institution={institution}&{query}"))!["items"]!
            .AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
        Assert.Contains(id, await Ids("stage=R4&field=MED"));
        Assert.DoesNotContain(id, await Ids("stage=R2"));
        Assert.DoesNotContain(id, await Ids("status=draft"));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/positions?sort=salary")).StatusCode);
    }

    [Fact]
    public async Task Unknown_positions_get_404_problem_details()
    {
        var response = await _client.GetAsync($"/api/positions/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_idempotency_key_replays_only_for_the_hr_office_that_sent_it()
    {
        var institution = Guid.Parse(ValidPosition()["institutionId"]!.GetValue<string>());
        var key = Guid.NewGuid().ToString();
        async Task<HttpResponseMessage> Post(string token, JsonObject body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/positions") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await host.ClientAs(token).SendAsync(request);
        }

        var officeA = TestTokens.Hr(institution);
        var first = await Post(officeA, ValidPosition());
        var second = await Post(TestTokens.Hr(institution), ValidPosition()); // another account of the same institution
        var changed = ValidPosition();
        changed["title"] = "Another title";
        var third = await Post(TestTokens.Hr(institution), changed);
        var again = await Post(officeA, ValidPosition());

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created],
            new[] { first.StatusCode, second.StatusCode, third.StatusCode, again.StatusCode });
        Assert.False(second.Headers.Contains("Idempotent-Replayed"));
        Assert.True(again.Headers.Contains("Idempotent-Replayed"));
        var ids = await Task.WhenAll(new[] { first, second, third, again }.Select(async r => (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>()));
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(ids[0], ids[3]);
    }

    [Fact]
    public async Task The_migrated_schema_matches_the_model() =>
        await host.WithDbAsync<PositionsDbContext, bool>(async db =>
        {
            await SchemaAssert.MigratedSchemaMatchesModel(db);
            return true;
        });

    private Task<(int Positions, int Outbox)> Counts() =>
        host.WithDbAsync<PositionsDbContext, (int, int)>(async db => (await db.Positions.CountAsync(), await db.Set<OutboxMessage>().CountAsync()));

    [Theory]
    [InlineData("page=2147483647")]
    [InlineData("page=1073741825&pageSize=2")]
    public async Task A_page_whose_offset_overflows_is_400_naming_page(string query)
    {
        var response = await _client.GetAsync("/api/positions?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!["page"]);
    }

    [Fact]
    public async Task Null_entries_and_unknown_charsets_are_refused_before_anything_is_stored()
    {
        var client = _client;
        var body = ValidPosition();
        body["languages"] = new JsonArray("en", null);
        var response = await client.PostAsync("/api/positions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!["languages[1]"]);

        var content = new StringContent(ValidPosition().ToJsonString(), System.Text.Encoding.UTF8);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=foo");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync("/api/positions", content)).StatusCode);
    }

}
