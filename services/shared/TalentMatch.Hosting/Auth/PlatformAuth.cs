using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

/// <summary>Claim types of the platform's tokens (JWT names, kept as they are: no inbound claim mapping).</summary>
public static class PlatformClaims
{
    public const string Subject = "sub";
    public const string Role = "role";

    /// <summary>An institution the account acts for: one for an HR office, a set for an ambassador.</summary>
    public const string Institution = "institution";

    /// <summary>The OAuth 2 client a machine client's token was issued to (RFC 9068); absent in a person's token.</summary>
    public const string ClientId = "client_id";

    public const string Issuer = "talentmatch-identity";
    public const string Audience = "talentmatch";
}

/// <summary>Signing key and lifetime of the platform's tokens (<c>Auth:</c> section).</summary>
public sealed class AuthOptions
{
    /// <summary>HMAC-SHA256 key, at least 32 bytes (256 bits). Every service validates tokens with it.</summary>
    public string SigningKey { get; set; } = "";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often an instance re-reads the revocation list other instances of its service stored.</summary>
    public TimeSpan RevocationRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a revocation is kept: longer than any token lives.</summary>
    public TimeSpan RevocationRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The key in the repository's <c>appsettings.json</c> files. Anyone can sign an administrator's token with it, so a
    /// service refuses to start with it outside the Development environment.
    /// </summary>
    public const string DevelopmentSigningKey = "dev-only-signing-key-change-me-0123456789abcdef";

    public SymmetricSecurityKey Key()
    {
        var bytes = Encoding.UTF8.GetBytes(SigningKey);
        if (bytes.Length < 32)
        {
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes (256 bits).");
        }

        return new SymmetricSecurityKey(bytes);
    }
}

/// <summary>Issues the platform's short-lived JWTs (identity service; tests use it with the same key).</summary>
public sealed class TokenIssuer(AuthOptions options, TimeProvider? time = null)
{
    public string Issue(string subject, string role, IEnumerable<Guid>? institutions = null, TimeSpan? lifetime = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [PlatformClaims.Subject] = subject,
            [PlatformClaims.Role] = role,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
        };
        var scope = (institutions ?? []).Select(i => i.ToString()).ToArray();
        if (scope.Length > 0)
        {
            claims[PlatformClaims.Institution] = scope;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = PlatformClaims.Issuer,
            Audience = PlatformClaims.Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? options.TokenLifetime),
            SigningCredentials = new SigningCredentials(options.Key(), SecurityAlgorithms.HmacSha256),
        });
    }
}

public static class PlatformAuthentication
{
    public const string ResearcherPolicy = "researcher";
    public const string HrPolicy = "hr";
    public const string AmbassadorPolicy = "ambassador";
    public const string AdminPolicy = "admin";

    /// <summary>
    /// Every service validates the platform's JWTs itself with the locally configured key (<c>Auth:SigningKey</c>).
    /// Every endpoint requires an authenticated caller unless it says <c>AllowAnonymous</c>; role policies narrow it,
    /// and handlers check the object (own profile, own institution, ambassador scope).
    /// </summary>
    public static WebApplicationBuilder AddPlatformAuthentication(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        if (options.SigningKey == AuthOptions.DevelopmentSigningKey)
        {
            if (!builder.Environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    "Auth:SigningKey is the development key committed in the repository: anyone could sign tokens with it. " +
                    "Set Auth__SigningKey to a random key of at least 32 bytes shared by every service (deploy/up.sh generates " +
                    $"one per installation), or run with ASPNETCORE_ENVIRONMENT=Development (environment now: {builder.Environment.EnvironmentName}).");
            }

            builder.Services.AddHostedService<DevelopmentKeyWarning>();
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<TokenRevocations>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton(new TokenValidationParameters
        {
            ValidIssuer = PlatformClaims.Issuer,
            ValidAudience = PlatformClaims.Audience,
            IssuerSigningKey = options.Key(),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = PlatformClaims.Subject,
            RoleClaimType = PlatformClaims.Role,
        });
        builder.Services
            .AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(ResearcherPolicy, p => p.RequireRole(Roles.Researcher, Roles.Admin))
            .AddPolicy(HrPolicy, p => p.RequireRole(Roles.Hr, Roles.Admin))
            .AddPolicy(AmbassadorPolicy, p => p.RequireRole(Roles.Ambassador, Roles.Admin))
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin));
        return builder;
    }
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

    /// <summary>The researcher who owns this profile (their profile id is their account id).</summary>
    public static bool Owns(this ClaimsPrincipal user, Guid profileId) => user.IsResearcher() && user.UserGuid() == profileId;
}

/// <summary>Says at every start, as a warning, that the service accepts tokens signed with the repository's key.</summary>
internal sealed partial class DevelopmentKeyWarning(ILogger<DevelopmentKeyWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogDevelopmentKey(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "INSECURE: Auth:SigningKey is the development key committed in the repository; anyone can sign an administrator's token for this service. Development only: set Auth__SigningKey anywhere else.")]
    private static partial void LogDevelopmentKey(ILogger logger);
}

/// <summary>
/// Validates <c>Authorization: Bearer</c> JWTs (HMAC-SHA256, issuer, audience, lifetime) with the locally configured
/// key. It is what JwtBearer does for a symmetric key, without its OpenID Connect dependency (not served here).
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenValidationParameters parameters,
    TokenRevocations revocations)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private static readonly JsonWebTokenHandler Tokens = new() { MapInboundClaims = false };

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var result = await Tokens.ValidateTokenAsync(header["Bearer ".Length..].Trim(), parameters);
        if (!result.IsValid)
        {
            return AuthenticateResult.Fail("Invalid token.");
        }

        if (result.SecurityToken is JsonWebToken token && revocations.IsRevoked(token.Subject, token.IssuedAt))
        {
            return AuthenticateResult.Fail("Revoked token.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(result.ClaimsIdentity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
