using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using TalentMatch.Web.Auth;

namespace TalentMatch.Web.Api;

/// <summary>
/// A campaign's funnel as a CSV download. The browser holds no access token, so the web app reads the file from the
/// matching service with the session's token (as the researcher's data export does) and hands it on.
/// </summary>
public static class CampaignDownloads
{
    public static IEndpointRouteBuilder MapCampaignDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/campaigns/{id:guid}/funnel.csv", async (Guid id, HttpContext http, TokenRefresher tokens, IHttpClientFactory clients, IConfiguration configuration) =>
        {
            var session = http.User.FindFirst(AuthSetup.SessionClaim)?.Value;
            if (session is null || await tokens.GetAccessTokenAsync(session, http.RequestAborted) is not { } token)
            {
                return Results.Challenge(new AuthenticationProperties { RedirectUri = $"/campaigns/{id}" }, [OpenIdConnectDefaults.AuthenticationScheme]);
            }

            var matching = new Uri(configuration["Services:Matching"] ?? "http://127.0.0.1:5103");
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(matching, $"/api/campaigns/{id}/funnel?format=csv"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
            using var response = await clients.CreateClient(TokenRefresher.HttpClientName).SendAsync(request, http.RequestAborted);
            if (!response.IsSuccessStatusCode)
            {
                return Results.Problem(statusCode: (int)response.StatusCode, title: "The campaign's funnel could not be read.");
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(http.RequestAborted);
            return Results.File(bytes, "text/csv; charset=utf-8", $"campaign-{id:N}-funnel-{DateTime.UtcNow:yyyyMMdd}.csv");
        }).RequireAuthorization();
        return app;
    }
}
