using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace TalentMatch.Web.Auth;

/// <summary>
/// Keeps the whole sign-in ticket (claims and the saved access, refresh and id tokens) on the server, in the
/// distributed cache; the cookie carries only the random session key. Tickets are encrypted with data protection
/// before they reach the cache. Each retrieved principal carries the key as the <c>tm_sid</c> claim so that a circuit
/// can find its session again.
/// </summary>
public sealed class DistributedTicketStore(IDistributedCache cache, IDataProtectionProvider protection, IOptions<WebAuthOptions> options) : ITicketStore
{
    private const string Prefix = "tm-session:";
    private readonly IDataProtector _protector = protection.CreateProtector("TalentMatch.Web.Sessions");

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        await RenewAsync(key, ticket);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var bytes = _protector.Protect(TicketSerializer.Default.Serialize(Strip(ticket)));
        var entry = new DistributedCacheEntryOptions { SlidingExpiration = options.Value.SessionIdleTimeout };
        if (ticket.Properties.ExpiresUtc is { } expires)
        {
            entry.AbsoluteExpiration = expires.AddHours(1);
        }

        return cache.SetAsync(Prefix + key, bytes, entry, cancellationToken);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await cache.GetAsync(Prefix + key, cancellationToken);
        if (bytes is null)
        {
            return null;
        }

        AuthenticationTicket? ticket;
        try
        {
            ticket = TicketSerializer.Default.Deserialize(_protector.Unprotect(bytes));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }

        if (ticket?.Principal.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(AuthSetup.SessionClaim, key));
        }

        return ticket;
    }

    public Task RemoveAsync(string key) => cache.RemoveAsync(Prefix + key);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => cache.RemoveAsync(Prefix + key, cancellationToken);

    /// <summary>The session claim is added on every read; it is never stored.</summary>
    private static AuthenticationTicket Strip(AuthenticationTicket ticket)
    {
        if (ticket.Principal.Identity is ClaimsIdentity identity && identity.FindFirst(AuthSetup.SessionClaim) is not null)
        {
            var copy = identity.Clone();
            foreach (var claim in copy.FindAll(AuthSetup.SessionClaim).ToList())
            {
                copy.RemoveClaim(claim);
            }

            return new AuthenticationTicket(new ClaimsPrincipal(copy), ticket.Properties, ticket.AuthenticationScheme);
        }

        return ticket;
    }
}
