using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Profiles;

public sealed class ProfilesDbContext(DbContextOptions<ProfilesDbContext> options) : DbContext(options)
{
    public DbSet<Profile> Profiles => Set<Profile>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Profile>(e =>
        {
            e.ToTable("profiles");
            e.HasKey(p => p.Id);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.Property(p => p.FullName).HasMaxLength(200);
            e.Property(p => p.Email).HasMaxLength(254);
            e.Property(p => p.Phone).HasMaxLength(40);
            e.Property(p => p.Orcid).HasMaxLength(19);
            e.Property(p => p.CurrentInstitution).HasMaxLength(200);
            e.Property(p => p.CurrentTitle).HasMaxLength(200);
            e.OwnsMany(p => p.Degrees, d => d.ToJson());
            e.OwnsMany(p => p.Honours, h => h.ToJson());
            e.Ignore(p => p.HighestHonour);
            e.HasIndex(p => p.Email);
            e.HasIndex(p => p.CreatedAt);
        });
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddIdempotencyKeys();
        modelBuilder.UseSnakeCaseNames();
    }
}
