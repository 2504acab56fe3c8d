using TalentMatch.Hosting.Auth;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Matching.Answers;
using TalentMatch.Matching.Campaigns;
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
    public DbSet<CampaignSnapshot> Campaigns => Set<CampaignSnapshot>();
    public DbSet<ResearcherAnswer> ResearcherAnswers => Set<ResearcherAnswer>();
    public DbSet<CampaignAssignmentRun> CampaignAssignments => Set<CampaignAssignmentRun>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Keys declared inline by the hand-written migrations are named by PostgreSQL (<table>_pkey).
        modelBuilder.HasSequence<long>("shortlist_versions");
        modelBuilder.Entity<CandidateProfile>(e =>
        {
            e.ToTable("candidate_profiles");
            e.HasKey(p => p.ProfileId).HasName("candidate_profiles_pkey");
            e.Property(p => p.HIndex).HasLegacyDefault("0");
            e.Property(p => p.GrantsLed).HasLegacyDefault("0");
            e.Property(p => p.TalentTier).HasLegacyDefault("0");
            e.Property(p => p.Languages).HasLegacyDefault("'{}'::text[]");
            e.Property(p => p.Placed).HasLegacyDefault("false");
            e.HasIndex(p => p.FieldKeys).HasMethod("gin");
        });
        modelBuilder.Entity<PositionSnapshot>(e =>
        {
            e.ToTable("positions");
            e.HasKey(p => p.PositionId).HasName("positions_pkey");
            e.HasIndex(p => p.PositionId).HasFilter("NOT closed").HasDatabaseName("ix_positions_open");
            e.Property(p => p.Headcount).HasLegacyDefault("1");
            e.Property(p => p.TalentTierSought).HasLegacyDefault("0");
            e.Property(p => p.Languages).HasLegacyDefault("'{}'::text[]");
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
            e.HasKey(x => x.Id).HasName("ranking_queue_pkey");
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
        });
        modelBuilder.Entity<Match>(e =>
        {
            e.ToTable("matches");
            e.HasKey(x => x.Id).HasName("matches_pkey");
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => new { x.PositionId, x.ProfileId }).IsUnique();
            e.HasIndex(x => new { x.Status, x.ProposedAt });
            e.HasIndex(x => x.ProfileId);
            e.Property(x => x.TopContributions).HasColumnType("jsonb");
        });
        modelBuilder.Entity<MatchDecision>(e =>
        {
            e.ToTable("match_decisions");
            e.HasKey(x => x.Id).HasName("match_decisions_pkey");
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
            e.HasIndex(x => x.MatchId);
        });
        modelBuilder.Entity<MatchOutcome>(e =>
        {
            e.ToTable("match_outcomes");
            e.HasKey(x => x.Id).HasName("match_outcomes_pkey");
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
            e.HasIndex(x => x.MatchId);
        });
        modelBuilder.Entity<RegisteredModel>(e =>
        {
            e.ToTable("ranking_models");
            e.HasKey(x => x.Version).HasName("ranking_models_pkey");
            // At most one champion (status 0) at a time.
            e.HasIndex(x => x.Status).IsUnique().HasFilter("status = 0").HasDatabaseName("ix_ranking_models_single_champion");
            e.Property(x => x.Version).ValueGeneratedNever();
        });
        modelBuilder.Entity<CampaignSnapshot>(e =>
        {
            e.ToTable("campaigns");
            e.HasKey(x => x.CampaignId);
            e.HasIndex(x => x.AmbassadorIds).HasMethod("gin");
        });
        modelBuilder.Entity<ResearcherAnswer>(e =>
        {
            e.ToTable("researcher_answers");
            e.HasKey(x => new { x.ProfileId, x.PositionId });
            e.HasIndex(x => x.PositionId);
            e.Property(x => x.ReasonText).HasMaxLength(2000);
        });
        modelBuilder.Entity<CampaignAssignmentRun>(e =>
        {
            e.ToTable("campaign_assignments");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
            e.HasIndex(x => new { x.CampaignId, x.ComputedAt });
            e.Property(x => x.Result).HasColumnType("jsonb");
        });
        modelBuilder.AddOutboxAndInbox();
        modelBuilder.AddTokenRevocations();
        modelBuilder.UseSnakeCaseNames();
    }
}
