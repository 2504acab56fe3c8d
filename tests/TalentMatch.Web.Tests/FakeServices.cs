using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor.Services;
using TalentMatch.Web.Api;

namespace TalentMatch.Web.Tests;

/// <summary>A service answering from a table of (method, path) → response; every request is recorded.</summary>
public sealed class FakeService : HttpMessageHandler
{
    private readonly List<(HttpMethod Method, Func<string, bool> Path, Func<HttpRequestMessage, string?, HttpResponseMessage> Answer)> _routes = [];

    public ConcurrentQueue<(HttpMethod Method, string PathAndQuery, string? Body)> Requests { get; } = new();

    public FakeService On(HttpMethod method, string pathPrefix, Func<HttpRequestMessage, string?, HttpResponseMessage> answer)
    {
        _routes.Insert(0, (method, p => p.StartsWith(pathPrefix, StringComparison.Ordinal), answer));
        return this;
    }

    public FakeService OnJson(HttpMethod method, string pathPrefix, object body, HttpStatusCode status = HttpStatusCode.OK, string? etag = null) =>
        On(method, pathPrefix, (_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(JsonSerializer.Serialize(body, ApiJson.Options), Encoding.UTF8, "application/json") };
            if (etag is not null) { response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue(etag); }
            return response;
        });

    public static HttpResponseMessage Problem(HttpStatusCode status, string title, Dictionary<string, string[]>? errors = null) =>
        new(status)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { type = "about:blank", title, status = (int)status, errors }),
                Encoding.UTF8, "application/problem+json"),
        };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri!.PathAndQuery;
        Requests.Enqueue((request.Method, path, body));
        foreach (var route in _routes)
        {
            if (route.Method == request.Method && route.Path(path))
            {
                return route.Answer(request, body);
            }
        }

        return Problem(HttpStatusCode.NotFound, $"No fake for {request.Method} {path}");
    }

    public HttpClient Client() => new(this) { BaseAddress = new Uri("http://fake.local") };
}

public static class TestSetup
{
    public static readonly Guid Institution = Guid.Parse("c5900272-f402-555f-a76f-adc691de5ea7");

    /// <summary>MudBlazor, localisation, reference data and the typed clients over fakes.</summary>
    public static (FakeService Profiles, FakeService Positions, FakeService Matching, FakeService Identity) AddWebServices(this BunitContext ctx)
    {
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddLocalization();
        var profiles = new FakeService();
        var positions = new FakeService();
        var matching = new FakeService();
        var identity = new FakeService();
        ctx.Services.AddSingleton(new ProfilesApi(profiles.Client()));
        ctx.Services.AddSingleton(new PositionsApi(positions.Client()));
        ctx.Services.AddSingleton(new MatchingApi(matching.Client()));
        ctx.Services.AddSingleton(new IdentityApi(identity.Client()));
        ctx.Services.AddScoped<UnreadNotices>();
        var reference = new ReferenceData(new NoClients(), NullLogger<ReferenceData>.Instance);
        reference.Set(
            [
                new ResearchField("MED", "Medicine", "医学", "discipline", null, ["MED.IMMUNO"]),
                new ResearchField("MED.IMMUNO", "Immunology", "免疫学", "field", "MED", []),
            ],
            [
                new CareerStageInfo("R2", "Recognised Researcher", "获认可研究人员", null, [new Title("Assistant researcher", "助理研究员")], [new Title("Attending physician", "主治医师")]),
                new CareerStageInfo("R3", "Established Researcher", "资深研究人员", null, [new Title("Associate researcher", "副研究员")], [new Title("Associate chief physician", "副主任医师")]),
            ],
            [new Skill("流式细胞术", "flow cytometry", "lab", ["MED.IMMUNO"])],
            [new Institution(Institution, "cqmu", "Chongqing Medical University", "重庆医科大学", "Chongqing", "university")]);
        ctx.Services.AddSingleton(reference);
        return (profiles, positions, matching, identity);
    }

    public static void SignIn(this BunitContext ctx, string role, string? sub = null)
    {
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized("Test User");
        auth.SetRoles(role);
        auth.SetClaims(new Claim("sub", sub ?? Guid.NewGuid().ToString()), new Claim("role", role), new Claim("institution", Institution.ToString()), new Claim("name", "Test User"));
    }

    /// <summary>Runs with the given UI culture, restoring the previous one.</summary>
    public static IDisposable Culture(string name)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);
        return new Restore(() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui));
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    private sealed class NoClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("Reference data is set directly in tests.");
    }
}
