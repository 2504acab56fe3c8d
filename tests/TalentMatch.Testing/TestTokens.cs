using System.Net.Http.Headers;
using TalentMatch.Hosting.Auth;

namespace TalentMatch.Testing;

/// <summary>
/// Tokens signed with the tests' key (<see cref="SigningKey"/>, passed to every service under test as
/// <c>Auth:SigningKey</c>), as the identity service would issue them.
/// </summary>
public static class TestTokens
{
    public const string SigningKey = "test-signing-key-0123456789abcdef0123456789abcdef";

    private static readonly TokenIssuer Issuer = new(new AuthOptions { SigningKey = SigningKey });

    public static readonly Guid AdminId = Guid.Parse("00000000-0000-7000-8000-00000000ad01");

    public static string For(string role, Guid? subject = null, params Guid[] institutions) =>
        Issuer.Issue((subject ?? Guid.NewGuid()).ToString(), role, institutions);

    public static string Admin() => For(Roles.Admin, AdminId);

    public static string Researcher(Guid accountId) => For(Roles.Researcher, accountId);

    public static string Hr(Guid institution) => For(Roles.Hr, null, institution);

    public static string Ambassador(params Guid[] institutions) => For(Roles.Ambassador, null, institutions);

    /// <summary>Sets (or, with null, removes) the bearer token the client sends.</summary>
    public static HttpClient As(this HttpClient client, string? token)
    {
        client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
