using TalentMatch.Hosting.Auth;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;
using TalentMatch.Positions.Campaigns;

namespace TalentMatch.Positions;

public sealed class PositionsDbContext(DbContextOptions<PositionsDbContext> options) : DbContext(options)
{
    public DbSet<Position> Positions => Set<Position>();
    public DbSet<Institution> Institutions => Set<Institution>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignPosition> CampaignPositions => Set<CampaignPosition>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Position>(e =>
        {
            e.ToTable("positions");
            e.HasKey(p => p.Id).HasName("positions_pkey");
            e.Property(p => p.TalentTierSought).HasLegacyDefault("0");
            e.Property(p => p.Languages).HasLegacyDefault("'{}'::text[]");
            e.Property(p => p.Version).IsConcurrencyToken();
            e.Property(p => p.Title).HasMaxLength(200);
            e.Property(p => p.Department).HasMaxLength(200);
            e.Property(p => p.City).HasMaxLength(100);
            e.Property(p => p.SalaryMinCny).HasPrecision(14, 2);
            e.Property(p => p.SalaryMaxCny).HasPrecision(14, 2);
            e.Property(p => p.StartupFundingCny).HasPrecision(16, 2);
            e.Ignore(p => p.SalaryBand);
            e.HasIndex(p => new { p.InstitutionId, p.Status });
            e.HasOne<Institution>().WithMany().HasForeignKey(p => p.InstitutionId).OnDelete(DeleteBehavior.Restrict)
                // Created NOT VALID (rows older than the institutions table are not re-checked); EF cannot say so.
                .HasConstraintName("fk_positions_institutions_institution_id");
        });
        modelBuilder.Entity<Institution>(e =>
        {
            e.ToTable("institutions");
            e.HasKey(i => i.Id).HasName("institutions_pkey");
            e.HasIndex(i => i.Slug).IsUnique();
        });
        modelBuilder.Entity<Campaign>(e =>
        {
            e.ToTable("campaigns");
            e.Property(c => c.Version).IsConcurrencyToken();
            e.Property(c => c.NameEn).HasMaxLength(200);
            e.Property(c => c.NameZh).HasMaxLength(200);
            e.Property(c => c.OrganiserNameEn).HasMaxLength(200);
            e.Property(c => c.OrganiserNameZh).HasMaxLength(200);
            e.HasIndex(c => c.InstitutionIds).HasMethod("gin");
            e.HasMany(c => c.Positions).WithOne().HasForeignKey(p => p.CampaignId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(c => c.Ambassadors).WithOne().HasForeignKey(a => a.CampaignId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CampaignPosition>(e =>
        {
            e.ToTable("campaign_positions");
            e.HasKey(p => new { p.CampaignId, p.PositionId });
            e.HasIndex(p => p.PositionId);
            e.Property(p => p.AttachedBy).HasMaxLength(200);
            e.HasOne<Position>().WithMany().HasForeignKey(p => p.PositionId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<AmbassadorAppointment>(e =>
        {
            e.ToTable("campaign_ambassadors");
            e.HasKey(a => new { a.CampaignId, a.AccountId });
            e.HasIndex(a => a.AccountId);
            e.Property(a => a.LetterReference).HasMaxLength(100);
            e.Property(a => a.RecordedBy).HasMaxLength(200);
        });
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddTokenRevocations();
        modelBuilder.AddIdempotencyKeys();
        modelBuilder.UseSnakeCaseNames();
    }
}
