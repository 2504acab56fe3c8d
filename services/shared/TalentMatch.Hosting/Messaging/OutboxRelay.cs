using System.Text.Json;
using MassTransit;
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
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var rows = await db.Set<OutboxMessage>()
            .FromSqlRaw(
                $"SELECT * FROM {OutboxModel.OutboxTable} WHERE sent_at IS NULL AND next_attempt_at <= now() " +
                "ORDER BY sequence LIMIT {0} FOR UPDATE SKIP LOCKED", _options.BatchSize)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }

        // Publishes are started in sequence order (so they leave on the channel in that order) and confirmed together.
        var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, cancellationToken)));

        var sent = new List<Guid>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            if (outcomes[i] is null)
            {
                sent.Add(rows[i].Id);
                continue;
            }

            var row = rows[i];
            var retryAt = DateTimeOffset.UtcNow + Backoff(row.Attempts + 1);
            var error = Truncate(outcomes[i]!.GetType().Name + ": " + outcomes[i]!.Message, 2000);
            LogPublishFailed(logger, row.MessageType, row.Id, row.Attempts + 1, error);
            await db.Database.ExecuteSqlAsync(
                $"UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at = {retryAt}, last_error = {error} WHERE id = {row.Id}",
                cancellationToken);
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

    private async Task<Exception?> PublishAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        try
        {
            var type = Outbox.ResolveType(row.MessageType)
                ?? throw new InvalidOperationException($"Unknown message type '{row.MessageType}'.");
            var message = JsonSerializer.Deserialize(row.Payload, type, Outbox.PayloadJson)
                ?? throw new InvalidOperationException("Empty payload.");
            await bus.Publish(message, type, context =>
            {
                context.MessageId = row.Id;
                if (context.TryGetPayload(out RabbitMqSendContext? rabbit))
                {
                    rabbit.Mandatory = true;
                }
            }, cancellationToken);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return e;
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
        if (removed > 0)
        {
            LogCleanedUp(logger, removed, typeof(TContext).Name);
        }
    }

    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(attempt - 1, 16)), _options.MaxBackoff.TotalSeconds));

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(Level = LogLevel.Debug, Message = "Published {Count} outbox message(s) of {Context}")]
    private static partial void LogPublished(ILogger logger, int count, string context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {MessageType} {MessageId} failed (attempt {Attempt}); will retry: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string messageType, Guid messageId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay of {Context} failed; retrying in {Seconds} s")]
    private static partial void LogRelayFailed(ILogger logger, string context, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} sent outbox message(s) of {Context} past retention")]
    private static partial void LogCleanedUp(ILogger logger, int count, string context);
}
