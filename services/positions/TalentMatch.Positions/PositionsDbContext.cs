using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;

namespace TalentMatch.Positions;

public sealed class PositionsDbContext(DbContextOptions<PositionsDbContext> options) : DbContext(options)
{
    public DbSet<Position> Positions => Set<Position>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Position>(e =>
        {
            e.ToTable("positions");
            e.HasKey(p => p.Id);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.Property(p => p.Title).HasMaxLength(200);
            e.Property(p => p.Department).HasMaxLength(200);
            e.Property(p => p.City).HasMaxLength(100);
            e.HasIndex(p => new { p.InstitutionId, p.Status });
        });
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.UseSnakeCaseNames();
    }
}
