using TalentMatch.Hosting.Auth;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Reviews;
using TalentMatch.Matching.Shortlists;

namespace TalentMatch.Matching;

public sealed class MatchingDbContext(DbContextOptions<MatchingDbContext> options) : DbContext(options)
{
    public DbSet<CandidateProfile> CandidateProfiles => Set<CandidateProfile>();
    public DbSet<PositionSnapshot> Positions => Set<PositionSnapshot>();
    public DbSet<ShortlistEntryRow> ShortlistEntries => Set<ShortlistEntryRow>();
    public DbSet<Recommendation> Recommendations => Set<Recommendation>();
    public DbSet<RankingQueueItem> RankingQueue => Set<RankingQueueItem>();
    public DbSet<Match> Matches => Set<Match>();
    public DbSet<MatchDecision> MatchDecisions => Set<MatchDecision>();
    public DbSet<MatchOutcome> MatchOutcomes => Set<MatchOutcome>();
    public DbSet<RegisteredModel> Models => Set<RegisteredModel>();

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
        modelBuilder.Entity<ShortlistEntryRow>(e =>
        {
            e.ToTable("shortlist_entries");
            e.HasKey(x => new { x.PositionId, x.ProfileId });
            e.HasIndex(x => x.ProfileId);
            e.Property(x => x.TopContributions).HasColumnType("jsonb");
        });
        modelBuilder.Entity<Recommendation>(e =>
        {
            e.ToTable("recommendations");
            e.HasKey(x => new { x.ProfileId, x.PositionId });
            e.HasIndex(x => x.PositionId);
            e.Property(x => x.TopContributions).HasColumnType("jsonb");
        });
        modelBuilder.Entity<RankingQueueItem>(e =>
        {
            e.ToTable("ranking_queue");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
        });
        modelBuilder.Entity<Match>(e =>
        {
            e.ToTable("matches");
            e.HasKey(x => x.Id);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => new { x.PositionId, x.ProfileId }).IsUnique();
            e.HasIndex(x => new { x.Status, x.ProposedAt });
            e.HasIndex(x => x.ProfileId);
            e.Property(x => x.TopContributions).HasColumnType("jsonb");
        });
        modelBuilder.Entity<MatchDecision>(e =>
        {
            e.ToTable("match_decisions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
            e.HasIndex(x => x.MatchId);
        });
        modelBuilder.Entity<MatchOutcome>(e =>
        {
            e.ToTable("match_outcomes");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
            e.HasIndex(x => x.MatchId);
        });
        modelBuilder.Entity<RegisteredModel>(e =>
        {
            e.ToTable("ranking_models");
            e.HasKey(x => x.Version);
            e.Property(x => x.Version).ValueGeneratedNever();
        });
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddTokenRevocations();
        modelBuilder.UseSnakeCaseNames();
    }
}
