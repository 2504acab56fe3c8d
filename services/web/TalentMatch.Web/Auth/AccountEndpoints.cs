using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using TalentMatch.Web.Localization;

namespace TalentMatch.Web.Auth;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Starts the code flow; comes back to the (local) page the user was on.
        app.MapGet("/account/login", (string? returnUrl) =>
            TypedResults.Challenge(new AuthenticationProperties { RedirectUri = Cultures.IsLocalRedirect(returnUrl) ? returnUrl : "/" },
                [OpenIdConnectDefaults.AuthenticationScheme])).AllowAnonymous();

        // Revokes the refresh token, forgets the server-side session and ends the session at the provider.
        app.MapPost("/account/logout", async (HttpContext http, IHttpClientFactory clients, IOptionsMonitor<OpenIdConnectOptions> oidc) =>
        {
            var result = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (result.Properties?.GetTokenValue("refresh_token") is { } refresh)
            {
                await RevokeAsync(clients, oidc.Get(OpenIdConnectDefaults.AuthenticationScheme), refresh, http.RequestAborted);
            }

            return TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
        }).RequireAuthorization();

        // The researcher's data export as a file download: read server-side with the session's token, never in the browser.
        app.MapGet("/account/export", async (HttpContext http, TokenRefresher tokens, IHttpClientFactory clients, IConfiguration configuration) =>
        {
            var session = http.User.FindFirst(AuthSetup.SessionClaim)?.Value;
            if (session is null || await tokens.GetAccessTokenAsync(session, http.RequestAborted) is not { } token || http.User.Subject() is not { } subject)
            {
                return Results.Challenge(new AuthenticationProperties { RedirectUri = "/privacy" }, [OpenIdConnectDefaults.AuthenticationScheme]);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(configuration["Services:Profiles"] ?? "http://127.0.0.1:5101"), $"/api/profiles/{Uri.EscapeDataString(subject)}/export"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
            using var response = await clients.CreateClient(TokenRefresher.HttpClientName).SendAsync(request, http.RequestAborted);
            if (!response.IsSuccessStatusCode)
            {
                return Results.Problem(statusCode: (int)response.StatusCode, title: "The export could not be read.");
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(http.RequestAborted);
            return Results.File(bytes, "application/json", $"talentmatch-export-{DateTime.UtcNow:yyyyMMdd}.json");
        }).RequireAuthorization();
        return app;
    }

    private static async Task RevokeAsync(IHttpClientFactory clients, OpenIdConnectOptions settings, string token, CancellationToken ct)
    {
        try
        {
            var configuration = await settings.ConfigurationManager!.GetConfigurationAsync(ct);
            if (configuration.AdditionalData.TryGetValue("revocation_endpoint", out var endpoint) && endpoint is JsonElement or string)
            {
                var url = endpoint is JsonElement e ? e.GetString() : (string)endpoint;
                using var _ = await clients.CreateClient(TokenRefresher.HttpClientName).PostAsync(url, new FormUrlEncodedContent(
                    new Dictionary<string, string>
                    {
                        ["token"] = token, ["token_type_hint"] = "refresh_token",
                        ["client_id"] = settings.ClientId!, ["client_secret"] = settings.ClientSecret ?? "",
                    }), ct);
            }
        }
        catch (HttpRequestException)
        {
            // The provider is unreachable: the local session still ends; the refresh token expires on its own.
        }
    }
}
