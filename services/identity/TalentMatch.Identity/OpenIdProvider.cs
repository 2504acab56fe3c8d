using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;
using TalentMatch.Hosting.Auth;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TalentMatch.Identity;

/// <summary>The clients the provider knows (<c>Auth:Clients</c>), registered at start-up.</summary>
public sealed class ClientOptions
{
    public WebClientOptions Web { get; set; } = new();

    /// <summary>Machine clients (client credentials): the demo loader, the load driver, import scripts, the README's curl.</summary>
    public List<MachineClientOptions> Machines { get; set; } = [];
}

/// <summary>The web app: a confidential client using the authorization code flow with PKCE and refresh tokens.</summary>
public sealed class WebClientOptions
{
    public const string ClientId = "talentmatch-web";

    /// <summary>Unset: the web app is not registered.</summary>
    public string? Secret { get; set; }

    /// <summary>Where the web app runs; its redirect URIs are <c>/signin-oidc</c> and <c>/signout-callback-oidc</c> under it.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5104";
}

public sealed class MachineClientOptions
{
    public string ClientId { get; set; } = "";
    public string Secret { get; set; } = "";

    /// <summary>The role the client acts in (its tokens carry it); <c>admin</c> for the demo loader and the CLI.</summary>
    public string Role { get; set; } = Roles.Admin;
}

/// <summary>Token lifetimes and where the keys are kept (<c>Auth:</c> section of the identity service).</summary>
public sealed class ProviderOptions
{
    /// <summary>The issuer URL, when the provider is reached under a fixed name; unset: the URL of each request.</summary>
    public string? Issuer { get; set; }

    public string KeysDirectory { get; set; } = "keys";
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// A redeemed refresh token presented again within this leeway gets new tokens (two tabs refreshing at once);
    /// later, it is treated as stolen and the whole sign-in is revoked.
    /// </summary>
    public TimeSpan RefreshTokenReuseLeeway { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Plain HTTP is allowed (loopback deployments and tests); behind TLS set it to true.</summary>
    public bool RequireHttps { get; set; }
}

public static class OpenIdProvider
{
    public const string SessionScheme = "TalentMatch.Identity.Session";
    public const string ApiScope = "api";

    /// <summary>Private claim: the security stamp at sign-in; a refresh after a password change, disable or reset fails.</summary>
    private const string StampClaim = "tm_stamp";

    public static WebApplicationBuilder AddOpenIdProvider(this WebApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetSection("Auth").Get<ProviderOptions>() ?? new ProviderOptions();
        var clients = builder.Configuration.GetSection("Auth:Clients").Get<ClientOptions>() ?? new ClientOptions();
        builder.Services.AddSingleton(provider);
        builder.Services.AddSingleton(clients);
        var keysDirectory = Path.GetFullPath(provider.KeysDirectory, builder.Environment.ContentRootPath);
        // The session cookie and the confirmation / reset links are protected with keys kept beside the signing keys.
        builder.Services.AddDataProtection().SetApplicationName("TalentMatch.Identity")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(keysDirectory, "data-protection")));

        builder.Services.AddAuthentication(o =>
            {
                // The APIs take bearer tokens; the sign-in page keeps a session cookie of the provider's own.
                o.DefaultScheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
            })
            .AddCookie(SessionScheme, o =>
            {
                o.Cookie.Name = "tm.identity";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.LoginPath = "/account/login";
                o.LogoutPath = "/connect/endsession";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            });

        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<IdentityDb>())
            .AddServer(o =>
            {
                if (!string.IsNullOrEmpty(provider.Issuer))
                {
                    o.SetIssuer(new Uri(provider.Issuer));
                }

                o.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetEndSessionEndpointUris("connect/endsession")
                    .SetRevocationEndpointUris("connect/revoke");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.AllowRefreshTokenFlow();
                o.AllowClientCredentialsFlow();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess, ApiScope);
                o.RegisterClaims(Claims.Subject, Claims.Name, Claims.Email, Claims.Role, PlatformClaims.Institution);
                o.SetAccessTokenLifetime(provider.AccessTokenLifetime);
                o.SetIdentityTokenLifetime(provider.AccessTokenLifetime);
                o.SetRefreshTokenLifetime(provider.RefreshTokenLifetime);
                o.SetRefreshTokenReuseLeeway(provider.RefreshTokenReuseLeeway);
                o.SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(5));
                // The services read the access tokens themselves (signed JWTs), so they are signed, not encrypted.
                o.DisableAccessTokenEncryption();
                foreach (var certificate in SigningKeys.LoadOrCreate(keysDirectory, TimeProvider.System))
                {
                    o.AddSigningCertificate(certificate);
                }

                o.AddEncryptionKey(new SymmetricSecurityKey(SigningKeys.LoadOrCreateEncryptionKey(keysDirectory)));
                var aspNetCore = o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough();
                if (!provider.RequireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(o =>
            {
                // Identity's own APIs read its tokens without a network hop, and check each against its token entry.
                o.UseLocalServer();
                o.AddAudiences(PlatformClaims.Audience);
                o.EnableTokenEntryValidation();
                o.UseAspNetCore();
            });
        builder.Services.AddHostedService<ClientRegistration>();
        return builder;
    }

    public static IEndpointRouteBuilder MapOpenIdProvider(this IEndpointRouteBuilder app)
    {
        // The protocol endpoints are answered by OpenIddict (before these handlers run, or instead of them for the two
        // .well-known documents); mapping them tells the platform's routing that the paths exist.
        app.MapMethods("/connect/authorize", ["GET", "POST"], Authorize).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/connect/token", Token).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(AccountsApi.AuthRateLimit).ExcludeFromDescription();
        app.MapMethods("/connect/userinfo", ["GET", "POST"], UserInfo).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapMethods("/connect/endsession", ["GET", "POST"], EndSession).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/connect/revoke", () => Results.Ok()).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapGet("/.well-known/openid-configuration", () => Results.NotFound()).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/.well-known/jwks", () => Results.NotFound()).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Authorize(HttpContext http, UserManager<IdentityUser> users)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var session = await http.AuthenticateAsync(SessionScheme);
        var user = session.Succeeded && session.Principal.UserId() is { } id ? await users.FindByIdAsync(id) : null;
        if (user is not null && session.Principal!.FindFirst(StampClaim)?.Value != user.SecurityStamp)
        {
            user = null; // password changed or account disabled since this browser signed in
        }

        if (user is null || await users.IsLockedOutAsync(user) || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            }

            // Back here after the sign-in page, with the same parameters (minus prompt=login, or it would loop).
            var parameters = (http.Request.HasFormContentType ? http.Request.Form.ToList() : http.Request.Query.ToList())
                .Where(p => p.Key != Parameters.Prompt).ToList();
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + QueryString.Create(parameters) },
                [SessionScheme]);
        }

        return Results.SignIn(await PrincipalFor(users, user, request.GetScopes()), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> Token(HttpContext http, UserManager<IdentityUser> users, ClientOptions clients)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsClientCredentialsGrantType())
        {
            var client = clients.Machines.FirstOrDefault(c => c.ClientId == request.ClientId);
            if (client is null)
            {
                return Forbid(Errors.UnauthorizedClient, "This client may not use client credentials.");
            }

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, client.ClientId).SetClaim(Claims.Name, client.ClientId).SetClaim(Claims.Role, client.Role);
            identity.SetScopes(request.GetScopes().Intersect([ApiScope]));
            identity.SetResources(PlatformClaims.Audience);
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The principal stored in the code or refresh token; OpenIddict has already checked the token itself.
            var stored = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            var user = stored?.GetClaim(Claims.Subject) is { } id ? await users.FindByIdAsync(id) : null;
            if (user is null)
            {
                return Forbid(Errors.InvalidGrant, "The account no longer exists.");
            }

            if (await users.IsLockedOutAsync(user))
            {
                return Forbid(Errors.InvalidGrant, "The account is disabled.");
            }

            if (stored!.GetClaim(StampClaim) != user.SecurityStamp)
            {
                return Forbid(Errors.InvalidGrant, "The sign-in is no longer valid (password changed or account disabled); sign in again.");
            }

            // Role, institutions and name are read again: a change takes effect at the next refresh.
            return Results.SignIn(await PrincipalFor(users, user, stored!.GetScopes()), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Forbid(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static async Task<IResult> UserInfo(HttpContext http, UserManager<IdentityUser> users)
    {
        var principal = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var user = principal?.GetClaim(Claims.Subject) is { } id ? await users.FindByIdAsync(id) : null;
        if (user is null)
        {
            return Results.Challenge(null, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var account = await Accounts.ReadAsync(users, user);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { [Claims.Subject] = user.Id };
        if (principal!.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = account.DisplayName;
        }

        if (principal!.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = user.Email ?? "";
            claims[Claims.EmailVerified] = user.EmailConfirmed;
        }

        if (principal!.HasScope(Scopes.Roles))
        {
            claims[Claims.Role] = account.Role;
            claims[PlatformClaims.Institution] = account.Institutions.Select(i => i.ToString()).ToArray();
        }

        return Results.Ok(claims);
    }

    /// <summary>Signs the browser out of the provider and revokes the account's refresh tokens, then returns to the client.</summary>
    private static async Task<IResult> EndSession(
        HttpContext http, IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations)
    {
        var session = await http.AuthenticateAsync(SessionScheme);
        if (session.Principal?.UserId() is { } id)
        {
            await RevokeAllAsync(tokens, authorizations, id, http.RequestAborted);
        }

        await http.SignOutAsync(SessionScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/account/signed-out" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>Revokes every sign-in (authorization) and token of the account: sign-out, password change, disable, deletion.</summary>
    public static async Task RevokeAllAsync(IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations, string subject, CancellationToken ct)
    {
        await foreach (var authorization in authorizations.FindBySubjectAsync(subject, ct))
        {
            await authorizations.TryRevokeAsync(authorization, ct);
        }

        await foreach (var token in tokens.FindBySubjectAsync(subject, ct))
        {
            await tokens.TryRevokeAsync(token, ct);
        }
    }

    /// <summary>The signed-in account as the tokens carry it; which claim goes into which token follows the scopes.</summary>
    private static async Task<ClaimsPrincipal> PrincipalFor(UserManager<IdentityUser> users, IdentityUser user, ImmutableArray<string> scopes)
    {
        var account = await Accounts.ReadAsync(users, user);
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, account.DisplayName)
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.Role, account.Role)
            .SetClaims(PlatformClaims.Institution, [.. account.Institutions.Select(i => i.ToString())])
            .SetClaim(StampClaim, user.SecurityStamp);
        identity.SetScopes(scopes);
        if (scopes.Contains(ApiScope))
        {
            identity.SetResources(PlatformClaims.Audience);
        }

        identity.SetDestinations(claim => claim.Type switch
        {
            StampClaim => [], // kept in the authorization code and refresh token only
            Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Name when scopes.Contains(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email when scopes.Contains(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Role or PlatformClaims.Institution when scopes.Contains(Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
            // The services need who is calling in what role, whatever the client asked to see.
            Claims.Name or Claims.Role or PlatformClaims.Institution => [Destinations.AccessToken],
            _ => [],
        });
        return new ClaimsPrincipal(identity);
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}

/// <summary>Registers (or updates) the configured clients after the migrations, and removes clients no longer configured.</summary>
internal sealed class ClientRegistration(IServiceProvider services, ClientOptions clients, ILogger<ClientRegistration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var wanted = new Dictionary<string, OpenIddictApplicationDescriptor>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(clients.Web.Secret))
        {
            var web = clients.Web.BaseUrl.TrimEnd('/');
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = WebClientOptions.ClientId,
                ClientSecret = clients.Web.Secret,
                ClientType = ClientTypes.Confidential,
                ConsentType = ConsentTypes.Implicit, // the platform's own web app: no consent screen
                DisplayName = "TalentMatch web app",
                RedirectUris = { new Uri(web + "/signin-oidc") },
                PostLogoutRedirectUris = { new Uri(web + "/signout-callback-oidc") },
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                    Permissions.Endpoints.Revocation, Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                    Permissions.ResponseTypes.Code, Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Scopes.Roles,
                    Permissions.Prefixes.Scope + OpenIdProvider.ApiScope,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            wanted[descriptor.ClientId] = descriptor;
        }

        foreach (var machine in clients.Machines.Where(m => !string.IsNullOrEmpty(m.ClientId) && !string.IsNullOrEmpty(m.Secret)))
        {
            wanted[machine.ClientId] = new OpenIddictApplicationDescriptor
            {
                ClientId = machine.ClientId,
                ClientSecret = machine.Secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = machine.ClientId,
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + OpenIdProvider.ApiScope },
            };
        }

        await foreach (var application in manager.ListAsync(cancellationToken: cancellationToken))
        {
            var id = await manager.GetClientIdAsync(application, cancellationToken);
            if (id is null || !wanted.ContainsKey(id))
            {
                await manager.DeleteAsync(application, cancellationToken);
                logger.LogInformation("Removed client {ClientId}: no longer configured", id);
            }
        }

        foreach (var (id, descriptor) in wanted)
        {
            if (await manager.FindByClientIdAsync(id, cancellationToken) is { } existing)
            {
                await manager.UpdateAsync(existing, descriptor, cancellationToken);
            }
            else
            {
                await manager.CreateAsync(descriptor, cancellationToken);
            }
        }

        logger.LogInformation("Clients registered: {Clients}", string.Join(", ", wanted.Keys));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
