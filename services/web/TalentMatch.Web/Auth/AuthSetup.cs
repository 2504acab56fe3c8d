using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace TalentMatch.Web.Auth;

/// <summary>Sign-in settings: the <c>Auth</c> section.</summary>
public sealed class WebAuthOptions
{
    /// <summary>The identity service (OpenID Connect provider) base URL, e.g. http://127.0.0.1:5100.</summary>
    public string Authority { get; set; } = "http://127.0.0.1:5100";
    public string ClientId { get; set; } = "talentmatch-web";
    public string? ClientSecret { get; set; }
    /// <summary>How long before the access token expires it is refreshed.</summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How long a signed-in session lives without use.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);
}

public static class AuthSetup
{
    public const string SessionClaim = "tm_sid";
    public static readonly string[] Scopes = ["openid", "profile", "email", "roles", "offline_access", "api"];

    public static IServiceCollection AddPlatformSignIn(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection("Auth");
        services.Configure<WebAuthOptions>(section);
        var auth = section.Get<WebAuthOptions>() ?? new WebAuthOptions();

        services.AddDistributedMemoryCache();
        services.AddSingleton<DistributedTicketStore>();
        services.AddSingleton<TokenRefresher>();
        services.AddHttpClient(TokenRefresher.HttpClientName);
        services.AddCascadingAuthenticationState();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(o =>
            {
                o.Cookie.Name = "tm.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = auth.SessionIdleTimeout;
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = ValidatePrincipal;
            })
            .AddOpenIdConnect(o =>
            {
                o.Authority = auth.Authority;
                o.RequireHttpsMetadata = !IsLoopback(auth.Authority);
                o.ClientId = auth.ClientId;
                o.ClientSecret = auth.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.Scope.Clear();
                foreach (var scope in Scopes)
                {
                    o.Scope.Add(scope);
                }

                o.ClaimActions.MapUniqueJsonKey("role", "role");
                o.ClaimActions.MapJsonKey("institution", "institution");
                o.TokenValidationParameters.NameClaimType = "name";
                o.TokenValidationParameters.RoleClaimType = "role";
                o.CallbackPath = "/signin-oidc";
                o.SignedOutCallbackPath = "/signout-callback-oidc";
                o.SignedOutRedirectUri = "/";
                o.Events.OnRemoteFailure = SignInFailed;
            });

        // The session store needs the data protection of the running app, so it is attached after the container is built.
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<DistributedTicketStore>((o, store) => o.SessionStore = store);
        services.AddAuthorization();
        return services;
    }

    /// <summary>
    /// A callback that cannot complete the sign-in (no or stale state, a refused code, the user cancelled): a 400 page
    /// in both languages that offers to sign in again, never a 500.
    /// </summary>
    private static async Task SignInFailed(RemoteFailureContext context)
    {
        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("TalentMatch.Web.SignIn")
            .LogWarning("A sign-in callback did not complete: {Reason}", context.Failure?.Message);
        context.HandleResponse();
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in did not complete · 登录未完成</title></head>
            <body><main><h1>Sign-in did not complete</h1><p>The sign-in expired or was interrupted. <a href="/account/login">Sign in again</a>.</p>
            <h1 lang="zh-CN">登录未完成</h1><p lang="zh-CN">登录已过期或被中断。<a href="/account/login">重新登录</a>。</p></main></body></html>
            """);
    }

    internal static bool IsLoopback(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip)));

    /// <summary>On every request with the cookie: refresh the access token server-side shortly before it expires.</summary>
    private static async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var session = context.Principal?.FindFirst(SessionClaim)?.Value;
        if (session is null)
        {
            return;
        }

        var refresher = context.HttpContext.RequestServices.GetRequiredService<TokenRefresher>();
        var result = await refresher.EnsureFreshAsync(session, context.Properties, context.HttpContext.RequestAborted);
        switch (result)
        {
            case RefreshOutcome.Refreshed:
                context.ShouldRenew = true;
                break;
            case RefreshOutcome.Failed:
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                break;
        }
    }
}
