using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Positions;

namespace TalentMatch.Positions.Tests;

public sealed class JobPostingTests(PositionsHost host) : IClassFixture<PositionsHost>
{
    private const string ShenzhenBayLaboratory = "156ceedc-4309-5473-bcf4-af467fde20f8";
    private readonly HttpClient _client = host.CreateClient();

    private static JsonObject Posting() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "job-posting-shenzhen-bay.jsonld")))!.AsObject();

    private Task<HttpResponseMessage> Import(JsonNode posting, string query = "", string? key = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/api/positions/import/job-posting" + query)
        {
            Content = new StringContent(posting.ToJsonString(), Encoding.UTF8, "application/ld+json"),
        };
        if (key is not null)
        {
            message.Headers.Add("Idempotency-Key", key);
        }

        return _client.SendAsync(message);
    }

    [Fact]
    public async Task A_job_posting_becomes_an_open_position_with_its_event()
    {
        var response = await Import(Posting());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Postdoctoral researcher", created["title"]!.GetValue<string>());
        Assert.Equal(ShenzhenBayLaboratory, created["institutionId"]!.GetValue<string>());
        Assert.Equal("Shenzhen", created["city"]!.GetValue<string>());
        var description = created["description"]!.GetValue<string>();
        Assert.DoesNotContain("<", description);
        Assert.Contains("Islet biology & type 2 diabetes", description);
        Assert.Equal("full-time", created["employmentMode"]!.GetValue<string>());
        Assert.Equal(300000m, created["salaryBand"]!["minCny"]!.GetValue<decimal>()); // MONTH × 12
        Assert.Equal(420000m, created["salaryBand"]!["maxCny"]!.GetValue<decimal>());
        Assert.Equal("master", created["minimumDegree"]!.GetValue<string>());
        Assert.Equal(2, created["minimumYears"]!.GetValue<double>());
        Assert.Equal(["mouse models", "islet isolation", "metabolomics"], created["requiredSkills"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(3, created["headcount"]!.GetValue<int>());
        Assert.Equal("2099-03-18", created["applicationDeadline"]!.GetValue<string>());
        Assert.Equal(3, created["researchFields"]!.AsArray().Count);
        Assert.Equal("R2", created["careerStageMin"]!.GetValue<string>()); // "Postdoctoral researcher" in the crosswalk
        Assert.Equal("R2", created["careerStageMax"]!.GetValue<string>());
        Assert.Equal("open", created["status"]!.GetValue<string>());

        var id = created["id"]!.GetValue<Guid>();
        var events = await OutboxFor(id);
        var opened = Assert.Single(events);
        Assert.EndsWith("PositionOpened", opened.MessageType);
        Assert.Equal(1, JsonNode.Parse(opened.Payload)!["aggregateVersion"]!.GetValue<long>());
    }

    public static TheoryData<string, string, string> BadPostings => new()
    {
        { "hiringOrganization", """{"hiringOrganization":{"@type":"Organization","name":"Google","sameAs":"https://www.google.com"}}""", "" },
        { "baseSalary.currency", """{"baseSalary":{"@type":"MonetaryAmount","currency":"USD","value":{"@type":"QuantitativeValue","value":40,"unitText":"YEAR"}}}""", "" },
        { "baseSalary.value.unitText", """{"baseSalary":{"@type":"MonetaryAmount","currency":"CNY","value":{"@type":"QuantitativeValue","value":40,"unitText":"HOUR"}}}""", "" },
        { "employmentType", """{"employmentType":"INTERN"}""", "" },
        { "employmentType", """{"employmentType":["FULL_TIME","PART_TIME"]}""", "" },
        { "@type", """{"@type":"Organization"}""", "" },
        { "@context", """{"@context":"https://example.org/vocab"}""", "" },
        { "careerStageMin", """{"title":"Head of Things"}""", "" },
        { "researchFields", """{"keywords":"cooking","industry":"Hospitality"}""", "" },
        { "validThrough", """{"validThrough":"next spring"}""", "" },
        { "totalJobOpenings", """{"totalJobOpenings":0.5}""", "" },
        { "applicationDeadline", """{"validThrough":"2001-01-01"}""", "" },
        { "careerStageMin", "{}", "?careerStageMin=R7" },
        { "researchFields", "{}", "?researchFields=NOPE" },
    };

    [Theory]
    [MemberData(nameof(BadPostings))]
    public async Task A_posting_that_cannot_become_a_position_gets_400_naming_the_problem_and_nothing_is_stored(string field, string patch, string query)
    {
        var posting = Posting();
        foreach (var (name, value) in JsonNode.Parse(patch)!.AsObject().ToList())
        {
            posting[name] = value?.DeepClone();
        }

        var before = await Counts();

        var response = await Import(posting, query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Query_parameters_fill_in_what_the_posting_does_not_say()
    {
        var posting = Posting();
        posting["title"] = "Head of Things";
        posting["employmentType"] = "OTHER";
        posting["hiringOrganization"] = new JsonObject { ["@type"] = "Organization", ["name"] = "深圳湾实验室" };

        var response = await Import(posting, "?careerStageMin=R3&careerStageMax=R4&employmentMode=visiting&status=draft");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(ShenzhenBayLaboratory, created["institutionId"]!.GetValue<string>());
        Assert.Equal("R3", created["careerStageMin"]!.GetValue<string>());
        Assert.Equal("R4", created["careerStageMax"]!.GetValue<string>());
        Assert.Equal("visiting", created["employmentMode"]!.GetValue<string>());
        Assert.Equal("draft", created["status"]!.GetValue<string>());
        Assert.Empty(await OutboxFor(created["id"]!.GetValue<Guid>())); // drafts are not published
    }

    [Fact]
    public async Task Malformed_or_mistyped_bodies_get_a_problem()
    {
        var malformed = await _client.PostAsync("/api/positions/import/job-posting", new StringContent("{\"@context\":", Encoding.UTF8, "application/ld+json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var array = await _client.PostAsync("/api/positions/import/job-posting", new StringContent("[]", Encoding.UTF8, "application/ld+json"));
        Assert.Equal(HttpStatusCode.BadRequest, array.StatusCode);
        var text = await _client.PostAsync("/api/positions/import/job-posting", new StringContent("title: x", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal("application/problem+json", text.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_retried_import_with_the_same_idempotency_key_creates_one_position()
    {
        var posting = Posting();
        posting["title"] = $"Postdoctoral researcher ({Guid.NewGuid():N})";
        var key = Guid.NewGuid().ToString();

        var first = await Import(posting, key: key);
        var second = await Import(posting, key: key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        var title = posting["title"]!.GetValue<string>();
        Assert.Equal(1, await host.WithDbAsync<PositionsDbContext, int>(db => db.Positions.CountAsync(p => p.Title == title)));
    }

    [Fact]
    public async Task Open_positions_export_as_json_ld_and_import_back_to_an_equivalent_position()
    {
        var body = PositionsApiTests.ValidPosition();
        body["description"] = "Leads a group on <tumour-infiltrating> lymphocytes & their niches.\nSecond paragraph.";
        var original = (await (await _client.PostAsJsonAsync("/api/positions", body)).Content.ReadFromJsonAsync<JsonObject>())!;
        var id = original["id"]!.GetValue<string>();
        var draft = PositionsApiTests.ValidPosition();
        draft["status"] = "draft";
        var draftId = (await (await _client.PostAsJsonAsync("/api/positions", draft)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var closedId = (await (await _client.PostAsJsonAsync("/api/positions", PositionsApiTests.ValidPosition())).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await _client.PostAsync($"/api/positions/{closedId}/close", null);

        var response = await _client.GetAsync("/api/positions/job-postings");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("https://schema.org", document["@context"]!.GetValue<string>());
        var graph = document["@graph"]!.AsArray();
        var ids = graph.Select(p => p!["identifier"]!["value"]!.GetValue<string>()).ToList();
        Assert.Contains(id, ids);
        Assert.DoesNotContain(draftId, ids);
        Assert.DoesNotContain(closedId, ids);
        var exported = graph.Single(p => p!["identifier"]!["value"]!.GetValue<string>() == id)!.AsObject();
        Assert.Equal("JobPosting", exported["@type"]!.GetValue<string>());
        Assert.Equal("Chongqing International Institute for Immunology", exported["hiringOrganization"]!["name"]!.GetValue<string>());
        Assert.Equal("FULL_TIME", exported["employmentType"]!.GetValue<string>());
        Assert.Equal("2027-06-30", exported["validThrough"]!.GetValue<string>());
        Assert.False(exported["directApply"]!.GetValue<bool>());
        Assert.Equal(2, exported["totalJobOpenings"]!.GetValue<int>());
        Assert.Equal("CNY", exported["baseSalary"]!["currency"]!.GetValue<string>());
        Assert.Equal(96, exported["experienceRequirements"]!["monthsOfExperience"]!.GetValue<double>());
        Assert.NotNull(exported["datePosted"]);
        Assert.NotNull(exported["educationRequirements"]);
        Assert.NotNull(exported["skills"]);

        var single = exported.DeepClone().AsObject();
        single["@context"] = "https://schema.org";
        var reimported = await Import(single);

        Assert.Equal(HttpStatusCode.Created, reimported.StatusCode);
        var copy = (await reimported.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEqual(id, copy["id"]!.GetValue<string>());
        foreach (var member in new[]
                 {
                     "institutionId", "title", "description", "city", "researchFields", "requiredSkills", "minimumDegree", "careerStageMin",
                     "careerStageMax", "minimumYears", "employmentMode", "headcount", "salaryBand", "applicationDeadline", "status",
                 })
        {
            Assert.True(JsonNode.DeepEquals(original[member], copy[member]), $"{member}: {original[member]?.ToJsonString()} vs {copy[member]?.ToJsonString()}");
        }
    }

    [Fact]
    public async Task A_hiring_organization_given_as_a_plain_name_is_matched_like_the_objects_name()
    {
        // Common in real postings; the object-only reading of it used to answer 500.
        var posting = Posting();
        posting["hiringOrganization"] = "Shenzhen Bay Laboratory";

        var response = await Import(posting);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(ShenzhenBayLaboratory, (await response.Content.ReadFromJsonAsync<JsonObject>())!["institutionId"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string> WrongShapes => new()
    {
        // member, JSON value, the field the 400 must name
        { "hiringOrganization", "42", "hiringOrganization" },
        { "hiringOrganization", "[\"Shenzhen Bay Laboratory\"]", "hiringOrganization" },
        { "hiringOrganization", "{\"name\":7}", "hiringOrganization" },
        { "jobLocation", "\"Shenzhen\"", "jobLocation" },
        { "title", "[[\"Postdoc\"]]", "title" },
        { "title", "12", "title" },
        { "keywords", "[[\"Diabetes\"],{\"name\":[1]}]", "keywords[0]" },
        { "keywords", "42", "keywords" },
        { "experienceRequirements", "[24]", "experienceRequirements" },
        { "baseSalary", "\"CNY 300000\"", "baseSalary" },
        { "baseSalary", "{\"currency\":\"CNY\",\"value\":1e29}", "baseSalary.value" },
        { "baseSalary", "{\"currency\":\"CNY\",\"value\":{\"minValue\":79228162514264337593543950336,\"maxValue\":1e30,\"unitText\":\"MONTH\"}}", "baseSalary.value" },
        { "title", "\"Post\\u0000doc\"", "title" },
        { "title", "\"Post\\ud800doc\"", "title" },
        { "description", "\"a\\u0007b\"", "description" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public async Task A_member_of_the_wrong_shape_is_400_naming_the_field_and_stores_nothing(string member, string json, string field)
    {
        var posting = Posting();
        posting[member] = JsonNode.Parse("\"placeholder\"");
        var text = posting.ToJsonString().Replace($"\"{member}\":\"placeholder\"", $"\"{member}\":{json}");
        var before = await Counts();

        var response = await SendText(text);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(JsonNode.Parse(body)!["errors"]![field]);
        Assert.Equal(before, await Counts());
    }

    [Fact]
    public async Task Duplicate_members_and_lone_surrogates_in_member_names_are_400()
    {
        var text = Posting().ToJsonString();
        foreach (var hostile in new[]
                 {
                     text.Replace("\"title\":", "\"title\":\"Professor\",\"title\":"),
                     text.Replace("\"title\":", "\"\\ud800\":1,\"title\":"),
                     text.Replace("\"currency\":", "\"currency\":\"USD\",\"currency\":"),
                 })
        {
            var response = await SendText(hostile);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private Task<HttpResponseMessage> SendText(string text) =>
        _client.PostAsync("/api/positions/import/job-posting", new StringContent(text, Encoding.UTF8, "application/ld+json"));

    private Task<List<OutboxMessage>> OutboxFor(Guid id) => host.WithDbAsync<PositionsDbContext, List<OutboxMessage>>(db => db.Set<OutboxMessage>()
        .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE payload->>'aggregateId' = {id.ToString()}").AsNoTracking().ToListAsync());

    private Task<(int Positions, int Outbox)> Counts() => host.WithDbAsync<PositionsDbContext, (int, int)>(async db =>
        (await db.Positions.CountAsync(), await db.Set<OutboxMessage>().CountAsync()));
}
