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
