using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TalentMatch.Hosting.Auth;

namespace TalentMatch.Testing;

/// <summary>
/// Access tokens as the identity provider issues them (RS256, <c>typ: at+jwt</c>, audience <c>talentmatch</c>), signed
/// with the tests' own RSA key. Services under test get only its public half (<see cref="Jwks"/>, as
/// <c>Auth:Issuer</c> / <c>Auth:Jwks</c>); the end-to-end tests use tokens of the real provider instead.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "https://identity.tests.talentmatch.invalid/";
    public const string KeyId = "tests-signing-key";

    private static readonly RsaSecurityKey Key = new(RSA.Create(2048)) { KeyId = KeyId };

    /// <summary>The public key as a JSON Web Key Set (no private parameters).</summary>
    public static readonly string Jwks = JsonSerializer.Serialize(new
    {
        keys = new[] { PublicJwk(Key) },
    });

    public static readonly Guid AdminId = Guid.Parse("00000000-0000-7000-8000-00000000ad01");

    public static string For(string role, Guid? subject = null, params Guid[] institutions) =>
        Issue((subject ?? Guid.NewGuid()).ToString(), role, institutions);

    public static string Admin() => For(Roles.Admin, AdminId);

    public static string Researcher(Guid accountId) => For(Roles.Researcher, accountId);

    public static string Hr(Guid institution) => For(Roles.Hr, null, institution);

    public static string Ambassador(params Guid[] institutions) => For(Roles.Ambassador, null, institutions);

    /// <summary>A token with every part under the test's control (issuer, audience, lifetime, signing credentials, claims).</summary>
    public static string Issue(
        string subject, string role, IEnumerable<Guid>? institutions = null, string? name = null, string issuer = Issuer,
        string audience = PlatformClaims.Audience, DateTime? expires = null, SigningCredentials? credentials = null, string type = "at+jwt")
    {
        var now = DateTime.UtcNow;
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

        if (name is not null)
        {
            claims[PlatformClaims.Name] = name;
        }

        var expiry = expires ?? now.AddMinutes(15);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = expiry < now ? expiry.AddMinutes(-15) : now,
            NotBefore = expiry < now ? expiry.AddMinutes(-15) : now,
            Expires = expiry,
            TokenType = type,
            SigningCredentials = credentials ?? new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>Settings that make a service trust these tokens.</summary>
    public static Dictionary<string, string?> ServiceSettings() => new()
    {
        ["Auth:Issuer"] = Issuer,
        ["Auth:Jwks"] = Jwks,
    };

    /// <summary>Sets (or, with null, removes) the bearer token the client sends.</summary>
    public static HttpClient As(this HttpClient client, string? token)
    {
        client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static Dictionary<string, string> PublicJwk(RsaSecurityKey key)
    {
        var p = key.Rsa.ExportParameters(includePrivateParameters: false);
        return new()
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = key.KeyId,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
    }
}
