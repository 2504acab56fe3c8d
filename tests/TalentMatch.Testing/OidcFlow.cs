using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace TalentMatch.Testing;

public sealed record TokenSet(string AccessToken, string? RefreshToken, string? IdentityToken, int ExpiresIn);

/// <summary>
/// Signs in through the identity provider the way a browser and the web app do: the authorization code flow with PKCE
/// (authorize → sign-in page → authorize → code → token), plus refresh and client credentials. The client passed in
/// must keep cookies and must not follow redirects (<see cref="Browser"/>).
/// </summary>
public static partial class OidcFlow
{
    public const string WebClientId = "talentmatch-web";
    public const string WebClientSecret = "tests-web-client-secret-0123456789abcdef";
    public const string WebBaseUrl = "http://web.tests.talentmatch.invalid";
    public const string RedirectUri = WebBaseUrl + "/signin-oidc";
    public const string MachineClientId = "tests-admin-client";
    public const string MachineClientSecret = "tests-admin-client-secret-0123456789abcdef";
    public const string DefaultScopes = "openid profile email roles offline_access api";

    /// <summary>What the identity service under test needs: the web client, an admin machine client, its own keys directory.</summary>
    public static Dictionary<string, string?> IdentitySettings(string keysDirectory) => new()
    {
        ["Auth:KeysDirectory"] = keysDirectory,
        ["Auth:Clients:Web:Secret"] = WebClientSecret,
        ["Auth:Clients:Web:BaseUrl"] = WebBaseUrl,
        ["Auth:Clients:Machines:0:ClientId"] = MachineClientId,
        ["Auth:Clients:Machines:0:Secret"] = MachineClientSecret,
        ["Auth:Clients:Machines:0:Role"] = "admin",
        // A replayed refresh token is treated as stolen at once (the default leeway lets two tabs refresh together).
        ["Auth:RefreshTokenReuseLeeway"] = "00:00:00",
    };

    /// <summary>A client of a service running as a process that keeps cookies and does not follow redirects.</summary>
    public static HttpClient Browser(Uri baseAddress) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public static async Task<TokenSet> SignInAsync(HttpClient browser, string email, string password, string scopes = DefaultScopes,
        string redirectUri = RedirectUri, string clientSecret = WebClientSecret)
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Guid.NewGuid().ToString("N");
        var authorize = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = WebClientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = scopes,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        });

        var toLogin = await Expect(browser.GetAsync(authorize), HttpStatusCode.Redirect, "authorize without a session");
        var loginUrl = toLogin.Headers.Location!.IsAbsoluteUri ? toLogin.Headers.Location.PathAndQuery : toLogin.Headers.Location.OriginalString;
        var returnUrl = QueryHelpers.ParseQuery(new Uri(new Uri("http://x"), loginUrl).Query)["ReturnUrl"].ToString();
        var signedIn = await SubmitLoginAsync(browser, email, password, returnUrl);
        if (signedIn.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} answered {(int)signedIn.StatusCode}: {await signedIn.Content.ReadAsStringAsync()}");
        }

        var back = await Expect(browser.GetAsync(signedIn.Headers.Location!.OriginalString), HttpStatusCode.Redirect, "authorize with a session");
        var callback = back.Headers.Location!;
        Assert(callback.GetLeftPart(UriPartial.Path) == redirectUri, $"redirected to {callback}");
        var query = QueryHelpers.ParseQuery(callback.Query);
        Assert(query["state"] == state, "state returned unchanged");
        var code = query["code"].ToString();
        Assert(code.Length > 0, $"a code in {callback}");
        return await TokenAsync(browser, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = WebClientId,
            ["client_secret"] = clientSecret,
            ["code_verifier"] = verifier,
        });
    }

    /// <summary>Posts the sign-in form (after reading its anti-forgery token) and returns the provider's answer.</summary>
    public static Task<HttpResponseMessage> SubmitLoginAsync(HttpClient browser, string email, string password, string returnUrl = "/connect/authorize") =>
        SubmitFormAsync(browser, "/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl), "/account/login",
            new() { ["ReturnUrl"] = returnUrl, ["Email"] = email, ["Password"] = password });

    /// <summary>Signs a researcher up through <paramref name="anonymous"/> and opens the confirmation link <paramref name="mailbox"/> received.</summary>
    public static async Task SignUpAndConfirmAsync(HttpClient anonymous, TestMailbox mailbox, string email, string password, string? displayName = null)
    {
        var signUp = await anonymous.PostAsJsonAsync("/api/auth/signup", new { email, password, displayName });
        await Expect(Task.FromResult(signUp), HttpStatusCode.Accepted, "sign-up of " + email);
        await Expect(anonymous.GetAsync(await mailbox.LinkAsync(email, "/account/confirm")), HttpStatusCode.OK, "the confirmation link of " + email);
    }

    /// <summary>Opens a page of the provider and posts its form: the page's hidden fields (anti-forgery token included) plus <paramref name="fields"/>.</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(HttpClient browser, string pageUrl, string action, Dictionary<string, string> fields)
    {
        var html = await (await Expect(browser.GetAsync(pageUrl), HttpStatusCode.OK, "the form page " + pageUrl)).Content.ReadAsStringAsync();
        var form = HiddenField().Matches(html).ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        Assert(form.Keys.Any(k => k.StartsWith("__RequestVerificationToken", StringComparison.Ordinal)), $"an anti-forgery token on {pageUrl}");
        foreach (var (name, value) in fields)
        {
            form[name] = value;
        }

        return await browser.PostAsync(action, new FormUrlEncodedContent(form));
    }

    public static Task<TokenSet> RefreshAsync(HttpClient client, string refreshToken) => TokenAsync(client, new Dictionary<string, string>
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken,
        ["client_id"] = WebClientId,
        ["client_secret"] = WebClientSecret,
    });

    /// <summary>The raw answer of a refresh (for the refusals).</summary>
    public static Task<HttpResponseMessage> TryRefreshAsync(HttpClient client, string refreshToken) =>
        client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = WebClientId,
            ["client_secret"] = WebClientSecret,
        }));

    public static async Task<string> ClientCredentialsAsync(HttpClient client, string clientId = MachineClientId, string secret = MachineClientSecret) =>
        (await TokenAsync(client, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = "api",
        })).AccessToken;

    private static async Task<TokenSet> TokenAsync(HttpClient client, Dictionary<string, string> form)
    {
        var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{form["grant_type"]} at /connect/token answered {(int)response.StatusCode}: {body}");
        }

        var json = JsonNode.Parse(body)!;
        return new TokenSet(json["access_token"]!.GetValue<string>(), json["refresh_token"]?.GetValue<string>(),
            json["id_token"]?.GetValue<string>(), json["expires_in"]!.GetValue<int>());
    }

    private static async Task<HttpResponseMessage> Expect(Task<HttpResponseMessage> request, HttpStatusCode status, string step)
    {
        var response = await request;
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{step}: expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return response;
    }

    private static void Assert(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Sign-in flow: expected " + what);
        }
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)">""")]
    private static partial Regex HiddenField();
}
