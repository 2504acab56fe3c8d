using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TalentMatch.Contracts.Matching;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Matching.Baseline;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Reviews;
using TalentMatch.Ranking.Features;
using TalentMatch.Ranking.Model;

namespace TalentMatch.Matching.Shortlists;

/// <summary>Bound from the <c>Shortlists</c> configuration section.</summary>
public sealed class ShortlistOptions
{
    /// <summary>Whether this instance runs the shortlist worker (tests of other parts switch it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Candidates kept per position (K).</summary>
    public int Size { get; set; } = 50;

    /// <summary>A new entry at this rank or better is proposed to ambassadors for review.</summary>
    public int ProposeTop { get; set; } = 10;

    /// <summary>Positions kept per researcher.</summary>
    public int RecommendationsPerProfile { get; set; } = 20;

    /// <summary>Queue rows taken per batch.</summary>
    public int BatchSize { get; set; } = 2000;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// Keeps shortlists, recommendations and proposals up to date. Consumers queue every profile or position whose
/// read-model row changed (in their own transaction); this worker drains the queue in batches, one instance at a
/// time (advisory lock), and applies each batch in one transaction with the events it publishes:
/// <list type="bullet">
/// <item>a new or changed position is ranked in full over the candidates that pass the hard constraints;</item>
/// <item>a closed position leaves every list, and its open proposals expire;</item>
/// <item>a new or changed profile is scored against the open positions it qualifies for and enters each shortlist
/// where it belongs; its recommendations are recomputed. If it was in a shortlist and fell (lower score, no longer
/// eligible, withdrawn), that position is queued for a full re-rank, since only a full pass can find who moves up.</item>
/// </list>
/// Batching coalesces bursts: a thousand registrations become one <see cref="ShortlistChanged"/> per position.
/// </summary>
internal sealed partial class ShortlistWorker(
    IServiceScopeFactory scopes,
    ChampionModel champion,
    MatchFacts facts,
    IOptions<ShortlistOptions> options,
    ILogger<ShortlistWorker> logger) : BackgroundService
{
    private const long AdvisoryLockKey = 0x54_4D_53_48_4F_52_54; // "TMSHORT"
    private readonly ShortlistOptions _options = options.Value;
    private readonly ShortlistRanker _ranker = new(facts);
    private bool _waitingLogged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (_options.Enabled && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ProcessBatchAsync(stoppingToken) == 0)
                {
                    await Task.Delay(_options.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The batch rolled back: its queue rows are still there and will be retried.
                LogBatchFailed(logger, e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Processes one batch; returns the number of queue rows it took.</summary>
    internal async Task<int> ProcessBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({AdvisoryLockKey}) AS \"Value\"").SingleAsync(ct);
        if (!locked)
        {
            return 0;
        }

        var model = await champion.RefreshAsync(db, ct);
        if (model is null)
        {
            if (!_waitingLogged)
            {
                LogWaitingForModel(logger);
                _waitingLogged = true;
            }

            return 0;
        }

        var items = await db.RankingQueue
            .FromSql($"DELETE FROM ranking_queue WHERE id IN (SELECT id FROM ranking_queue ORDER BY id LIMIT {_options.BatchSize}) RETURNING *")
            .AsNoTracking().ToListAsync(ct);
        if (items.Count == 0)
        {
            return 0;
        }

        var started = DateTimeOffset.UtcNow;
        var batch = new RankingBatch(db, model, facts, _ranker, _options);
        var positions = items.Where(i => i.Kind == RankingQueueItem.Position).Select(i => i.AggregateId).Distinct().ToList();
        var profiles = items.Where(i => i.Kind == RankingQueueItem.Profile).Select(i => i.AggregateId).Distinct().ToList();
        await batch.RankPositionsAsync(positions, ct);
        await batch.PlaceProfilesAsync(profiles, ct);
        var changed = await batch.FlushAsync(ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        LogBatch(logger, items.Count, positions.Count, profiles.Count, changed, model.Version, (DateTimeOffset.UtcNow - started).TotalMilliseconds);
        return items.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ranked a batch of {Items} queued change(s) ({Positions} position(s), {Profiles} profile(s)): {Changed} shortlist(s) changed, model v{Model}, {Milliseconds:0} ms")]
    private static partial void LogBatch(ILogger logger, int items, int positions, int profiles, int changed, int model, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ranking batch failed; it will be retried")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "No champion ranking model yet; shortlists wait for the cold-start model")]
    private static partial void LogWaitingForModel(ILogger logger);
}

/// <summary>The in-memory state of one ranking batch: the shortlists it touches, before and after.</summary>
internal sealed class RankingBatch(MatchingDbContext db, ChampionSnapshot model, MatchFacts facts, ShortlistRanker ranker, ShortlistOptions options)
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
    private readonly HashSet<Guid> _closed = [];
    private readonly HashSet<Guid> _rerankNext = [];
    private readonly HashSet<Guid> _recommendationsRecomputed = [];
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public async Task RankPositionsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var snapshots = await db.Positions.AsNoTracking().Where(p => ids.Contains(p.PositionId)).ToListAsync(ct);
        foreach (var snapshot in snapshots)
        {
            if (snapshot.Closed)
            {
                _closed.Add(snapshot.PositionId);
                continue;
            }

            var state = await LoadStateAsync(snapshot, ct);
            var pool = await CandidatePool(snapshot).ToListAsync(ct);
            foreach (var p in pool)
            {
                _profiles[p.ProfileId] = p;
            }

            var best = ranker.RankPosition(state.Facts, pool.Select(p => (p.ProfileId, facts.Profile(p))).ToList(), model.Model, options.Size);
            state.Current.Clear();
            foreach (var s in best)
            {
                state.Current[s.Id] = s.Score;
            }
        }
    }

    public async Task PlaceProfilesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var rows = await db.CandidateProfiles.AsNoTracking().Where(p => ids.Contains(p.ProfileId)).ToListAsync(ct);
        foreach (var row in rows)
        {
            _profiles[row.ProfileId] = row;
        }

        // Every open position and its current shortlist, once per batch.
        var open = await db.Positions.AsNoTracking().Where(p => !p.Closed).ToListAsync(ct);
        var missing = open.Where(p => !_positions.ContainsKey(p.PositionId)).ToList();
        var missingIds = missing.Select(p => p.PositionId).ToList();
        var entries = (await db.ShortlistEntries.AsNoTracking().Where(e => missingIds.Contains(e.PositionId)).ToListAsync(ct))
            .ToLookup(e => e.PositionId);
        foreach (var snapshot in missing)
        {
            _positions[snapshot.PositionId] = new PositionState(snapshot, facts.Position(snapshot),
                entries[snapshot.PositionId].ToDictionary(e => e.ProfileId));
        }

        var states = open.Select(p => _positions[p.PositionId]).ToList();
        var features = new float[MatchFeatures.Count];
        // Every placed profile's recommendations are recomputed below: one delete for the batch, not one per profile.
        var placedIds = rows.Select(r => r.ProfileId).ToArray();
        await db.Recommendations.Where(r => placedIds.Contains(r.ProfileId)).ExecuteDeleteAsync(ct);
        foreach (var profile in rows)
        {
            var profileFacts = facts.Profile(profile);
            var scored = new List<Scored>();
            foreach (var state in states)
            {
                var wasIn = state.Original.TryGetValue(profile.ProfileId, out var before);
                state.Current.Remove(profile.ProfileId);
                if (!CandidateConstraints.Satisfied(profile, state.Snapshot))
                {
                    if (wasIn)
                    {
                        _rerankNext.Add(state.Snapshot.PositionId);
                    }

                    continue;
                }

                facts.Features(profileFacts, state.Facts, features);
                var score = model.Model.Score(features);
                scored.Add(new Scored(state.Snapshot.PositionId, score));
                if (wasIn && score < before!.Score)
                {
                    _rerankNext.Add(state.Snapshot.PositionId);
                }

                state.Current[profile.ProfileId] = score;
            }

            AddRecommendations(profile.ProfileId, scored.OrderByDescending(s => s.Score).Take(options.RecommendationsPerProfile));
        }

        // Profiles that were queued but have no row (never seen) need nothing.
    }

    /// <summary>Writes every changed shortlist with its proposals, expirations and events; returns how many changed.</summary>
    public async Task<int> FlushAsync(CancellationToken ct)
    {
        var changed = 0;
        foreach (var id in _closed)
        {
            changed += await ClosePositionAsync(id, ct) ? 1 : 0;
        }

        foreach (var state in _positions.Values)
        {
            var final = state.Current.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(options.Size)
                .Select((c, i) => (ProfileId: c.Key, Score: c.Value, Rank: i + 1)).ToList();
            var before = state.Original.Values.OrderBy(e => e.Rank).Select(e => (e.ProfileId, e.Score, e.Rank));
            if (final.Select(f => (f.ProfileId, f.Score, f.Rank)).SequenceEqual(before) && state.Original.Values.All(e => e.ModelVersion == model.Version))
            {
                continue;
            }

            changed++;
            await WriteShortlistAsync(state, final, ct);
        }

        foreach (var id in _rerankNext.Except(_closed))
        {
            db.RankingQueue.Add(new RankingQueueItem { Kind = RankingQueueItem.Position, AggregateId = id, EnqueuedAt = _now });
        }

        return changed;
    }

    private async Task WriteShortlistAsync(PositionState state, List<(Guid ProfileId, double Score, int Rank)> final, CancellationToken ct)
    {
        var positionId = state.Snapshot.PositionId;
        await EnsureProfilesLoadedAsync(final.Select(f => f.ProfileId), ct);
        await db.ShortlistEntries.Where(e => e.PositionId == positionId).ExecuteDeleteAsync(ct);

        var newlyIn = final.Where(f => !state.Original.ContainsKey(f.ProfileId)).Select(f => f.ProfileId).ToHashSet();
        var alreadyMatched = await db.Matches.Where(m => m.PositionId == positionId && newlyIn.Contains(m.ProfileId)).Select(m => m.ProfileId).ToListAsync(ct);
        foreach (var (profileId, score, rank) in final)
        {
            var kept = state.Original.TryGetValue(profileId, out var old) && old.Score == score && old.ModelVersion == model.Version;
            float[]? features = null;
            string contributions;
            if (kept)
            {
                contributions = old!.TopContributions;
            }
            else
            {
                features = facts.Features(_profiles[profileId], state.Snapshot);
                contributions = ShortlistRanker.TopContributionsJson(model.Model, features);
            }

            db.ShortlistEntries.Add(new ShortlistEntryRow
            {
                PositionId = positionId, ProfileId = profileId, Rank = rank, Score = score, ModelVersion = model.Version,
                TopContributions = contributions, UpdatedAt = _now,
            });

            if (rank <= options.ProposeTop && newlyIn.Contains(profileId) && !alreadyMatched.Contains(profileId))
            {
                Propose(state.Snapshot, _profiles[profileId], score, rank, features ?? facts.Features(_profiles[profileId], state.Snapshot), contributions);
            }
        }

        await UpsertRecommendationsForAsync(positionId, final, ct);
        await ExpireProposalsAsync(positionId, final.Select(f => f.ProfileId).ToArray(), ct);
        await PublishShortlistAsync(positionId, final, ct);
    }

    private void Propose(PositionSnapshot position, CandidateProfile profile, double score, int rank, float[] features, string contributions)
    {
        var match = new Match
        {
            Id = Guid.CreateVersion7(),
            Version = 1,
            PositionId = position.PositionId,
            ProfileId = profile.ProfileId,
            InstitutionId = position.InstitutionId,
            ResearchFields = position.ResearchFields,
            Score = score,
            BaselineScore = BaselineScorer.Score(profile, position).Score,
            Rank = rank,
            ModelVersion = model.Version,
            Features = features,
            TopContributions = contributions,
            Status = MatchStatus.Proposed,
            ProposedAt = _now,
        };
        db.Matches.Add(match);
        db.Enqueue(new MatchProposed(Guid.NewGuid(), _now, match.Id, match.Version, position.PositionId, profile.ProfileId,
            position.InstitutionId, score, rank, model.Version));
    }

    private async Task<bool> ClosePositionAsync(Guid positionId, CancellationToken ct)
    {
        var removed = await db.ShortlistEntries.Where(e => e.PositionId == positionId).ExecuteDeleteAsync(ct);
        await db.Recommendations.Where(r => r.PositionId == positionId).ExecuteDeleteAsync(ct);
        await ExpireProposalsAsync(positionId, [], ct);
        if (removed > 0)
        {
            await PublishShortlistAsync(positionId, [], ct);
        }

        return removed > 0;
    }

    /// <summary>Proposals still awaiting review whose candidate left the shortlist no longer exist for reviewers.</summary>
    private Task<int> ExpireProposalsAsync(Guid positionId, Guid[] stillListed, CancellationToken ct) =>
        db.Matches
            .Where(m => m.PositionId == positionId && m.Status == MatchStatus.Proposed && !stillListed.Contains(m.ProfileId))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, MatchStatus.Expired).SetProperty(m => m.Version, m => m.Version + 1), ct);

    private async Task PublishShortlistAsync(Guid positionId, List<(Guid ProfileId, double Score, int Rank)> final, CancellationToken ct)
    {
        var version = await db.Database.SqlQuery<long>($"SELECT nextval('shortlist_versions') AS \"Value\"").SingleAsync(ct);
        db.Enqueue(new ShortlistChanged(Guid.NewGuid(), _now, positionId, version, model.Version,
            final.Select(f => new ShortlistEntry(f.ProfileId, f.Rank, f.Score)).ToList()));
    }

    private void AddRecommendations(Guid profileId, IEnumerable<Scored> best)
    {
        _recommendationsRecomputed.Add(profileId);
        foreach (var s in best)
        {
            var features = facts.Features(_profiles[profileId], _positions[s.Id].Snapshot);
            db.Recommendations.Add(new Recommendation
            {
                ProfileId = profileId, PositionId = s.Id, Score = s.Score, ModelVersion = model.Version,
                TopContributions = ShortlistRanker.TopContributionsJson(model.Model, features), UpdatedAt = _now,
            });
        }
    }

    /// <summary>
    /// A full re-rank refreshes the recommendations of the position's shortlisted candidates; each keeps its best
    /// <see cref="ShortlistOptions.RecommendationsPerProfile"/> positions.
    /// </summary>
    private async Task UpsertRecommendationsForAsync(Guid positionId, List<(Guid ProfileId, double Score, int Rank)> final, CancellationToken ct)
    {
        var ids = final.Select(f => f.ProfileId).ToArray();
        // Profiles placed in this batch already have all their recommendations recomputed.
        var fresh = final.Where(f => !_recommendationsRecomputed.Contains(f.ProfileId)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var freshIds = fresh.Select(f => f.ProfileId).ToArray();
        await db.Recommendations.Where(r => r.PositionId == positionId && freshIds.Contains(r.ProfileId)).ExecuteDeleteAsync(ct);
        foreach (var (profileId, score, _) in fresh)
        {
            var state = _positions[positionId];
            var features = facts.Features(_profiles[profileId], state.Snapshot);
            db.Recommendations.Add(new Recommendation
            {
                ProfileId = profileId, PositionId = positionId, Score = score, ModelVersion = model.Version,
                TopContributions = ShortlistRanker.TopContributionsJson(model.Model, features), UpdatedAt = _now,
            });
        }

        await db.SaveChangesAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM recommendations r USING (
                SELECT profile_id, position_id, row_number() OVER (PARTITION BY profile_id ORDER BY score DESC) AS n
                FROM recommendations WHERE profile_id = ANY({ids})) ranked
            WHERE r.profile_id = ranked.profile_id AND r.position_id = ranked.position_id AND ranked.n > {options.RecommendationsPerProfile}
            """, ct);
    }

    private async Task<PositionState> LoadStateAsync(PositionSnapshot snapshot, CancellationToken ct)
    {
        var entries = await db.ShortlistEntries.AsNoTracking().Where(e => e.PositionId == snapshot.PositionId).ToDictionaryAsync(e => e.ProfileId, ct);
        var state = new PositionState(snapshot, facts.Position(snapshot), entries);
        _positions[snapshot.PositionId] = state;
        return state;
    }

    private async Task EnsureProfilesLoadedAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var missing = ids.Where(id => !_profiles.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            foreach (var p in await db.CandidateProfiles.AsNoTracking().Where(p => missing.Contains(p.ProfileId)).ToListAsync(ct))
            {
                _profiles[p.ProfileId] = p;
            }
        }
    }

    /// <summary>Candidate generation in SQL: the hard constraints, and the GIN-indexed overlap of field keys.</summary>
    private IQueryable<CandidateProfile> CandidatePool(PositionSnapshot s)
    {
        var keys = ResearchFieldKeys.QueryKeys(s.ResearchFields);
        return db.CandidateProfiles.AsNoTracking().Where(c =>
            !c.Withdrawn && c.ConsentToMatching
            && c.DegreeLevel >= s.MinimumDegree
            && c.CareerStage >= s.CareerStageMin && c.CareerStage <= s.CareerStageMax
            && (c.EmploymentModes & s.EmploymentMode) != 0
            && c.FieldKeys.Any(k => keys.Contains(k)));
    }
}
