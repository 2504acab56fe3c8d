using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;

namespace TalentMatch.Identity;

/// <summary>
/// ASP.NET Core Identity's tables (users, claims, logins, tokens; roles are kept as a <c>role</c> claim), OpenIddict's, failed
/// sign-ins per account and client address, the token revocation list, the outbox that tells the other services
/// about deleted accounts, and the notices (with each account's settings and the campaign appointments they follow).
/// </summary>
public sealed class IdentityDb(DbContextOptions<IdentityDb> options) : IdentityDbContext<IdentityUser>(options)
{
    public DbSet<SignInFailure> SignInFailures => Set<SignInFailure>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<SignInFailure>(e =>
        {
            e.ToTable("sign_in_failures");
            e.HasKey(f => new { f.EmailHash, f.Address });
            e.Property(f => f.EmailHash).HasMaxLength(64);
            e.Property(f => f.Address).HasMaxLength(64);
        });
        builder.Entity<Notices.Notice>(e =>
        {
            e.ToTable("notices");
            e.Property(n => n.Id).UseIdentityByDefaultColumn();
            e.Property(n => n.AccountId).HasMaxLength(450);
            e.HasIndex(n => new { n.AccountId, n.CreatedAt });
            e.HasIndex(n => n.CreatedAt).HasFilter("emailed_at IS NULL").HasDatabaseName("ix_notices_pending");
        });
        builder.Entity<Notices.NoticeSettings>(e =>
        {
            e.ToTable("notice_settings");
            e.HasKey(s => s.AccountId);
            e.Property(s => s.AccountId).HasMaxLength(450);
        });
        builder.Entity<Notices.CampaignAppointments>(e =>
        {
            e.ToTable("notice_campaigns");
            e.HasKey(c => c.CampaignId);
            e.HasIndex(c => c.PositionIds).HasMethod("gin");
        });
        // The provider's clients, sign-ins (authorizations), scopes and tokens (OpenIddict's EF Core stores).
        builder.UseOpenIddict();
        builder.AddOutboxAndInbox();
        builder.AddTokenRevocations();
        // Identity's own tables keep the names its first migration gave them.
        builder.UseSnakeCaseNames(type => type.Namespace?.StartsWith("Microsoft.AspNetCore.Identity", StringComparison.Ordinal) != true);
    }
}

/// <summary>Failed sign-ins for one e-mail address (known or not) from one client address, within the lock-out window.</summary>
public sealed class SignInFailure
{
    /// <summary>
    /// SHA-256 of the e-mail address as Identity normalises it (upper case): unknown addresses are counted like known
    /// ones, and an address someone merely tried is not kept in clear.
    /// </summary>
    public required string EmailHash { get; set; }

    /// <summary>The client address (an IPv6 client by its /64 network).</summary>
    public required string Address { get; set; }

    public int Failures { get; set; }
    public DateTimeOffset LastFailureAt { get; set; }
}
