using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TalentMatch.Testing;

namespace TalentMatch.Identity.Tests;

/// <summary>
/// Key rotation, step by step, across restarts of the provider (a new host on the same keys directory): the first key
/// is created and kept; after <c>keys rotate</c> new tokens carry the new key's kid while tokens of the old key still
/// verify against the published keys; after <c>keys retire</c> the old key is no longer published and its tokens fail.
/// </summary>
public sealed class SigningKeyRotationTests
{
    private sealed class HostOn(string directory) : IdentityHost
    {
        public override string KeysDirectory => directory;
    }

    private static async Task<(string Token, JsonWebKeySet Keys)> TokenAndKeysAsync(string directory)
    {
        var host = new HostOn(directory);
        await host.InitializeAsync();
        try
        {
            var token = await OidcFlow.ClientCredentialsAsync(host.CreateClient());
            return (token, new JsonWebKeySet(await host.CreateClient().GetStringAsync("/.well-known/jwks")));
        }
        finally
        {
            await ((Xunit.IAsyncLifetime)host).DisposeAsync();
        }
    }

    private static async Task<bool> VerifiesAsync(string token, JsonWebKeySet keys) =>
        (await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidateIssuer = false,
            ValidAudience = "talentmatch",
        })).IsValid;

    [Fact]
    public async Task Rotate_then_retire_keeps_old_tokens_valid_until_the_old_key_is_retired()
    {
        var directory = Path.Combine(Path.GetTempPath(), "talentmatch-tests", "rotation-" + Guid.NewGuid().ToString("N"));
        var (first, keysAtStart) = await TokenAndKeysAsync(directory);
        var original = new JsonWebToken(first).Kid;
        Assert.Equal([original], keysAtStart.Keys.Select(k => k.Kid));

        // Kept across restarts: the same key signs after a restart.
        var (again, _) = await TokenAndKeysAsync(directory);
        Assert.Equal(original, new JsonWebToken(again).Kid);

        using var output = new StringWriter();
        Assert.Equal(0, SigningKeys.Command(["keys", "rotate", "--dir", directory], output));
        var (second, keysAfterRotation) = await TokenAndKeysAsync(directory);
        var rotated = new JsonWebToken(second).Kid;
        Assert.NotEqual(original, rotated);
        Assert.Equal(new[] { original, rotated }.Order(), keysAfterRotation.Keys.Select(k => k.Kid).Order());
        Assert.True(await VerifiesAsync(first, keysAfterRotation));
        Assert.True(await VerifiesAsync(second, keysAfterRotation));

        // The key that signs cannot be retired; the old one can.
        Assert.Equal(1, SigningKeys.Command(["keys", "retire", rotated, "--dir", directory], output));
        Assert.Equal(0, SigningKeys.Command(["keys", "retire", original, "--dir", directory], output));
        var (third, keysAfterRetirement) = await TokenAndKeysAsync(directory);
        Assert.Equal(rotated, new JsonWebToken(third).Kid);
        Assert.Equal([rotated], keysAfterRetirement.Keys.Select(k => k.Kid));
        Assert.False(await VerifiesAsync(first, keysAfterRetirement));
        Assert.True(await VerifiesAsync(second, keysAfterRetirement));
    }
}
