using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace TalentMatch.Web.Auth;

public enum RefreshOutcome { Fresh, Refreshed, Failed }

/// <summary>The access token of a session and when it expires.</summary>
public sealed record SessionTokens(string AccessToken, DateTimeOffset ExpiresAt);

/// <summary>
/// Refreshes a session's access token with its refresh token at the provider's token endpoint, on the server, and
/// writes the new tokens back into the server-side session. The provider rotates refresh tokens and revokes the
/// family when an old one is reused, so refreshes of one session are serialised and a waiting caller re-reads the
/// session before it refreshes again.
/// </summary>
public sealed class TokenRefresher(
    DistributedTicketStore store, IHttpClientFactory http, IOptionsMonitor<OpenIdConnectOptions> oidc,
    IOptions<WebAuthOptions> options, TimeProvider clock, ILogger<TokenRefresher> logger)
{
    public const string HttpClientName = "oidc-token";
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    /// <summary>The session's current access token, refreshed first when it is about to expire; null when the session is over.</summary>
    public async Task<SessionTokens?> GetAccessTokenAsync(string session, CancellationToken ct)
    {
        var ticket = await store.RetrieveAsync(session, ct);
        if (ticket is null)
        {
            return null;
        }

        if (Read(ticket.Properties) is { } tokens && !NeedsRefresh(tokens))
        {
            return tokens;
        }

        var gate = _locks.GetOrAdd(session, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            ticket = await store.RetrieveAsync(session, ct);
            if (ticket is null)
            {
                return null;
            }

            if (Read(ticket.Properties) is { } current && !NeedsRefresh(current))
            {
                return current;
            }

            if (!await RefreshAsync(ticket.Properties, ct))
            {
                await store.RemoveAsync(session, ct);
                return null;
            }

            await store.RenewAsync(session, ticket, ct);
            return Read(ticket.Properties);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>For the cookie handler: refreshes <paramref name="properties"/> in place when needed.</summary>
    public async Task<RefreshOutcome> EnsureFreshAsync(string session, AuthenticationProperties properties, CancellationToken ct)
    {
        if (Read(properties) is { } tokens && !NeedsRefresh(tokens))
        {
            return RefreshOutcome.Fresh;
        }

        var fresh = await GetAccessTokenAsync(session, ct);
        if (fresh is null)
        {
            return RefreshOutcome.Failed;
        }

        // Another caller may have refreshed: copy what the store now holds into the cookie handler's properties.
        var ticket = await store.RetrieveAsync(session, ct);
        if (ticket is null)
        {
            return RefreshOutcome.Failed;
        }

        properties.StoreTokens(ticket.Properties.GetTokens());
        return RefreshOutcome.Refreshed;
    }

    internal static SessionTokens? Read(AuthenticationProperties properties)
    {
        var access = properties.GetTokenValue("access_token");
        var expires = properties.GetTokenValue("expires_at");
        if (access is null)
        {
            return null;
        }

        var at = DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? parsed : DateTimeOffset.MinValue;
        return new SessionTokens(access, at);
    }

    private bool NeedsRefresh(SessionTokens tokens) => tokens.ExpiresAt - options.Value.RefreshBefore <= clock.GetUtcNow();

    private async Task<bool> RefreshAsync(AuthenticationProperties properties, CancellationToken ct)
    {
        var refreshToken = properties.GetTokenValue("refresh_token");
        if (refreshToken is null)
        {
            return false;
        }

        var settings = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        try
        {
            var configuration = await settings.ConfigurationManager!.GetConfigurationAsync(ct);
            using var response = await http.CreateClient(HttpClientName).PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = refreshToken,
                    ["client_id"] = settings.ClientId!,
                    ["client_secret"] = settings.ClientSecret ?? "",
                }), ct);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogInformation("Token refresh refused ({Status}); the session ends", (int)response.StatusCode);
                return false;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = json.RootElement;
            var tokens = properties.GetTokens().ToDictionary(t => t.Name, t => t.Value);
            tokens["access_token"] = root.GetProperty("access_token").GetString()!;
            if (root.TryGetProperty("refresh_token", out var rotated))
            {
                tokens["refresh_token"] = rotated.GetString()!;
            }

            if (root.TryGetProperty("id_token", out var id))
            {
                tokens["id_token"] = id.GetString()!;
            }

            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 300;
            tokens["expires_at"] = clock.GetUtcNow().AddSeconds(lifetime).ToString("o", CultureInfo.InvariantCulture);
            properties.StoreTokens(tokens.Select(t => new AuthenticationToken { Name = t.Key, Value = t.Value }));
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            logger.LogWarning(ex, "Token refresh failed");
            return false;
        }
    }
}
