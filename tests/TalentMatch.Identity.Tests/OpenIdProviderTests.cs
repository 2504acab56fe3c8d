using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TalentMatch.ReferenceData;
using TalentMatch.Testing;

namespace TalentMatch.Identity.Tests;

/// <summary>The OpenID Connect provider: code flow with PKCE, refresh rotation and reuse detection, client credentials,
/// role changes at refresh, disable and sign-out revoking the refresh tokens, discovery and keys.</summary>
public sealed class OpenIdProviderTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private const string Password = "the-right-password-01";
    private static readonly Guid InstitutionA = Institutions.Load().All[0].Id;
    private static readonly Guid InstitutionB = Institutions.Load().All[1].Id;

    private static string NewEmail() => $"user.{Guid.NewGuid():N}@example.org";

    private async Task<HttpClient> AdminAsync() => host.ClientAs(await OidcFlow.ClientCredentialsAsync(host.CreateClient()));

    private async Task<(string Email, string Id)> CreateAsync(string role, params Guid[] institutions)
    {
        var email = NewEmail();
        var created = await (await AdminAsync()).PostAsJsonAsync("/api/accounts",
            new { email, password = Password, role, institutionIds = institutions, displayName = "Prof. Wang Lei" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (email, (await created.Content.ReadFromJsonAsync<JsonObject>())!["userId"]!.GetValue<string>());
    }

    private static JsonWebToken Read(string token) => new(token);

    [Fact]
    public async Task The_code_flow_with_pkce_issues_an_access_token_the_services_accept_and_an_identity_token()
    {
        var email = NewEmail();
        await host.SignUpAndConfirmAsync(email, Password, "Chen Jing", "10.2.0.1");
        var tokens = await OidcFlow.SignInAsync(host.From("10.2.0.1"), email, Password);

        var access = Read(tokens.AccessToken);
        Assert.Equal("at+jwt", access.Typ);
        Assert.Equal("RS256", access.Alg);
        Assert.False(string.IsNullOrEmpty(access.Kid));
        Assert.Contains("talentmatch", access.Audiences);
        Assert.Equal("researcher", access.GetClaim("role").Value);
        Assert.Equal("Chen Jing", access.GetClaim("name").Value);
        Assert.False(access.TryGetClaim("tm_stamp", out _)); // the private claim stays in the code and refresh token
        Assert.InRange(access.ValidTo - access.IssuedAt, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        Assert.InRange(tokens.ExpiresIn, 1, 900);
        Assert.NotNull(tokens.RefreshToken);
        Assert.Equal(access.Subject, Read(tokens.IdentityToken!).Subject);

        // The token is valid for identity's own API and verifies against the published keys.
        Assert.Equal(HttpStatusCode.OK, (await host.ClientAs(tokens.AccessToken).GetAsync("/api/accounts/me")).StatusCode);
        var discovery = (await host.CreateClient().GetFromJsonAsync<JsonObject>("/.well-known/openid-configuration"))!;
        Assert.EndsWith("/connect/authorize", discovery["authorization_endpoint"]!.GetValue<string>());
        Assert.Contains("S256", discovery["code_challenge_methods_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        var jwks = new JsonWebKeySet(await host.CreateClient().GetStringAsync(new Uri(discovery["jwks_uri"]!.GetValue<string>()).PathAndQuery));
        Assert.Contains(jwks.Keys, k => k.Kid == access.Kid);
        Assert.DoesNotContain(jwks.Keys, k => k.HasPrivateKey);
    }

    [Fact]
    public async Task A_code_exchanged_without_the_pkce_verifier_is_refused()
    {
        // A client that cannot prove it started the flow gets no token (the flow helper always sends the verifier;
        // here the authorize request itself leaves out the challenge).
        var response = await host.From("10.2.0.9").GetAsync(
            $"/connect/authorize?client_id={OidcFlow.WebClientId}&redirect_uri={Uri.EscapeDataString(OidcFlow.RedirectUri)}&response_type=code&scope=openid+api&state=x");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("code_challenge", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_replayed_one_revokes_the_whole_sign_in()
    {
        var (email, _) = await CreateAsync("hr", InstitutionA);
        var first = await OidcFlow.SignInAsync(host.From("10.2.0.2"), email, Password);
        var second = await OidcFlow.RefreshAsync(host.CreateClient(), first.RefreshToken!);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal("Prof. Wang Lei", Read(second.AccessToken).GetClaim("name").Value);

        // The first refresh token was used: presented again, it is refused and the one issued after it dies too.
        var replay = await OidcFlow.TryRefreshAsync(host.CreateClient(), first.RefreshToken!);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await replay.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await OidcFlow.TryRefreshAsync(host.CreateClient(), second.RefreshToken!)).StatusCode);
    }

    [Fact]
    public async Task A_change_of_role_and_scope_takes_effect_at_the_next_refresh_without_signing_in_again()
    {
        var (email, id) = await CreateAsync("ambassador", InstitutionA);
        var tokens = await OidcFlow.SignInAsync(host.From("10.2.0.3"), email, Password);
        Assert.Equal([InstitutionA.ToString()], Read(tokens.AccessToken).Claims.Where(c => c.Type == "institution").Select(c => c.Value));

        var changed = await (await AdminAsync()).PutAsJsonAsync($"/api/accounts/{id}/role", new { role = "ambassador", institutionIds = new[] { InstitutionA, InstitutionB } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var refreshed = await OidcFlow.RefreshAsync(host.CreateClient(), tokens.RefreshToken!);
        Assert.Equal(new[] { InstitutionA.ToString(), InstitutionB.ToString() }.Order(),
            Read(refreshed.AccessToken).Claims.Where(c => c.Type == "institution").Select(c => c.Value).Order());

        var invalid = await (await AdminAsync()).PutAsJsonAsync($"/api/accounts/{id}/role", new { role = "hr", institutionIds = new[] { InstitutionA, InstitutionB } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("institutionIds", (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Disabling_an_account_revokes_its_refresh_tokens_and_refuses_its_sign_in_until_re_enabled()
    {
        var (email, id) = await CreateAsync("hr", InstitutionA);
        var tokens = await OidcFlow.SignInAsync(host.From("10.2.0.4"), email, Password);
        var admin = await AdminAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/accounts/{id}/disable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await OidcFlow.TryRefreshAsync(host.CreateClient(), tokens.RefreshToken!)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.ClientAs(tokens.AccessToken).GetAsync("/api/accounts/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await OidcFlow.SubmitLoginAsync(host.From("10.2.0.5"), email, Password)).StatusCode);
        var listed = (await admin.GetFromJsonAsync<JsonObject>($"/api/accounts?search={Uri.EscapeDataString(email)}"))!;
        Assert.True(listed["items"]!.AsArray().Single()!["disabled"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/accounts/{id}/enable", null)).StatusCode);
        await OidcFlow.SignInAsync(host.From("10.2.0.6"), email, Password);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_revokes_the_refresh_tokens()
    {
        var (email, _) = await CreateAsync("hr", InstitutionA);
        var browser = host.From("10.2.0.7");
        var tokens = await OidcFlow.SignInAsync(browser, email, Password);
        var signOut = await browser.GetAsync("/connect/endsession?client_id=" + OidcFlow.WebClientId +
            "&post_logout_redirect_uri=" + Uri.EscapeDataString(OidcFlow.WebBaseUrl + "/signout-callback-oidc"));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.StartsWith(OidcFlow.WebBaseUrl + "/signout-callback-oidc", signOut.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await OidcFlow.TryRefreshAsync(host.CreateClient(), tokens.RefreshToken!)).StatusCode);
        // The browser has no session any more: authorize sends it to the sign-in page again.
        await OidcFlow.SignInAsync(browser, email, Password);
    }

    [Fact]
    public async Task Machine_clients_get_tokens_with_client_credentials_and_a_wrong_secret_gets_none()
    {
        var token = Read(await OidcFlow.ClientCredentialsAsync(host.CreateClient()));
        Assert.Equal(OidcFlow.MachineClientId, token.Subject);
        Assert.Equal("admin", token.GetClaim("role").Value);
        Assert.Equal(OidcFlow.MachineClientId, token.GetClaim("client_id").Value);

        var wrong = await host.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = OidcFlow.MachineClientId, ["client_secret"] = "not-the-secret", ["scope"] = "api",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        // The web app is not a machine client.
        var web = await host.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = OidcFlow.WebClientId, ["client_secret"] = OidcFlow.WebClientSecret, ["scope"] = "api",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, web.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_page_speaks_chinese_when_the_client_asks_for_it()
    {
        var page = await host.From("10.2.0.8").GetAsync("/account/login?ReturnUrl=" +
            Uri.EscapeDataString("/connect/authorize?client_id=talentmatch-web&ui_locales=zh-CN"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("lang=\"zh-CN\"", html);
        Assert.Contains("登录", html);
        var english = await (await host.From("10.2.0.8").GetAsync("/account/login")).Content.ReadAsStringAsync();
        Assert.Contains("Sign in to TalentMatch", english);
        Assert.Contains("<label for=\"email\">", english);
    }
}
