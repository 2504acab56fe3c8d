using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Web;
using TalentMatch.Profiles;
using TalentMatch.Testing;

namespace TalentMatch.Profiles.Tests;

/// <summary>ETag / If-Match, Idempotency-Key and the list's filters and sorting.</summary>
public sealed class ConcurrencyAndListTests(ProfilesHost host) : IClassFixture<ProfilesHost>
{
    private readonly HttpClient _client = host.CreateClient();

    [Fact]
    public async Task A_write_with_a_stale_etag_gets_412_and_changes_nothing()
    {
        var created = await _client.PostAsJsonAsync("/api/profiles", ProfilesApiTests.ValidProfile());
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var etag = created.Headers.ETag!;
        Assert.Equal("\"1\"", etag.Tag);

        var first = ProfilesApiTests.ValidProfile();
        first["yearsOfExperience"] = 7;
        var ok = await Put(id, first, etag);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("\"2\"", ok.Headers.ETag!.Tag);

        var stale = ProfilesApiTests.ValidProfile();
        stale["yearsOfExperience"] = 30;
        var refused = await Put(id, stale, etag);
        await ProfilesApiTests.AssertProblem(refused, HttpStatusCode.PreconditionFailed);

        var current = await _client.GetAsync($"/api/profiles/{id}");
        Assert.Equal("\"2\"", current.Headers.ETag!.Tag);
        Assert.Equal(7, (await current.Content.ReadFromJsonAsync<JsonObject>())!["yearsOfExperience"]!.GetValue<double>());
        var withdrawStale = new HttpRequestMessage(HttpMethod.Post, $"/api/profiles/{id}/withdraw");
        withdrawStale.Headers.IfMatch.Add(etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _client.SendAsync(withdrawStale)).StatusCode);
    }

    [Fact]
    public async Task A_retried_create_with_the_same_idempotency_key_does_not_make_a_duplicate()
    {
        var key = Guid.NewGuid().ToString();
        var body = ProfilesApiTests.ValidProfile();
        body["email"] = $"{key}@example.org";

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostWithKey(body, key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await host.WithDbAsync<ProfilesDbContext, int>(db => db.Profiles.CountAsync(p => p.Email == $"{key}@example.org")));

        var other = ProfilesApiTests.ValidProfile();
        await ProfilesApiTests.AssertProblem(await PostWithKey(other, key), HttpStatusCode.UnprocessableEntity);
        var badKey = new HttpRequestMessage(HttpMethod.Post, "/api/profiles") { Content = JsonContent.Create(other) };
        badKey.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 300));
        await ProfilesApiTests.AssertProblem(await _client.SendAsync(badKey), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_idempotency_key_replays_only_for_the_account_that_sent_it()
    {
        var key = Guid.NewGuid().ToString();
        var body = ProfilesApiTests.ValidProfile();
        body["email"] = $"{key}@example.org";
        var first = Guid.CreateVersion7();
        var original = await PostWithKey(body, key, TestTokens.Researcher(first));
        Assert.Equal(HttpStatusCode.Created, original.StatusCode);

        // Another researcher who learnt the key and the body gets their own profile, not the first one's answer.
        var second = Guid.CreateVersion7();
        var replayedForOther = await PostWithKey(body, key, TestTokens.Researcher(second));
        Assert.Equal(HttpStatusCode.Created, replayedForOther.StatusCode);
        Assert.False(replayedForOther.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(second, (await replayedForOther.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>());

        // A different body from a third account is not told that the key exists (no 422).
        var other = ProfilesApiTests.ValidProfile();
        var third = Guid.CreateVersion7();
        var differentBody = await PostWithKey(other, key, TestTokens.Researcher(third));
        Assert.Equal(HttpStatusCode.Created, differentBody.StatusCode);
        Assert.Equal(third, (await differentBody.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>());

        // The same for two administrators, and two machine clients of one account; the sender still gets its replay.
        var adminKey = Guid.NewGuid().ToString();
        var adminA = await PostWithKey(body, adminKey, TestTokens.Admin());
        var adminB = await PostWithKey(body, adminKey, TestTokens.For(Roles.Admin, Guid.CreateVersion7()));
        var adminAAgain = await PostWithKey(body, adminKey, TestTokens.Admin());
        var idA = (await adminA.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.NotEqual(idA, (await adminB.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>());
        Assert.Equal("true", adminAAgain.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(idA, (await adminAAgain.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>());

        var caller = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new("sub", "account-1"), new("client_id", "importer")], "test"));
        Assert.NotEqual(IdempotentRequest.CallerOf(caller), IdempotentRequest.CallerOf(new System.Security.Claims.ClaimsPrincipal(
            new System.Security.Claims.ClaimsIdentity([new("sub", "account-1"), new("client_id", "other-client")], "test"))));

        Assert.Equal(4, await host.WithDbAsync<ProfilesDbContext, int>(db => db.Profiles.CountAsync(p => p.Email == $"{key}@example.org")));
    }

    [Fact]
    public async Task Lists_filter_by_field_city_stage_institution_and_status_and_sort()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var institution = $"Institute {tag}";
        JsonObject Make(string field, string stage, string city, double years)
        {
            var p = ProfilesApiTests.ValidProfile();
            p["researchFields"] = new JsonArray(field);
            p["careerStage"] = stage;
            p["preferredCities"] = new JsonArray(city);
            p["yearsOfExperience"] = years;
            p["currentInstitution"] = institution;
            return p;
        }

        var a = await Create(Make("NEURO.DEGEN.AD", "R2", "Mianyang", 3));
        var b = await Create(Make("NEURO.DEGEN.PD", "R3", "Chengdu", 12));
        var c = await Create(Make("ENG.MAT.NANO", "R3", "Chengdu", 8));
        (await _client.PostAsync($"/api/profiles/{c}/withdraw", null)).EnsureSuccessStatusCode();

        Assert.Equal([a, b], await Ids($"institution={Uri.EscapeDataString(institution.ToUpperInvariant())}&field=NEURO.DEGEN&sort=yearsOfExperience"));
        Assert.Equal([b, a], await Ids($"institution={Uri.EscapeDataString(institution)}&field=NEURO&sort=-yearsOfExperience"));
        Assert.Equal([b, c], await Ids($"institution={Uri.EscapeDataString(institution)}&city=Chengdu&sort=createdAt"));
        Assert.Equal([b, c], await Ids($"institution={Uri.EscapeDataString(institution)}&stage=R3&sort=createdAt"));
        Assert.Equal([c], await Ids($"institution={Uri.EscapeDataString(institution)}&status=withdrawn"));

        var bad = await _client.GetAsync("/api/profiles?field=NOPE&stage=R9&status=gone&sort=shoeSize");
        var errors = (await ProfilesApiTests.AssertProblem(bad, HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key);
        Assert.Equal(["field", "sort", "stage", "status"], errors.Order());
    }

    private async Task<Guid> Create(JsonObject body)
    {
        var response = await _client.PostAsJsonAsync("/api/profiles", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private async Task<List<Guid>> Ids(string query)
    {
        var page = await _client.GetFromJsonAsync<JsonObject>($"/api/profiles?pageSize=50&{query}");
        return page!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
    }

    private Task<HttpResponseMessage> Put(Guid id, JsonObject body, EntityTagHeaderValue etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/profiles/{id}") { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(etag);
        return _client.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostWithKey(JsonObject body, string key, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return (token is null ? _client : host.ClientAs(token)).SendAsync(request);
    }
}
