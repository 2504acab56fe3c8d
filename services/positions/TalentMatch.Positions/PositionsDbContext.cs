using TalentMatch.Hosting.Auth;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Positions;

public sealed class PositionsDbContext(DbContextOptions<PositionsDbContext> options) : DbContext(options)
{
    public DbSet<Position> Positions => Set<Position>();
    public DbSet<Institution> Institutions => Set<Institution>();

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
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddTokenRevocations();
        modelBuilder.AddIdempotencyKeys();
        modelBuilder.UseSnakeCaseNames();
    }
}
