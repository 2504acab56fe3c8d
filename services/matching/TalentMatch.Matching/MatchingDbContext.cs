using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Matching.ReadModel;

namespace TalentMatch.Matching;

public sealed class MatchingDbContext(DbContextOptions<MatchingDbContext> options) : DbContext(options)
{
    public DbSet<CandidateProfile> CandidateProfiles => Set<CandidateProfile>();
    public DbSet<PositionSnapshot> Positions => Set<PositionSnapshot>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CandidateProfile>(e =>
        {
            e.ToTable("candidate_profiles");
            e.HasKey(p => p.ProfileId);
            e.HasIndex(p => p.FieldKeys).HasMethod("gin");
        });
        modelBuilder.Entity<PositionSnapshot>(e =>
        {
            e.ToTable("positions");
            e.HasKey(p => p.PositionId);
        });
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.UseSnakeCaseNames();
    }
}
