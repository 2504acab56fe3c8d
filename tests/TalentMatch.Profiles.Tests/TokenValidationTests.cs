using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using TalentMatch.Hosting.Auth;
using TalentMatch.Testing;

namespace TalentMatch.Profiles.Tests;

/// <summary>
/// What a service accepts as an access token (the same JwtBearer set-up in every service): only an RS256 access token
/// of the trusted issuer for the platform's audience, unexpired, unaltered, and not revoked.
/// </summary>
public sealed class TokenValidationTests(ProfilesHost host) : IClassFixture<ProfilesHost>
{
    private async Task<HttpStatusCode> StatusWith(string token) =>
        (await host.ClientAs(token).GetAsync("/api/profiles?pageSize=1")).StatusCode;

    private static string Tamper(string token, Func<string, string> payload)
    {
        var parts = token.Split('.');
        parts[1] = Base64UrlEncoder.Encode(payload(Base64UrlEncoder.Decode(parts[1])));
        return string.Join('.', parts);
    }

    [Fact]
    public async Task A_valid_admin_token_is_accepted() =>
        Assert.Equal(HttpStatusCode.OK, await StatusWith(TestTokens.Admin()));

    public static TheoryData<string, string> Refused()
    {
        var subject = TestTokens.AdminId.ToString();
        var hmac = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256);
        var otherRsa = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = TestTokens.KeyId }, SecurityAlgorithms.RsaSha256);
        var researcher = TestTokens.Researcher(Guid.NewGuid());
        var unsigned = Base64UrlEncoder.Encode("""{"alg":"none","typ":"at+jwt"}""") + "." + TestTokens.Admin().Split('.')[1] + ".";
        return new TheoryData<string, string>
        {
            { "signed with HMAC over a random key", TestTokens.Issue(subject, Roles.Admin, credentials: hmac) },
            { "signed by another RSA key with the trusted kid", TestTokens.Issue(subject, Roles.Admin, credentials: otherRsa) },
            { "alg none", unsigned },
            { "another issuer", TestTokens.Issue(subject, Roles.Admin, issuer: "https://attacker.example/") },
            { "another audience", TestTokens.Issue(subject, Roles.Admin, audience: "another-api") },
            { "expired", TestTokens.Issue(subject, Roles.Admin, expires: DateTime.UtcNow.AddMinutes(-5)) },
            { "an identity token, not an access token", TestTokens.Issue(subject, Roles.Admin, type: "JWT") },
            { "a researcher's token whose role was changed to admin", Tamper(researcher, p => p.Replace("\"researcher\"", "\"admin\"", StringComparison.Ordinal)) },
            { "garbage", "not.a.token" },
        };
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Is_refused_with_401(string what, string token)
    {
        var status = await StatusWith(token);
        Assert.True(status == HttpStatusCode.Unauthorized, $"{what}: {status}");
    }

    [Fact]
    public async Task A_revocation_another_instance_stored_is_picked_up_by_the_refresh()
    {
        var account = Guid.NewGuid();
        var client = host.ClientAs(TestTokens.Researcher(account));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/profiles/{account}")).StatusCode);
        await host.WithDbAsync<ProfilesDbContext, int>(async db =>
        {
            await TokenRevocationStore.RecordAsync(db, account.ToString(), DateTimeOffset.UtcNow, CancellationToken.None);
            return 0;
        });
        await Eventually.True(async () => (await client.GetAsync($"/api/profiles/{account}")).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(20), "the refresh to read the revocation list");
    }
}
