using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TalentMatch.Hosting.Auth;

/// <summary>The platform's roles. Self sign-up makes researchers; an administrator creates HR offices and ambassadors.</summary>
public static class Roles
{
    public const string Researcher = "researcher";
    public const string Hr = "hr";
    public const string Ambassador = "ambassador";
    public const string Admin = "admin";
    public static readonly string[] All = [Researcher, Hr, Ambassador, Admin];
}

/// <summary>Claim types of the platform's access tokens (JWT names, kept as they are: no inbound claim mapping).</summary>
public static class PlatformClaims
{
    public const string Subject = "sub";
    public const string Role = "role";

    /// <summary>An institution the account acts for: one for an HR office, a set for an ambassador.</summary>
    public const string Institution = "institution";

    /// <summary>The OAuth 2 client a machine client's token was issued to (RFC 9068); absent in a person's token.</summary>
    public const string ClientId = "client_id";

    /// <summary>The display name of the account at the time the token was issued (recorded with what it did).</summary>
    public const string Name = "name";

    public const string Email = "email";

    /// <summary>The audience of every access token: the platform's APIs (the <c>api</c> scope).</summary>
    public const string Audience = "talentmatch";
}

/// <summary>How the services trust the identity provider's tokens (<c>Auth:</c> section).</summary>
public sealed class AuthOptions
{
    /// <summary>
    /// The identity service's issuer URL (e.g. <c>http://127.0.0.1:5100/</c>): its discovery document and signing keys
    /// are fetched from there over loopback and cached; a key the cache does not know makes it fetch them again.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>
    /// Instead of <see cref="Authority"/>: the issuer and its public keys as a JSON Web Key Set, for a service that must
    /// not depend on reaching the provider (the service tests run this way). Public keys only.
    /// </summary>
    public string? Issuer { get; set; }

    public string? Jwks { get; set; }

    /// <summary>How often an instance re-reads the revocation list other instances of its service stored.</summary>
    public TimeSpan RevocationRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a revocation is kept: longer than any access token lives (15 minutes).</summary>
    public TimeSpan RevocationRetention { get; set; } = TimeSpan.FromDays(1);
}

public static class PlatformAuthentication
{
    public const string ResearcherPolicy = "researcher";
    public const string HrPolicy = "hr";
    public const string AmbassadorPolicy = "ambassador";

    /// <summary>Staff of an institution or a campaign: HR offices and ambassadors (and administrators).</summary>
    public const string HrOrAmbassadorPolicy = "hr-or-ambassador";
    public const string AdminPolicy = "admin";

    /// <summary>Asymmetric signatures only: a token signed with HMAC (over any key) or with <c>alg: none</c> is refused.</summary>
    private static readonly string[] SigningAlgorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
         SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384];

    /// <summary>
    /// Every service validates the identity provider's access tokens with JwtBearer (issuer, audience
    /// <c>talentmatch</c>, lifetime, an asymmetric signature by one of the provider's published keys, and the
    /// revocation list). No service holds a private key. Every endpoint requires an authenticated caller unless it says
    /// <c>AllowAnonymous</c>; role policies narrow it, and handlers check the object. The identity service, which issues
    /// the tokens, validates them itself (<paramref name="validatesOwnTokens"/>) and only takes the policies from here.
    /// </summary>
    public static WebApplicationBuilder AddPlatformAuthentication(this WebApplicationBuilder builder, bool validatesOwnTokens = false)
    {
        var options = builder.Configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<TokenRevocations>();
        if (!validatesOwnTokens)
        {
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt => ConfigureJwtBearer(jwt, options));
        }

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(ResearcherPolicy, p => p.RequireRole(Roles.Researcher, Roles.Admin))
            .AddPolicy(HrPolicy, p => p.RequireRole(Roles.Hr, Roles.Admin))
            .AddPolicy(AmbassadorPolicy, p => p.RequireRole(Roles.Ambassador, Roles.Admin))
            .AddPolicy(HrOrAmbassadorPolicy, p => p.RequireRole(Roles.Hr, Roles.Ambassador, Roles.Admin))
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin));
        return builder;
    }

    private static void ConfigureJwtBearer(JwtBearerOptions jwt, AuthOptions options)
    {
        jwt.MapInboundClaims = false;
        jwt.Audience = PlatformClaims.Audience;
        var parameters = jwt.TokenValidationParameters;
        parameters.ValidAudience = PlatformClaims.Audience;
        parameters.ValidAlgorithms = SigningAlgorithms;
        // Access tokens only (RFC 9068): an identity token, signed by the same key, is not accepted in their place.
        parameters.ValidTypes = ["at+jwt"];
        parameters.RequireExpirationTime = true;
        parameters.RequireSignedTokens = true;
        parameters.ClockSkew = TimeSpan.FromSeconds(30);
        parameters.NameClaimType = PlatformClaims.Subject;
        parameters.RoleClaimType = PlatformClaims.Role;
        if (string.IsNullOrEmpty(options.Authority) && string.IsNullOrEmpty(options.Jwks))
        {
            throw new InvalidOperationException(
                "Set Auth:Authority to the identity service's URL (e.g. http://127.0.0.1:5100/), whose tokens this service accepts.");
        }

        if (!string.IsNullOrEmpty(options.Authority))
        {
            var authority = new Uri(options.Authority);
            jwt.Authority = authority.ToString();
            // Plain HTTP only to a provider on this machine (loopback), as deploy/up.sh runs it.
            jwt.RequireHttpsMetadata = !authority.IsLoopback;
            // A provider that was not up yet (services may start first) is asked again after 10 s, not after 5 minutes;
            // a token signed by a key not yet seen (after a rotation) makes it fetch the keys again.
            jwt.RefreshInterval = TimeSpan.FromSeconds(10);
        }

        // Static keys (besides, or instead of, the provider's published ones): JwtBearer accepts either issuer.
        if (!string.IsNullOrEmpty(options.Jwks))
        {
            if (string.IsNullOrEmpty(options.Issuer))
            {
                throw new InvalidOperationException("Auth:Jwks needs Auth:Issuer, the issuer whose keys they are.");
            }

            var keys = new JsonWebKeySet(options.Jwks);
            if (keys.Keys.Any(k => k.HasPrivateKey))
            {
                throw new InvalidOperationException("Auth:Jwks holds a private key: a service must only have the provider's public keys.");
            }

            parameters.ValidIssuer = options.Issuer;
            parameters.IssuerSigningKeys = keys.GetSigningKeys();
        }

        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var revocations = context.HttpContext.RequestServices.GetRequiredService<TokenRevocations>();
                if (context.SecurityToken is JsonWebToken token && revocations.IsRevoked(token.Subject, token.IssuedAt))
                {
                    context.Fail("Revoked token.");
                }

                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                // Signing in again would not help while the provider's keys cannot be fetched: say so with a 503.
                if (context.Exception is InvalidOperationException { Message: var message } && message.Contains("IDX20803", StringComparison.Ordinal))
                {
                    context.HttpContext.Items[ProviderUnreachable] = true;
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                if (context.HttpContext.Items.ContainsKey(ProviderUnreachable))
                {
                    context.HandleResponse();
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.Headers.RetryAfter = "5";
                    await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context.HttpContext,
                        ProblemDetails = { Status = 503, Title = "The identity provider's signing keys cannot be fetched yet; retry shortly." },
                    });
                }
            },
        };
    }

    private const string ProviderUnreachable = "TalentMatch.Auth.ProviderUnreachable";
}

/// <summary>Who is calling, as the handlers' per-object checks need it.</summary>
public static class CallerExtensions
{
    public static string? UserId(this ClaimsPrincipal user) => user.FindFirst(PlatformClaims.Subject)?.Value;

    /// <summary>The account id as a Guid (a researcher's own profile has this id).</summary>
    public static Guid? UserGuid(this ClaimsPrincipal user) => Guid.TryParse(user.UserId(), out var id) ? id : null;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);
    public static bool IsResearcher(this ClaimsPrincipal user) => user.IsInRole(Roles.Researcher);
    public static bool IsHr(this ClaimsPrincipal user) => user.IsInRole(Roles.Hr);
    public static bool IsAmbassador(this ClaimsPrincipal user) => user.IsInRole(Roles.Ambassador);

    public static IReadOnlySet<Guid> Institutions(this ClaimsPrincipal user) =>
        user.FindAll(PlatformClaims.Institution).Select(c => Guid.TryParse(c.Value, out var g) ? g : Guid.Empty)
            .Where(g => g != Guid.Empty).ToHashSet();

    /// <summary>HR office of this institution, or an ambassador whose scope includes it.</summary>
    public static bool ActsFor(this ClaimsPrincipal user, Guid institutionId) =>
        (user.IsHr() || user.IsAmbassador()) && user.Institutions().Contains(institutionId);

    /// <summary>
    /// Who did it, as a decision, outcome or audited access records it: the display name the token carried and the
    /// account id (a machine client by its client id), never a name the request body gives.
    /// </summary>
    public static string Actor(this ClaimsPrincipal user)
    {
        var id = user.UserId() ?? "unknown";
        var name = user.FindFirst(PlatformClaims.Name)?.Value ?? user.FindFirst(PlatformClaims.Email)?.Value;
        var actor = string.IsNullOrWhiteSpace(name) || name == id ? id : $"{name} ({id})";
        return actor.Length <= 200 ? actor : actor[..200];
    }

    /// <summary>The researcher who owns this profile (their profile id is their account id).</summary>
    public static bool Owns(this ClaimsPrincipal user, Guid profileId) => user.IsResearcher() && user.UserGuid() == profileId;
}
