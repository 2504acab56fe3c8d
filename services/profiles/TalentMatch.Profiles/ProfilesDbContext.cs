using TalentMatch.Hosting.Auth;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Profiles;

public sealed class ProfilesDbContext(DbContextOptions<ProfilesDbContext> options) : DbContext(options)
{
    public DbSet<Profile> Profiles => Set<Profile>();
    public DbSet<Privacy.ContactSharing> ContactSharing => Set<Privacy.ContactSharing>();
    public DbSet<Privacy.Endorsement> Endorsements => Set<Privacy.Endorsement>();
    public DbSet<Privacy.PersonalDataAccess> PersonalDataAccess => Set<Privacy.PersonalDataAccess>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Profile>(e =>
        {
            e.ToTable("profiles");
            e.HasKey(p => p.Id).HasName("profiles_pkey");
            e.Property(p => p.Version).IsConcurrencyToken();
            e.Property(p => p.FullName).HasMaxLength(200);
            e.Property(p => p.Email).HasMaxLength(254);
            e.Property(p => p.Phone).HasMaxLength(40);
            e.Property(p => p.Orcid).HasMaxLength(19);
            e.Property(p => p.CurrentInstitution).HasMaxLength(200);
            e.Property(p => p.CurrentTitle).HasMaxLength(200);
            e.Property(p => p.HIndex).HasLegacyDefault("0");
            e.Property(p => p.GrantsLed).HasLegacyDefault("0");
            e.Property(p => p.Languages).HasLegacyDefault("'{}'::text[]");
            e.OwnsMany(p => p.Degrees, d => d.ToJson());
            e.OwnsMany(p => p.Honours, h => h.ToJson());
            // The schema has these two as jsonb NOT NULL DEFAULT '[]'; EF maps an owned JSON collection as a nullable
            // column with no default and cannot be told otherwise (see the README on migrations).
            e.Ignore(p => p.HighestHonour);
            e.HasIndex(p => p.Email);
            e.HasIndex(p => p.CreatedAt);
            e.Property(p => p.ConsentNoticeVersion).HasMaxLength(40);
        });
        modelBuilder.Entity<Privacy.ContactSharing>(e =>
        {
            e.ToTable("contact_sharing");
            e.HasKey(x => new { x.ProfileId, x.InstitutionId });
        });
        modelBuilder.Entity<Privacy.Endorsement>(e =>
        {
            e.ToTable("endorsements");
            e.HasKey(x => new { x.ProfileId, x.PositionId });
            e.HasIndex(x => new { x.ProfileId, x.InstitutionId });
        });
        modelBuilder.Entity<Privacy.PersonalDataAccess>(e =>
        {
            e.ToTable("personal_data_access");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
            e.Property(x => x.AccessorId).HasMaxLength(100);
            e.Property(x => x.AccessorRole).HasMaxLength(20);
            e.Property(x => x.Purpose).HasMaxLength(40);
            e.HasIndex(x => x.ProfileId);
        });
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddTokenRevocations();
        modelBuilder.AddIdempotencyKeys();
        modelBuilder.UseSnakeCaseNames();
    }
}
