using System.Diagnostics;
using MassTransit;
using TalentMatch.Hosting.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TalentMatch.Hosting.Messaging;

public sealed class OutboxRelayOptions
{
    /// <summary>Rows claimed and published per round trip.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How often the relay looks for rows when nothing signalled it (other instances, retries).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait before a failed row is tried again; the wait doubles from one second up to this.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long sent rows (and inbox entries) are kept before clean-up.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Longest a batch waits for the broker's confirms. While the broker is down MassTransit waits for the connection;
    /// this bounds how long the claimed rows stay locked before they are recorded as failed and retried later.
    /// </summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><see cref="OutboxMode.Relay"/> (default) or, for the load driver's comparison only, <see cref="OutboxMode.Direct"/>.</summary>
    /// <remarks>In the binary on purpose: the load driver compares the outbox with publish-after-commit on the same release build of the real processes.</remarks>
    public OutboxMode Mode { get; set; } = OutboxMode.Relay;

    /// <summary>Fault-test hook (<c>Outbox__CrashAt=BeforePublish|AfterPublish</c>): the process kills itself there. Off by default.</summary>
    /// <remarks>In the binary on purpose: the fault tests SIGKILL the real service process between commit and publish, which no test-assembly decorator can reach.</remarks>
    public OutboxCrashPoint CrashAt { get; set; } = OutboxCrashPoint.None;
}

/// <summary>
/// Publishes committed outbox rows in creation order with publisher confirms and the mandatory flag, then marks them
/// sent. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so several instances of a service can relay side by side
/// without sending a row twice; a row is only marked sent after the broker confirmed it reached a queue, so a crash
/// or broker outage at any point leads to a re-send (which consumers deduplicate by message id), never to a loss.
/// Mandatory publishing matters on a fresh broker: a message published before any consumer queue is bound is
/// returned instead of silently dropped, and the row stays pending until the consumer's topology exists.
/// </summary>
internal sealed partial class OutboxRelay<TContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    IOptions<OutboxRelayOptions> options,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService where TContext : DbContext
{
    private readonly OutboxRelayOptions _options = options.Value;
    private DateTimeOffset _nextCleanup = DateTimeOffset.UtcNow.AddMinutes(1);
    private DateTimeOffset _nextBacklogSample = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await RelayBatchAsync(stoppingToken);
                failures = 0;
                if (claimed == _options.BatchSize)
                {
                    continue; // more rows are waiting
                }

                if (DateTimeOffset.UtcNow >= _nextCleanup)
                {
                    using var quiet = PlatformTelemetry.Quiet();
                    await CleanUpAsync(stoppingToken);
                }

                await signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Usually the database is unreachable; nothing was marked sent, so back off and try again.
                failures++;
                var delay = Backoff(failures);
                LogRelayFailed(logger, typeof(TContext).Name, delay.TotalSeconds, e);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        // The relay's own statements make no spans (it polls every second); each publish continues its row's trace.
        using var quiet = PlatformTelemetry.Quiet();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var rows = await db.Set<OutboxMessage>()
            .FromSqlRaw(
                $"SELECT * FROM {OutboxModel.OutboxTable} WHERE sent_at IS NULL AND next_attempt_at <= now() " +
                "ORDER BY sequence LIMIT {0} FOR UPDATE SKIP LOCKED", _options.BatchSize)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        await SampleBacklogAsync(db, cancellationToken);
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }

        CrashIf(OutboxCrashPoint.BeforePublish);

        // Publishes are started in sequence order (so they leave on the channel in that order) and confirmed together.
        // The rows stay locked (FOR UPDATE) until the outcome is recorded, so another instance skips them; the wait is
        // bounded by PublishTimeout so a broker outage cannot hold the locks and the connection indefinitely.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, timeout.Token, cancellationToken)));

        if (outcomes.All(o => o is null))
        {
            CrashIf(OutboxCrashPoint.AfterPublish);
        }

        var sent = new List<Guid>(rows.Count);
        var failedIds = new List<Guid>();
        var failedRetryAt = new List<DateTimeOffset>();
        var failedErrors = new List<string>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (outcomes[i] is null)
            {
                sent.Add(rows[i].Id);
                continue;
            }

            // Every failed row gets its own attempt count, back-off and error, whatever happened to the others.
            var row = rows[i];
            var error = Truncate(outcomes[i]!.GetType().Name + ": " + outcomes[i]!.Message, 2000);
            failedIds.Add(row.Id);
            failedRetryAt.Add(DateTimeOffset.UtcNow + Backoff(row.Attempts + 1));
            failedErrors.Add(error);
            if (failedIds.Count <= 3)
            {
                LogPublishFailed(logger, row.MessageType, row.Id, row.Attempts + 1, error);
            }
        }

        if (failedIds.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                UPDATE outbox_messages o SET attempts = o.attempts + 1, next_attempt_at = f.retry_at, last_error = f.error
                FROM unnest({failedIds.ToArray()}, {failedRetryAt.ToArray()}, {failedErrors.ToArray()}) AS f(id, retry_at, error)
                WHERE o.id = f.id
                """, cancellationToken);
            LogBatchFailures(logger, failedIds.Count, rows.Count, typeof(TContext).Name);
        }

        if (sent.Count > 0)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE outbox_messages SET sent_at = now(), last_error = NULL WHERE id = ANY({sent.ToArray()})",
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (sent.Count > 0)
        {
            LogPublished(logger, sent.Count, typeof(TContext).Name);
        }

        return rows.Count;
    }

    private async Task<Exception?> PublishAsync(OutboxMessage row, CancellationToken publishToken, CancellationToken stoppingToken)
    {
        // A span in the trace of the request that wrote the row; MassTransit's publish span (and the broker headers
        // that carry the trace to the consumers) hang under it.
        using var traced = PlatformTelemetry.Traced();
        using var activity = PlatformTelemetry.Source.StartActivity("outbox publish " + ShortName(row.MessageType), ActivityKind.Internal,
            PlatformTelemetry.Parse(row.TraceParent));
        activity?.SetTag("messaging.message.id", row.Id);
        try
        {
            await OutboxPublisher.PublishAsync(bus, row, publishToken);
            return null;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // MessageReturnedException (no queue bound), a broker outage, or the publish timeout: recorded per row.
            return e is OperationCanceledException
                ? new TimeoutException($"No broker confirm within {_options.PublishTimeout.TotalSeconds:0.#} s.")
                : e;
        }
    }

    private void CrashIf(OutboxCrashPoint point)
    {
        if (_options.CrashAt == point && point != OutboxCrashPoint.None)
        {
            LogCrashInjected(logger, point);
            // SIGKILL ourselves: no shutdown, no rollback message, no flush, exactly like a power cut of the process.
            System.Diagnostics.Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    private async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        _nextCleanup = DateTimeOffset.UtcNow.AddMinutes(10);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var cutoff = DateTimeOffset.UtcNow - _options.Retention;
        var removed = await db.Database.ExecuteSqlAsync(
            $"DELETE FROM outbox_messages WHERE sent_at < {cutoff}", cancellationToken);
        // Inbox entries older than the retention cannot meet a redelivery any more (the outbox row is gone too).
        removed += await db.Database.ExecuteSqlAsync(
            $"DELETE FROM inbox_messages WHERE processed_at < {cutoff}", cancellationToken);
        if (removed > 0)
        {
            LogCleanedUp(logger, removed, typeof(TContext).Name);
        }
    }

    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(attempt - 1, 16)), _options.MaxBackoff.TotalSeconds));

    private static string ShortName(string messageType) => messageType[(messageType.LastIndexOf('.') + 1)..];

    /// <summary>
    /// Pending rows and the age of the oldest, for the backlog gauges; read at most every few seconds, in the poll's
    /// transaction (the pending index makes it cheap).
    /// </summary>
    private async Task SampleBacklogAsync(TContext db, CancellationToken ct)
    {
        if (DateTimeOffset.UtcNow < _nextBacklogSample)
        {
            return;
        }

        _nextBacklogSample = DateTimeOffset.UtcNow.AddSeconds(5);
        var backlog = await db.Database.SqlQuery<OutboxBacklog>($"""
            SELECT count(*) AS "Pending", coalesce(extract(epoch FROM now() - min(created_at)), 0)::double precision AS "OldestSeconds"
            FROM outbox_messages WHERE sent_at IS NULL
            """).SingleAsync(ct);
        PlatformMetrics.RecordOutbox(backlog);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(Level = LogLevel.Debug, Message = "Published {Count} outbox message(s) of {Context}")]
    private static partial void LogPublished(ILogger logger, int count, string context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {MessageType} {MessageId} failed (attempt {Attempt}); will retry: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string messageType, Guid messageId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay of {Context} failed; retrying in {Seconds} s")]
    private static partial void LogRelayFailed(ILogger logger, string context, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failed} of {Count} outbox message(s) of {Context} could not be published; they stay pending")]
    private static partial void LogBatchFailures(ILogger logger, int failed, int count, string context);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Outbox crash injection at {Point}: killing the process (Outbox:CrashAt is a fault-test hook)")]
    private static partial void LogCrashInjected(ILogger logger, OutboxCrashPoint point);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} sent outbox message(s) and inbox entries of {Context} past retention")]
    private static partial void LogCleanedUp(ILogger logger, int count, string context);
}
