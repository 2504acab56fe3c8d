using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using TalentMatch.Web.Auth;

namespace TalentMatch.Web.Tests;

/// <summary>The server-side session: tokens stay in the store, the cookie gets only a key, refresh happens here.</summary>
public sealed class SessionTokenTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Monitor(OpenIdConnectOptions value) : IOptionsMonitor<OpenIdConnectOptions>
    {
        public OpenIdConnectOptions CurrentValue => value;
        public OpenIdConnectOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<OpenIdConnectOptions, string?> listener) => null;
    }

    private sealed class Clients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private readonly Clock _clock = new();
    private readonly DistributedTicketStore _store;
    private readonly FakeService _provider = new();
    private readonly TokenRefresher _refresher;
    private int _refreshes;

    public SessionTokenTests()
    {
        var options = Options.Create(new WebAuthOptions());
        _store = new DistributedTicketStore(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())), new EphemeralDataProtectionProvider(), options);
        var configuration = new OpenIdConnectConfiguration { TokenEndpoint = "http://idp.local/connect/token" };
        var oidc = new OpenIdConnectOptions { ClientId = "talentmatch-web", ClientSecret = "s3cret", ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration) };
        _refresher = new TokenRefresher(_store, new Clients(_provider), new Monitor(oidc), options, _clock, NullLogger<TokenRefresher>.Instance);
    }

    private AuthenticationTicket Ticket(string access, string refresh, DateTimeOffset expires)
    {
        var properties = new AuthenticationProperties();
        properties.StoreTokens([
            new AuthenticationToken { Name = "access_token", Value = access },
            new AuthenticationToken { Name = "refresh_token", Value = refresh },
            new AuthenticationToken { Name = "expires_at", Value = expires.ToString("o") },
        ]);
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "u1"), new Claim("role", "researcher")], "oidc")), properties, "Cookies");
    }

    private void ProviderRotates()
    {
        _provider.On(HttpMethod.Post, "/connect/token", (_, body) =>
        {
            var n = Interlocked.Increment(ref _refreshes);
            var form = body!.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
            Assert.Equal("refresh_token", form["grant_type"]);
            Assert.Equal("s3cret", form["client_secret"]);
            // Rotation: only the latest refresh token works.
            if (form["refresh_token"] != $"r{n}") { return FakeService.Problem(HttpStatusCode.BadRequest, "invalid_grant"); }
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""{"access_token":"a{{n + 1}}","refresh_token":"r{{n + 1}}","expires_in":900,"token_type":"Bearer"}""", Encoding.UTF8, "application/json"),
            };
        });
    }

    [Fact]
    public async Task The_cookie_carries_a_random_key_and_the_tokens_stay_on_the_server()
    {
        var key = await _store.StoreAsync(Ticket("a1", "r1", _clock.Now.AddMinutes(15)));
        Assert.Matches("^[0-9A-F]{64}$", key);
        var back = await _store.RetrieveAsync(key);
        Assert.Equal("a1", back!.Properties.GetTokenValue("access_token"));
        Assert.Equal(key, back.Principal.FindFirst(AuthSetup.SessionClaim)!.Value);

        await _store.RenewAsync(key, back);
        var again = await _store.RetrieveAsync(key);
        Assert.Single(again!.Principal.FindAll(AuthSetup.SessionClaim));

        await _store.RemoveAsync(key);
        Assert.Null(await _store.RetrieveAsync(key));
    }

    [Fact]
    public async Task A_fresh_token_is_used_as_it_is()
    {
        ProviderRotates();
        var key = await _store.StoreAsync(Ticket("a1", "r1", _clock.Now.AddMinutes(10)));
        Assert.Equal("a1", (await _refresher.GetAccessTokenAsync(key, default))!.AccessToken);
        Assert.Equal(0, _refreshes);
    }

    [Fact]
    public async Task A_token_about_to_expire_is_refreshed_once_even_when_many_calls_need_it()
    {
        ProviderRotates();
        var key = await _store.StoreAsync(Ticket("a1", "r1", _clock.Now.AddSeconds(30)));
        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _refresher.GetAccessTokenAsync(key, default)));
        Assert.All(tokens, t => Assert.Equal("a2", t!.AccessToken));
        Assert.Equal(1, _refreshes);
        var stored = await _store.RetrieveAsync(key);
        Assert.Equal("r2", stored!.Properties.GetTokenValue("refresh_token"));
        Assert.Equal(_clock.Now.AddSeconds(900), tokens[0]!.ExpiresAt);

        // Fifteen minutes later the rotated refresh token is used, not the first one.
        _clock.Now = _clock.Now.AddMinutes(15);
        Assert.Equal("a3", (await _refresher.GetAccessTokenAsync(key, default))!.AccessToken);
        Assert.Equal(2, _refreshes);
    }

    [Fact]
    public async Task A_refused_refresh_ends_the_session()
    {
        _provider.On(HttpMethod.Post, "/connect/token", (_, _) => FakeService.Problem(HttpStatusCode.BadRequest, "invalid_grant"));
        var key = await _store.StoreAsync(Ticket("a1", "r1", _clock.Now.AddSeconds(-5)));
        Assert.Null(await _refresher.GetAccessTokenAsync(key, default));
        Assert.Null(await _store.RetrieveAsync(key));
    }
}
