using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace TalentMatch.Web.Localization;

/// <summary>The languages of the web app and the endpoint that remembers the user's choice.</summary>
public static class Cultures
{
    public const string Default = "en";
    public static readonly string[] Supported = ["en", "zh-CN"];

    /// <summary>True when the current UI culture is Chinese (reference data then shows its <c>zh</c> labels).</summary>
    public static bool IsChinese => CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.OrdinalIgnoreCase);

    /// <summary>Picks the label in the user's language.</summary>
    public static string Pick(string? en, string? zh) => (IsChinese ? zh : en) is { Length: > 0 } text ? text : en ?? zh ?? "";

    /// <summary>A redirect target that stays on this site: a path starting with one '/', no scheme, no host.</summary>
    public static bool IsLocalRedirect(string? uri) =>
        !string.IsNullOrEmpty(uri) && uri[0] == '/' && (uri.Length == 1 || (uri[1] != '/' && uri[1] != '\\'))
        && !uri.Contains("://", StringComparison.Ordinal) && !uri.Any(char.IsControl);

    public static IEndpointRouteBuilder MapCultureEndpoint(this IEndpointRouteBuilder app)
    {
        // GET /culture/set?culture=zh-CN&redirectUri=/reviews: stores the choice for a year and goes back (local only).
        app.MapGet("/culture/set", (HttpContext http, string? culture, string? redirectUri) =>
        {
            var chosen = Supported.FirstOrDefault(c => string.Equals(c, culture, StringComparison.OrdinalIgnoreCase));
            if (chosen is null)
            {
                return Results.Problem(statusCode: 400, title: "Unknown language.",
                    extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["culture"] = [$"Use one of: {string.Join(", ", Supported)}."] } });
            }

            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true, Path = "/" });
            return Results.LocalRedirect(IsLocalRedirect(redirectUri) ? redirectUri! : "/");
        }).AllowAnonymous();
        return app;
    }
}
