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

    /// <summary>
    /// Positions ranked in full per batch: a batch ends before the queued position after this many, so a burst of
    /// new positions is committed (and visible) in steps rather than in one long transaction at the end.
    /// </summary>
    public int PositionsPerBatch { get; set; } = 100;

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
    ShortlistWorkerStats stats,
    IOptions<ShortlistOptions> options,
    ILogger<ShortlistWorker> logger) : BackgroundService
{
    private const long AdvisoryLockKey = 0x54_4D_53_48_4F_52_54; // "TMSHORT"
    private readonly ShortlistOptions _options = options.Value;
    private readonly ShortlistRanker _ranker = new(facts);
    private bool _waitingLogged;
    private DateTimeOffset _nextQueueSample = DateTimeOffset.MinValue;

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
        var started = DateTimeOffset.UtcNow;
        List<RankingQueueItem> items;
        // The worker's statements make no spans (it polls several times a second); the batch reports its own below.
        using (PlatformTelemetry.Quiet())
        {
            await SampleQueueAsync(ct);
            items = await RankBatchAsync(ct);
        }

        TraceBatch(items, started);
        return items.Count;
    }

    /// <summary>
    /// One span per batch, linked to what queued its items, and in the trace of each item that carries one a
    /// "shortlist update" span from the batch's start to its commit: the last step of the request that caused it.
    /// </summary>
    private static void TraceBatch(List<RankingQueueItem> items, DateTimeOffset started)
    {
        if (items.Count == 0 || !PlatformTelemetry.Source.HasListeners())
        {
            return;
        }

        var traced = items.Where(i => i.TraceParent is not null).DistinctBy(i => i.TraceParent).Take(256).ToList();
        using (var batch = PlatformTelemetry.StartBatch("shortlist batch", traced.Select(i => PlatformTelemetry.Parse(i.TraceParent)), items.Count))
        {
            batch?.SetStartTime(started.UtcDateTime);
        }

        foreach (var item in traced)
        {
            using var update = PlatformTelemetry.Source.StartActivity("shortlist update", ActivityKind.Internal, PlatformTelemetry.Parse(item.TraceParent),
                tags: [new("talentmatch.ranking.kind", item.Kind), new("talentmatch.ranking.aggregate_id", item.AggregateId)], startTime: started);
        }
    }

    /// <summary>The queue's length and the age of its oldest row (shortlist staleness), read at most every few seconds.</summary>
    private async Task SampleQueueAsync(CancellationToken ct)
    {
        if (DateTimeOffset.UtcNow < _nextQueueSample)
        {
            return;
        }

        _nextQueueSample = DateTimeOffset.UtcNow.AddSeconds(5);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        var queue = await db.Database.SqlQuery<QueueSample>($"""
            SELECT count(*) AS "Length", coalesce(extract(epoch FROM now() - min(enqueued_at)), 0)::double precision AS "OldestSeconds"
            FROM ranking_queue
            """).SingleAsync(ct);
        PlatformMetrics.RecordRankingQueue(queue.Length, queue.OldestSeconds);
    }

    private sealed record QueueSample(long Length, double OldestSeconds);

    private async Task<List<RankingQueueItem>> RankBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        // A batch only adds entities; scanning thousands of tracked ones for changes at every SaveChanges is waste.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({AdvisoryLockKey}) AS \"Value\"").SingleAsync(ct);
        if (!locked)
        {
            return [];
        }

        var model = await champion.RefreshAsync(db, ct);
        if (model is not null)
        {
            PlatformMetrics.RecordModelVersion(model.Version);
        }

        if (model is null)
        {
            if (!_waitingLogged)
            {
                LogWaitingForModel(logger);
                _waitingLogged = true;
            }

            return [];
        }

        // The oldest rows, up to BatchSize, stopping before the (PositionsPerBatch + 1)th position row.
        var items = await db.RankingQueue
            .FromSql($"""
                DELETE FROM ranking_queue WHERE id IN (
                    SELECT id FROM (
                        SELECT id, count(*) FILTER (WHERE kind = {RankingQueueItem.Position}) OVER (ORDER BY id) AS positions
                        FROM (SELECT id, kind FROM ranking_queue ORDER BY id LIMIT {_options.BatchSize}) oldest) counted
                    WHERE positions <= {_options.PositionsPerBatch})
                RETURNING *
                """)
            .AsNoTracking().ToListAsync(ct);
        if (items.Count == 0)
        {
            return [];
        }

        var clock = Stopwatch.StartNew();
        var batch = new RankingBatch(db, model, facts, _ranker, _options);
        var positions = items.Where(i => i.Kind == RankingQueueItem.Position).Select(i => i.AggregateId).Distinct().ToList();
        var profiles = items.Where(i => i.Kind == RankingQueueItem.Profile).Select(i => i.AggregateId).Distinct().ToList();
        await batch.RankPositionsAsync(positions, ct);
        var ranked = clock.Elapsed;
        await batch.PlaceProfilesAsync(profiles, ct);
        var placed = clock.Elapsed;
        var changed = await batch.FlushAsync(ct);
        await db.SaveChangesAsync(ct);
        var written = clock.Elapsed;
        stats.Add(batch);
        await transaction.CommitAsync(ct);
        LogBatch(logger, items.Count, positions.Count, profiles.Count, changed, batch.PositionsLoaded, batch.EntriesLoaded, batch.PairsScored,
            model.Version, clock.Elapsed.TotalMilliseconds, ranked.TotalMilliseconds, (placed - ranked).TotalMilliseconds, (written - placed).TotalMilliseconds);
        return items;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ranked a batch of {Items} queued change(s) ({Positions} position(s), {Profiles} profile(s)): {Changed} shortlist(s) changed; loaded {PositionsLoaded} position(s) and {EntriesLoaded} shortlist entries, scored {Pairs} pair(s); model v{Model}, {Milliseconds:0} ms (rank {RankMs:0}, place {PlaceMs:0}, write {WriteMs:0})")]
    private static partial void LogBatch(ILogger logger, int items, int positions, int profiles, int changed, int positionsLoaded, int entriesLoaded, int pairs, int model,
        double milliseconds, double rankMs, double placeMs, double writeMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ranking batch failed; it will be retried")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "No champion ranking model yet; shortlists wait for the cold-start model")]
    private static partial void LogWaitingForModel(ILogger logger);
}

/// <summary>
/// What the shortlist worker has read and written, summed over its batches: counts, not timings, so tests can check
/// that a batch reads only what its changed items need. Updated before each batch commits.
/// </summary>
public sealed class ShortlistWorkerStats
{
    private long _batches, _positionsLoaded, _entriesLoaded, _pairsScored, _shortlistsWritten;

    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Position read-model rows the batches loaded.</summary>
    public long PositionsLoaded => Interlocked.Read(ref _positionsLoaded);

    /// <summary>Stored shortlist entries the batches loaded (the "before" of the shortlists they touched).</summary>
    public long EntriesLoaded => Interlocked.Read(ref _entriesLoaded);

    /// <summary>Profile–position pairs scored by the model.</summary>
    public long PairsScored => Interlocked.Read(ref _pairsScored);

    /// <summary>Shortlists rewritten (changed).</summary>
    public long ShortlistsWritten => Interlocked.Read(ref _shortlistsWritten);

    internal void Add(RankingBatch batch)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _positionsLoaded, batch.PositionsLoaded);
        Interlocked.Add(ref _entriesLoaded, batch.EntriesLoaded);
        Interlocked.Add(ref _pairsScored, batch.PairsScored);
        Interlocked.Add(ref _shortlistsWritten, batch.ShortlistsWritten);
    }
}

/// <summary>
/// The in-memory state of one ranking batch: the shortlists it touches, before and after. It reads only what the
/// batch's items need (the positions queued, and for each queued profile the open positions it qualifies for or is
/// listed in, with those positions' stored entries) and writes every changed shortlist with a fixed number of
/// statements for the whole batch, so the cost of a batch grows with what changed, not with the number of positions.
/// </summary>
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

    /// <summary>A profile and an open position it may qualify for or is listed in (candidate generation in SQL).</summary>
    private sealed class ProfilePosition
    {
        public Guid ProfileId { get; set; }
        public Guid PositionId { get; set; }
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

    public async Task RankPositionsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var snapshots = await db.Positions.AsNoTracking().Where(p => ids.Contains(p.PositionId)).ToListAsync(ct);
        PositionsLoaded += snapshots.Count;
        _closed.UnionWith(snapshots.Where(s => s.Closed).Select(s => s.PositionId));
        var open = snapshots.Where(s => !s.Closed).ToList();
        await LoadStatesAsync(open, ct);
        foreach (var snapshot in open)
        {
            var state = _positions[snapshot.PositionId];
            // Pools of positions in one batch overlap: ids and versions first, rows only for profiles not yet held.
            var pool = await CandidatePool(snapshot).Select(c => new { c.ProfileId, c.Version }).ToListAsync(ct);
            var missing = pool.Where(c => !_profiles.TryGetValue(c.ProfileId, out var known) || known.Version != c.Version).Select(c => c.ProfileId).ToArray();
            if (missing.Length > 0)
            {
                foreach (var row in await db.CandidateProfiles.AsNoTracking().Where(c => missing.Contains(c.ProfileId)).ToListAsync(ct))
                {
                    Remember(row);
                }
            }

            var scored = new List<(Guid, ProfileFacts)>(pool.Count);
            // A profile that changed since the pool query is queued itself and placed by its own item.
            foreach (var c in pool.Where(c => _profiles.TryGetValue(c.ProfileId, out var held) && held.Version == c.Version))
            {
                scored.Add((c.ProfileId, ProfileFactsOf(c.ProfileId)));
            }

            PairsScored += scored.Count;
            var best = ranker.RankPosition(state.Facts, scored, model.Model, options.Size);
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

        var idArray = ids.ToArray();
        var rows = await db.CandidateProfiles.AsNoTracking().Where(p => idArray.Contains(p.ProfileId)).ToListAsync(ct);
        foreach (var row in rows)
        {
            Remember(row);
        }

        // Only the open positions a profile passes the hard constraints for (the same rules as CandidateConstraints,
        // with the position's field keys cut as ResearchFieldKeys.QueryKeys cuts them), and those whose shortlist lists
        // it now (it may have to leave). Every other position is untouched by this profile.
        // Joined on the field keys themselves (a hash join of a few keys per row), not by testing every profile
        // against every position: with a thousand open positions that was two million array comparisons a batch.
        var pairs = await db.Database.SqlQuery<ProfilePosition>($"""
            WITH p AS MATERIALIZED (
                SELECT DISTINCT position_id, minimum_degree, career_stage_min, career_stage_max, employment_mode,
                    CASE WHEN strpos(f, '.') > 0 THEN split_part(f, '.', 1) || '.' || split_part(f, '.', 2) ELSE f END AS key
                FROM positions, unnest(research_fields) AS f WHERE NOT closed),
            c AS MATERIALIZED (
                SELECT profile_id, degree_level, career_stage, employment_modes, unnest(field_keys) AS key
                FROM candidate_profiles WHERE profile_id = ANY({idArray}) AND NOT withdrawn AND consent_to_matching)
            SELECT c.profile_id AS "ProfileId", p.position_id AS "PositionId"
            FROM c JOIN p ON p.key = c.key
            WHERE c.degree_level >= p.minimum_degree AND c.career_stage BETWEEN p.career_stage_min AND p.career_stage_max
                AND (c.employment_modes & p.employment_mode) <> 0
            UNION
            SELECT e.profile_id, e.position_id
            FROM shortlist_entries e JOIN positions o ON o.position_id = e.position_id AND NOT o.closed
            WHERE e.profile_id = ANY({idArray})
            """).ToListAsync(ct);

        var missing = pairs.Select(p => p.PositionId).Distinct().Where(id => !_positions.ContainsKey(id)).ToArray();
        if (missing.Length > 0)
        {
            var snapshots = await db.Positions.AsNoTracking().Where(p => missing.Contains(p.PositionId) && !p.Closed).ToListAsync(ct);
            PositionsLoaded += snapshots.Count;
            await LoadStatesAsync(snapshots, ct);
        }

        var positionsOf = pairs.Where(p => _positions.ContainsKey(p.PositionId)).ToLookup(p => p.ProfileId, p => _positions[p.PositionId]);
        var features = new float[MatchFeatures.Count];
        // Every placed profile's recommendations are recomputed below: one delete for the batch, not one per profile.
        var placedIds = rows.Select(r => r.ProfileId).ToArray();
        await db.Recommendations.Where(r => placedIds.Contains(r.ProfileId)).ExecuteDeleteAsync(ct);
        foreach (var profile in rows)
        {
            var profileFacts = ProfileFactsOf(profile.ProfileId);
            var scored = new List<Scored>();
            foreach (var state in positionsOf[profile.ProfileId])
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
                PairsScored++;
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

        var written = new List<(PositionState State, List<(Guid ProfileId, double Score, int Rank)> Final)>();
        foreach (var state in _positions.Values)
        {
            var final = state.Current.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(options.Size)
                .Select((c, i) => (ProfileId: c.Key, Score: c.Value, Rank: i + 1)).ToList();
            var before = state.Original.Values.OrderBy(e => e.Rank).Select(e => (e.ProfileId, e.Score, e.Rank));
            if (final.SequenceEqual(before) && state.Original.Values.All(e => e.ModelVersion == model.Version))
            {
                continue;
            }

            written.Add((state, final));
        }

        if (written.Count > 0)
        {
            await WriteShortlistsAsync(written, ct);
        }
        else
        {
            await CopyRowsAsync(ct);
        }

        foreach (var id in _rerankNext.Except(_closed))
        {
            db.RankingQueue.Add(new RankingQueueItem { Kind = RankingQueueItem.Position, AggregateId = id, EnqueuedAt = _now });
        }

        ShortlistsWritten = written.Count;
        return changed + written.Count;
    }

    /// <summary>
    /// The changed shortlists of the batch, together: their entries replaced, new top entries proposed, the
    /// recommendations of their candidates refreshed, proposals of candidates who left expired, one event each.
    /// </summary>
    private async Task WriteShortlistsAsync(List<(PositionState State, List<(Guid ProfileId, double Score, int Rank)> Final)> written, CancellationToken ct)
    {
        var positionIds = written.Select(w => w.State.Snapshot.PositionId).ToArray();
        await EnsureProfilesLoadedAsync(written.SelectMany(w => w.Final.Select(f => f.ProfileId)), ct);

        // Entries new to a shortlist's top are proposed, unless the pair was proposed before (a match is never repeated).
        var proposable = written.SelectMany(w => w.Final
            .Where(f => f.Rank <= options.ProposeTop && !w.State.Original.ContainsKey(f.ProfileId))
            .Select(f => (w.State.Snapshot.PositionId, f.ProfileId))).ToHashSet();
        if (proposable.Count > 0)
        {
            var candidateIds = proposable.Select(p => p.ProfileId).Distinct().ToArray();
            var proposedPositions = proposable.Select(p => p.PositionId).Distinct().ToArray();
            var alreadyMatched = await db.Matches.Where(m => proposedPositions.Contains(m.PositionId) && candidateIds.Contains(m.ProfileId))
                .Select(m => new { m.PositionId, m.ProfileId }).ToListAsync(ct);
            proposable.ExceptWith(alreadyMatched.Select(m => (m.PositionId, m.ProfileId)));
        }

        // Only what changed is written: an entry kept with the same score and model only moves rank; a new or rescored
        // one is replaced; one no longer listed is removed. A new profile at rank 3 touches ~50 rows, not 100.
        var removedPositions = new List<Guid>();
        var removedProfiles = new List<Guid>();
        var movedPositions = new List<Guid>();
        var movedProfiles = new List<Guid>();
        var movedRanks = new List<int>();
        var refreshedProfiles = new List<Guid>();
        var refreshedPositions = new List<Guid>();
        foreach (var (state, final) in written)
        {
            var positionId = state.Snapshot.PositionId;
            var listed = final.Select(f => f.ProfileId).ToHashSet();
            foreach (var gone in state.Original.Keys.Where(id => !listed.Contains(id)))
            {
                removedPositions.Add(positionId);
                removedProfiles.Add(gone);
            }

            foreach (var (profileId, score, rank) in final)
            {
                var wasListed = state.Original.TryGetValue(profileId, out var old);
                if (wasListed && old!.Score == score && old.ModelVersion == model.Version)
                {
                    if (old.Rank != rank)
                    {
                        movedPositions.Add(positionId);
                        movedProfiles.Add(profileId);
                        movedRanks.Add(rank);
                    }

                    continue;
                }

                if (wasListed)
                {
                    removedPositions.Add(positionId);
                    removedProfiles.Add(profileId);
                }

                var (features, contributions) = Explained(state, profileId);
                _entryRows.Add(new ShortlistEntryRow
                {
                    PositionId = positionId, ProfileId = profileId, Rank = rank, Score = score, ModelVersion = model.Version,
                    TopContributions = contributions, UpdatedAt = _now,
                });

                if (proposable.Contains((positionId, profileId)))
                {
                    Propose(state.Snapshot, _profiles[profileId], score, rank, features, contributions);
                }

                // The candidate's recommendation for this position follows the new score (profiles placed in this
                // batch already have all their recommendations recomputed).
                if (!_recommendationsRecomputed.Contains(profileId))
                {
                    refreshedProfiles.Add(profileId);
                    refreshedPositions.Add(positionId);
                    _recommendationRows.Add(new Recommendation
                    {
                        ProfileId = profileId, PositionId = positionId, Score = score, ModelVersion = model.Version,
                        TopContributions = contributions, UpdatedAt = _now,
                    });
                }
            }
        }

        if (removedPositions.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                DELETE FROM shortlist_entries e USING unnest({removedPositions.ToArray()}, {removedProfiles.ToArray()}) AS f(position_id, profile_id)
                WHERE e.position_id = f.position_id AND e.profile_id = f.profile_id
                """, ct);
        }

        if (movedPositions.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                UPDATE shortlist_entries e SET rank = f.rank, updated_at = {_now}
                FROM unnest({movedPositions.ToArray()}, {movedProfiles.ToArray()}, {movedRanks.ToArray()}) AS f(position_id, profile_id, rank)
                WHERE e.position_id = f.position_id AND e.profile_id = f.profile_id
                """, ct);
        }

        if (refreshedProfiles.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                DELETE FROM recommendations r USING unnest({refreshedProfiles.ToArray()}, {refreshedPositions.ToArray()}) AS f(profile_id, position_id)
                WHERE r.profile_id = f.profile_id AND r.position_id = f.position_id
                """, ct);
        }

        await CopyRowsAsync(ct);
        await db.SaveChangesAsync(ct);
        if (refreshedProfiles.Count > 0)
        {
            // Each researcher keeps their best RecommendationsPerProfile positions.
            var ids = refreshedProfiles.Distinct().ToArray();
            await db.Database.ExecuteSqlAsync($"""
                DELETE FROM recommendations r USING (
                    SELECT profile_id, position_id, row_number() OVER (PARTITION BY profile_id ORDER BY score DESC) AS n
                    FROM recommendations WHERE profile_id = ANY({ids})) ranked
                WHERE r.profile_id = ranked.profile_id AND r.position_id = ranked.position_id AND ranked.n > {options.RecommendationsPerProfile}
                """, ct);
        }

        // Proposals still awaiting review whose candidate is no longer listed no longer exist for reviewers.
        await db.Matches
            .Where(m => positionIds.Contains(m.PositionId) && m.Status == MatchStatus.Proposed
                        && !db.ShortlistEntries.Any(e => e.PositionId == m.PositionId && e.ProfileId == m.ProfileId))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, MatchStatus.Expired).SetProperty(m => m.Version, m => m.Version + 1), ct);

        var versions = await db.Database.SqlQuery<long>($"SELECT nextval('shortlist_versions') AS \"Value\" FROM generate_series(1, {written.Count})").ToListAsync(ct);
        for (var i = 0; i < written.Count; i++)
        {
            var (state, final) = written[i];
            db.Enqueue(new ShortlistChanged(Guid.NewGuid(), _now, state.Snapshot.PositionId, versions[i], model.Version,
                final.Select(f => new ShortlistEntry(f.ProfileId, f.Rank, f.Score)).ToList()));
        }
    }

    /// <summary>
    /// Stores the batch's shortlist entries and recommendations by binary COPY in the batch's transaction: tens of
    /// thousands of rows after a burst, which EF's change tracker and one INSERT per row made the slowest part.
    /// </summary>
    private async Task CopyRowsAsync(CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (_entryRows.Count > 0)
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY shortlist_entries (position_id, profile_id, rank, score, model_version, top_contributions, updated_at) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var e in _entryRows)
            {
                // Synchronous writes: the rows are in memory already, and the async ones allocate a task per value.
                copy.StartRow();
                copy.Write(e.PositionId, NpgsqlDbType.Uuid);
                copy.Write(e.ProfileId, NpgsqlDbType.Uuid);
                copy.Write(e.Rank, NpgsqlDbType.Integer);
                copy.Write(e.Score, NpgsqlDbType.Double);
                copy.Write(e.ModelVersion, NpgsqlDbType.Integer);
                copy.Write(e.TopContributions, NpgsqlDbType.Jsonb);
                copy.Write(e.UpdatedAt, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync(ct);
            _entryRows.Clear();
        }

        if (_recommendationRows.Count > 0)
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY recommendations (profile_id, position_id, score, model_version, top_contributions, updated_at) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var r in _recommendationRows)
            {
                copy.StartRow();
                copy.Write(r.ProfileId, NpgsqlDbType.Uuid);
                copy.Write(r.PositionId, NpgsqlDbType.Uuid);
                copy.Write(r.Score, NpgsqlDbType.Double);
                copy.Write(r.ModelVersion, NpgsqlDbType.Integer);
                copy.Write(r.TopContributions, NpgsqlDbType.Jsonb);
                copy.Write(r.UpdatedAt, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync(ct);
            _recommendationRows.Clear();
        }
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
        await db.Matches.Where(m => m.PositionId == positionId && m.Status == MatchStatus.Proposed)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, MatchStatus.Expired).SetProperty(m => m.Version, m => m.Version + 1), ct);
        if (removed > 0)
        {
            var version = await db.Database.SqlQuery<long>($"SELECT nextval('shortlist_versions') AS \"Value\"").SingleAsync(ct);
            db.Enqueue(new ShortlistChanged(Guid.NewGuid(), _now, positionId, version, model.Version, []));
        }

        return removed > 0;
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

    /// <summary>Keeps the row, and its encoded facts unless the row is the same version as one already held.</summary>
    private void Remember(CandidateProfile row)
    {
        if (!_profiles.TryGetValue(row.ProfileId, out var known) || known.Version != row.Version || known.Withdrawn != row.Withdrawn)
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
