using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Profiles;

namespace TalentMatch.Profiles.Tests;

/// <summary>
/// The shared request rules (services/shared/TalentMatch.Hosting/Web) as the profiles service applies them: each case
/// is one the hostile-input generator found answered 500 or 401, named here so a regression says which rule broke.
/// </summary>
public sealed class RequestRulesTests(ProfilesHost host) : IClassFixture<ProfilesHost>
{
    private readonly HttpClient _client = host.CreateClient();

    private Task<HttpResponseMessage> Post(string body, string contentType = "application/json", HttpClient? client = null)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return (client ?? _client).PostAsync("/api/profiles", content);
    }

    private static async Task<JsonObject> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.NotNull(problem["title"]);
        return problem;
    }

    private Task<int> Count() => host.WithDbAsync<ProfilesDbContext, int>(db => db.Profiles.CountAsync());

    [Theory]
    [InlineData("languages", "languages[0]")]
    [InlineData("skills", "skills[0]")]
    [InlineData("degrees", "degrees[0]")]
    [InlineData("honours", "honours[0]")]
    [InlineData("employmentModes", "employmentModes[0]")]
    public async Task A_null_list_entry_is_400_naming_the_entry(string member, string expected)
    {
        var body = ProfilesApiTests.ValidProfile();
        body[member] = new JsonArray((JsonNode?)null);
        var before = await Count();

        var problem = await AssertProblem(await Post(body.ToJsonString()), HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]![expected]);
        Assert.Equal(before, await Count());
    }

    [Theory]
    [InlineData("application/json; charset=foo")]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=\"\"")]
    [InlineData("application/json; charset=utf-16")]
    public async Task A_charset_other_than_utf8_is_415(string contentType)
    {
        await AssertProblem(await Post(ProfilesApiTests.ValidProfile().ToJsonString(), contentType), HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Utf8_named_either_way_is_accepted()
    {
        var body = ProfilesApiTests.ValidProfile();
        body["email"] = $"charset-{Guid.NewGuid():N}@example.org";
        var response = await Post(body.ToJsonString(), "application/json; charset=\"UTF-8\"");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("page=2147483647")]
    [InlineData("page=1073741825&pageSize=2")]
    [InlineData("page=10737419&pageSize=200")]
    public async Task A_page_whose_offset_overflows_is_400_naming_page(string query)
    {
        var problem = await AssertProblem(await _client.GetAsync("/api/profiles?" + query), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["page"]);
    }

    [Fact]
    public async Task The_last_page_that_fits_is_an_empty_page()
    {
        var response = await _client.GetAsync("/api/profiles?page=10737417&pageSize=200");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Duplicate_members_and_control_characters_are_400_naming_the_member()
    {
        var text = ProfilesApiTests.ValidProfile().ToJsonString().Replace("\"fullName\":\"Zhang Wei\"", "\"fullName\":\"Zhang Wei\",\"fullName\":\"Li Lei\"");
        await AssertProblem(await Post(text), HttpStatusCode.BadRequest);

        var control = ProfilesApiTests.ValidProfile();
        control["fullName"] = "Zhang\u001b[2JWei";
        var problem = await AssertProblem(await Post(control.ToJsonString()), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["fullName"]);

        // Tab and line breaks are text, not control: they stay allowed.
        var tab = ProfilesApiTests.ValidProfile();
        tab["email"] = $"tab-{Guid.NewGuid():N}@example.org";
        tab["currentTitle"] = "Associate\tResearcher";
        Assert.Equal(HttpStatusCode.Created, (await Post(tab.ToJsonString())).StatusCode);
    }

    [Fact]
    public async Task Anonymous_requests_hear_404_405_and_415_where_signing_in_would_not_help_and_401_only_where_it_would()
    {
        var anonymous = host.ClientAs(null);

        await AssertProblem(await anonymous.GetAsync("/api/no-such-thing"), HttpStatusCode.NotFound);
        await AssertProblem(await anonymous.GetAsync("/api/profiles/not-a-guid"), HttpStatusCode.NotFound);
        var wrongMethod = await anonymous.PatchAsync("/api/profiles", new StringContent("{}", Encoding.UTF8, "application/json"));
        await AssertProblem(wrongMethod, HttpStatusCode.MethodNotAllowed);
        Assert.NotEmpty(wrongMethod.Content.Headers.Allow);
        await AssertProblem(await Post(ProfilesApiTests.ValidProfile().ToJsonString(), "text/plain", anonymous), HttpStatusCode.UnsupportedMediaType);
        await AssertProblem(await Post(ProfilesApiTests.ValidProfile().ToJsonString(), "application/json; charset=foo", anonymous), HttpStatusCode.UnsupportedMediaType);

        // A real operation, sent properly: signing in would help.
        await AssertProblem(await Post(ProfilesApiTests.ValidProfile().ToJsonString(), client: anonymous), HttpStatusCode.Unauthorized);
        await AssertProblem(await anonymous.GetAsync($"/api/profiles/{Guid.NewGuid()}"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_overlong_url_is_414_and_oversized_headers_are_431_as_problem_details()
    {
        await AssertProblem(await _client.GetAsync("/api/profiles?city=" + new string('x', 9 * 1024)), HttpStatusCode.RequestUriTooLong);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/profiles");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('x', 40 * 1024));
        await AssertProblem(await _client.SendAsync(request), HttpStatusCode.RequestHeaderFieldsTooLarge);
    }
}
