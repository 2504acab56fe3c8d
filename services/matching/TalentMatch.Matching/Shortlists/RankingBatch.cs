using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using TalentMatch.Contracts.Matching;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Observability;
using TalentMatch.Matching.Baseline;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Reviews;
using TalentMatch.Matching.Features;
using TalentMatch.Ranking.Model;

namespace TalentMatch.Matching.Shortlists;

/// <summary>
/// The in-memory state of one ranking batch: the shortlists it touches, before and after. It reads only what the
/// batch's items need (the positions queued, and for each queued profile the open positions it qualifies for or is
/// listed in, with those positions' stored entries) and writes every changed shortlist with a fixed number of
/// statements for the whole batch, so the cost of a batch grows with what changed, not with the number of positions.
/// </summary>
internal sealed partial class RankingBatch(MatchingDbContext db, ChampionSnapshot model, MatchFacts facts, ShortlistRanker ranker, ShortlistOptions options)
{
    private sealed class PositionState(PositionSnapshot snapshot, PositionFacts positionFacts, Dictionary<Guid, ShortlistEntryRow> original)
    {
        public PositionSnapshot Snapshot { get; } = snapshot;
        public PositionFacts Facts { get; } = positionFacts;
        public Dictionary<Guid, ShortlistEntryRow> Original { get; } = original;

        /// <summary>The candidates now: profile id → score.</summary>
        public Dictionary<Guid, double> Current { get; } = original.ToDictionary(e => e.Key, e => e.Value.Score);
    }

    private readonly Dictionary<Guid, PositionState> _positions = [];
    private readonly Dictionary<Guid, CandidateProfile> _profiles = [];
    private readonly Dictionary<Guid, ProfileFacts> _profileFacts = [];
    private readonly Dictionary<(Guid Position, Guid Profile), (float[] Features, string Contributions)> _explained = [];
    private readonly HashSet<Guid> _closed = [];
    private readonly HashSet<Guid> _rerankNext = [];
    private readonly HashSet<Guid> _recommendationsRecomputed = [];
    private readonly List<ShortlistEntryRow> _entryRows = [];
    private readonly List<Recommendation> _recommendationRows = [];
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public int PositionsLoaded { get; private set; }
    public int EntriesLoaded { get; private set; }
    public int PairsScored { get; private set; }
    public int ShortlistsWritten { get; private set; }

    /// <summary>Keeps the row, and its encoded facts unless the row is the same version as one already held.</summary>
    private void Remember(CandidateProfile row)
    {
        if (!_profiles.TryGetValue(row.ProfileId, out var known) || known.Version != row.Version || known.Withdrawn != row.Withdrawn || known.Placed != row.Placed)
        {
            _profiles[row.ProfileId] = row;
            _profileFacts.Remove(row.ProfileId);
        }
    }
    private ProfileFacts ProfileFactsOf(Guid profileId)
    {
        if (!_profileFacts.TryGetValue(profileId, out var f))
        {
            f = facts.Profile(_profiles[profileId]);
            _profileFacts[profileId] = f;
        }

        return f;
    }
    /// <summary>Loads the stored shortlists of <paramref name="snapshots"/> (one query) as the batch's "before".</summary>
    private async Task LoadStatesAsync(IReadOnlyCollection<PositionSnapshot> snapshots, CancellationToken ct)
    {
        if (snapshots.Count == 0)
        {
            return;
        }

        var ids = snapshots.Select(s => s.PositionId).ToArray();
        // Without the stored contributions: an entry that stays is not rewritten, so they are never needed.
        var entries = (await db.ShortlistEntries.AsNoTracking().Where(e => ids.Contains(e.PositionId))
                .Select(e => new ShortlistEntryRow { PositionId = e.PositionId, ProfileId = e.ProfileId, Rank = e.Rank, Score = e.Score, ModelVersion = e.ModelVersion, UpdatedAt = e.UpdatedAt })
                .ToListAsync(ct))
            .ToLookup(e => e.PositionId);
        foreach (var snapshot in snapshots)
        {
            var original = entries[snapshot.PositionId].ToDictionary(e => e.ProfileId);
            EntriesLoaded += original.Count;
            _positions[snapshot.PositionId] = new PositionState(snapshot, facts.Position(snapshot), original);
        }
    }
    private async Task EnsureProfilesLoadedAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var missing = ids.Where(id => !_profiles.ContainsKey(id)).Distinct().ToArray();
        if (missing.Length > 0)
        {
            foreach (var p in await db.CandidateProfiles.AsNoTracking().Where(p => missing.Contains(p.ProfileId)).ToListAsync(ct))
            {
                Remember(p);
            }
        }
    }
    /// <summary>A pair's features and top contributions, computed once per batch (a shortlist entry and the candidate's recommendation share them).</summary>
    private (float[] Features, string Contributions) Explained(PositionState state, Guid profileId)
    {
        var key = (state.Snapshot.PositionId, profileId);
        if (!_explained.TryGetValue(key, out var explained))
        {
            var features = new float[MatchFeatures.Count];
            facts.Features(ProfileFactsOf(profileId), state.Facts, features);
            explained = (features, ShortlistRanker.TopContributionsJson(model.Model, features));
            _explained[key] = explained;
        }

        return explained;
    }
    private void AddRecommendations(Guid profileId, IEnumerable<Scored> best)
    {
        _recommendationsRecomputed.Add(profileId);
        foreach (var s in best)
        {
            // Contributions are computed when the recommendations are read (ShortlistsApi): TreeSHAP for twenty
            // positions per registration was most of the worker's time at a steady registration rate.
            _recommendationRows.Add(new Recommendation
            {
                ProfileId = profileId, PositionId = s.Id, Score = s.Score, ModelVersion = model.Version,
                TopContributions = Recommendation.NotExplained, UpdatedAt = _now,
            });
        }
    }
}
