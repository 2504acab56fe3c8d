using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace TalentMatch.Identity;

/// <summary>What the guard allows for one sign-in attempt.</summary>
/// <param name="LockedOut">This client address failed too often for this e-mail address: refuse without checking the password.</param>
/// <param name="RetryAfter">The account is under attack from several addresses: ask the client to wait this long.</param>
public readonly record struct SignInVerdict(bool LockedOut, TimeSpan? RetryAfter);

/// <summary>
/// Password guessing protection that cannot be turned against the account's owner. Failures are counted per e-mail
/// address (known or not, so the answers tell nobody which addresses have accounts) and client address:
/// <list type="bullet">
/// <item>5 failures (<see cref="SignInProtectionOptions.MaxFailuresPerAddress"/>) lock that client address out of the
/// account for 15 minutes; the owner signing in from anywhere else is not affected.</item>
/// <item>An attack spread over many addresses is slowed instead of locking anybody out: once the account has 10
/// failures in the window from all addresses, each attempt must wait 1, 2, 4 … seconds (at most 5 minutes) after the
/// last failure, answered 429 with Retry-After.</item>
/// </list>
/// A successful sign-in clears its own client address's failures.
/// </summary>
public sealed class SignInGuard(IdentityDb db, SignInProtectionOptions options, TimeProvider time)
{
    // A hash to verify against when there is no account (or the client is locked out), so every refusal costs the
    // same PBKDF2 work as a wrong password.
    private static readonly Lazy<string> DummyHash = new(() =>
        new PasswordHasher<IdentityUser>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = 210_000 }))
            .HashPassword(new IdentityUser(), Guid.NewGuid().ToString()));

    public async Task<SignInVerdict> CheckAsync(string account, string address, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.LockoutPeriod;
        var failures = await db.SignInFailures.AsNoTracking().Where(f => f.EmailHash == account && f.LastFailureAt >= cutoff).ToListAsync(ct);
        if (failures.Any(f => f.Address == address && f.Failures >= options.MaxFailuresPerAddress))
        {
            return new(true, null);
        }

        var total = failures.Sum(f => f.Failures);
        if (total >= options.AccountFailuresBeforeDelay)
        {
            var exponent = Math.Min(total - options.AccountFailuresBeforeDelay, 30);
            var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, exponent), options.MaxDelay.TotalSeconds));
            var wait = failures.Max(f => f.LastFailureAt) + delay - now;
            if (wait > TimeSpan.Zero)
            {
                return new(false, wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait);
            }
        }

        return new(false, null);
    }

    /// <summary>Counts a failure; failures older than the window start again from one, and expired rows are removed.</summary>
    public async Task RecordFailureAsync(string account, string address, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.LockoutPeriod;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO sign_in_failures (email_hash, address, failures, last_failure_at) VALUES ({account}, {address}, 1, {now})
            ON CONFLICT (email_hash, address) DO UPDATE SET
                failures = CASE WHEN sign_in_failures.last_failure_at < {cutoff} THEN 1 ELSE sign_in_failures.failures + 1 END,
                last_failure_at = {now}
            """, ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM sign_in_failures WHERE last_failure_at < {cutoff}", ct);
    }

    /// <summary>What failures are counted under for an e-mail address (normalised by Identity): its SHA-256, in hex.</summary>
    public static string AccountKey(string normalizedEmail) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(normalizedEmail)));

    public Task ClearAsync(string account, string address, CancellationToken ct) =>
        db.SignInFailures.Where(f => f.EmailHash == account && f.Address == address).ExecuteDeleteAsync(ct);

    public void VerifyDummy(UserManager<IdentityUser> users, string password) =>
        users.PasswordHasher.VerifyHashedPassword(new IdentityUser(), DummyHash.Value, password);

    /// <summary>
    /// The client address failures and rate limits are counted by: the TCP peer (behind a reverse proxy, configure
    /// forwarded headers first), an IPv6 client by its /64 network, which one host usually has to itself.
    /// </summary>
    public static string ClientAddress(HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress;
        if (ip is null)
        {
            return "unknown";
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            return ip.MapToIPv4().ToString();
        }

        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = ip.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return ip.ToString();
    }
}
