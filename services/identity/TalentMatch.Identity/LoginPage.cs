using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;
using TalentMatch.Hosting.Auth;

namespace TalentMatch.Identity;

/// <summary>
/// The provider's sign-in page (English and Simplified Chinese): where the authorization endpoint sends a browser that
/// has no session. The same protections as ever: one answer for a wrong password, an unknown address and a locked-out
/// client address; lock-out per account and client address; growing delays (429) for a spread attack.
/// </summary>
public static class LoginPage
{
    public static readonly CultureInfo[] Cultures = [new("en"), new("zh-CN")];

    public static WebApplicationBuilder AddLoginPage(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "tm.identity.antiforgery");
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = o.SupportedUICultures = Cultures;
            // The client's ui_locales (inside the return URL) first, then ?culture=, the language cookie, the browser's.
            o.RequestCultureProviders.Insert(0, new CustomRequestCultureProvider(http =>
            {
                var returnUrl = http.Request.Query["ReturnUrl"].ToString();
                var query = returnUrl.IndexOf('?') is var at and >= 0 ? QueryHelpers.ParseQuery(returnUrl[at..]) : [];
                return Task.FromResult(query.TryGetValue("ui_locales", out var locales) && locales.ToString().Split(' ').FirstOrDefault() is { Length: > 0 } first
                    ? new ProviderCultureResult(first)
                    : null);
            }));
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapLoginPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/login", (HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text) =>
                Page(http, antiforgery, text, http.Request.Query["ReturnUrl"], email: null, error: null, StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/account/login", Submit).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(AccountsApi.AuthRateLimit).ExcludeFromDescription();
        app.MapGet("/account/signed-out", (HttpContext http, IStringLocalizer<LoginText> text) => Html(http, text["SignedOutTitle"],
                $"<main><h1>{Encode(text["SignedOutTitle"])}</h1><p>{Encode(text["SignedOut"])}</p></main>", StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/account/signed-in", (HttpContext http, IStringLocalizer<LoginText> text) => Html(http, text["SignedInTitle"],
                $"<main><h1>{Encode(text["SignedInTitle"])}</h1><p>{Encode(text["SignedIn"])}</p></main>", StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Submit(
        HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text, UserManager<IdentityUser> users, SignInGuard guard,
        AccountMail mail, RequireConfirmedEmail requireConfirmed, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
        {
            return NotAForm();
        }

        var form = await http.Request.ReadFormAsync(ct);
        string? returnUrl = form["ReturnUrl"];
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Page(http, antiforgery, text, returnUrl, form["Email"], text["Expired"], StatusCodes.Status400BadRequest);
        }

        var email = form["Email"].ToString().Trim();
        var password = form["Password"].ToString();
        if (email.Length == 0 || password.Length == 0 || email.Length > 256 || password.Length > 1024)
        {
            return Page(http, antiforgery, text, returnUrl, email, text["Wrong"], StatusCodes.Status401Unauthorized);
        }

        var account = SignInGuard.AccountKey(users.NormalizeEmail(email));
        var address = SignInGuard.ClientAddress(http);
        var verdict = await guard.CheckAsync(account, address, ct);
        if (verdict.RetryAfter is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Page(http, antiforgery, text, returnUrl, email, string.Format(CultureInfo.CurrentCulture, text["Wait"], seconds), StatusCodes.Status429TooManyRequests);
        }

        var user = await users.FindByEmailAsync(email);
        // A disabled account gets the same answer as a wrong password, after the same work.
        if (verdict.LockedOut || user is null || await users.IsLockedOutAsync(user))
        {
            guard.VerifyDummy(users, password);
            if (!verdict.LockedOut)
            {
                await guard.RecordFailureAsync(account, address, ct);
            }

            return Page(http, antiforgery, text, returnUrl, email, text["Wrong"], StatusCodes.Status401Unauthorized);
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            await guard.RecordFailureAsync(account, address, ct);
            return Page(http, antiforgery, text, returnUrl, email, text["Wrong"], StatusCodes.Status401Unauthorized);
        }

        await guard.ClearAsync(account, address, ct);
        if (requireConfirmed.Value && !user.EmailConfirmed)
        {
            // The right password proves the address's owner is asking: telling them is no enumeration.
            await mail.ConfirmationAsync(http, user.Email!, user.Id, await users.GenerateEmailConfirmationTokenAsync(user));
            return Page(http, antiforgery, text, returnUrl, email, text["Unconfirmed"], StatusCodes.Status403Forbidden);
        }

        var session = new ClaimsIdentity(
            [new Claim(PlatformClaims.Subject, user.Id), new Claim("tm_stamp", user.SecurityStamp ?? "")],
            OpenIdProvider.SessionScheme, PlatformClaims.Subject, PlatformClaims.Role);
        await http.SignInAsync(OpenIdProvider.SessionScheme, new ClaimsPrincipal(session));
        // Only back into this provider (the authorization endpoint), never to another site.
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/account/signed-in");
    }

    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("://", StringComparison.Ordinal);

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, IStringLocalizer<LoginText> text, string? returnUrl, string? email, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var other = CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.Ordinal) ? "en" : "zh-CN";
        var switchUrl = $"/account/login?culture={other}&ui-culture={other}&ReturnUrl={Uri.EscapeDataString(returnUrl ?? "")}";
        var body = new StringBuilder();
        body.Append($"<nav><a href=\"{Encode(switchUrl)}\" lang=\"{other}\">{Encode(text["OtherLanguage"])}</a></nav>");
        body.Append($"<main><h1>{Encode(text["Title"])}</h1>");
        if (error is not null)
        {
            body.Append($"<p id=\"error\" role=\"alert\" class=\"error\">{Encode(error)}</p>");
        }

        var described = error is null ? "" : " aria-describedby=\"error\" aria-invalid=\"true\"";
        body.Append($"""
            <form method="post" action="/account/login" novalidate>
              <input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken ?? "")}">
              <input type="hidden" name="ReturnUrl" value="{Encode(returnUrl ?? "")}">
              <label for="email">{Encode(text["Email"])}</label>
              <input id="email" name="Email" type="email" autocomplete="username" required value="{Encode(email ?? "")}"{described}>
              <label for="password">{Encode(text["Password"])}</label>
              <input id="password" name="Password" type="password" autocomplete="current-password" required{described}>
              <button type="submit">{Encode(text["SignIn"])}</button>
            </form>
            <p><a href="/account/forgot">{Encode(text["Forgot"])}</a></p>
            <p>{Encode(text["NoAccount"])}</p></main>
            """);
        return Html(http, text["Title"], body.ToString(), status);
    }

    internal static IResult Html(HttpContext http, string title, string body, int status)
    {
        var lang = CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.Ordinal) ? "zh-CN" : "en";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        return Results.Content($$"""
            <!DOCTYPE html>
            <html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Encode(title)}} · TalentMatch</title>
            <style>
              body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1f; }
              nav { text-align: right; } a { color: #0b57d0; }
              label { display: block; margin-top: 1rem; font-weight: 600; }
              input[type=email], input[type=password] { width: 100%; padding: .6rem; margin-top: .3rem; font-size: 1rem; box-sizing: border-box; border: 1px solid #5f6368; border-radius: 4px; }
              button { margin-top: 1.5rem; padding: .7rem 1.4rem; font-size: 1rem; background: #0b57d0; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
              .error { color: #b3261e; font-weight: 600; }
            </style></head>
            <body>{{body}}</body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    // Chinese text stays readable in the page source (the default encoder escapes everything beyond Basic Latin).
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    internal static string Encode(string value) => Encoder.Encode(value);

    /// <summary>The answer of the provider's pages to a post that is not their form.</summary>
    internal static IResult NotAForm() =>
        Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the form (application/x-www-form-urlencoded).");
}

/// <summary>Whether a self-registered account must confirm its e-mail address before it signs in (<c>Auth:RequireConfirmedEmail</c>).</summary>
public sealed record RequireConfirmedEmail(bool Value);

/// <summary>Marker type of the sign-in page's texts (<c>Resources/LoginText.resx</c>, <c>LoginText.zh-CN.resx</c>).</summary>
public sealed class LoginText;
