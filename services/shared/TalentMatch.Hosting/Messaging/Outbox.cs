using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using TalentMatch.Contracts;
using TalentMatch.Hosting.Observability;

namespace TalentMatch.Hosting.Messaging;

public static class Outbox
{
    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Adds the event to the outbox of <paramref name="db"/>; it is stored by the same SaveChanges (and so the same
    /// transaction) as the data change, and published by the relay after commit.
    /// </summary>
    public static void Enqueue(this DbContext db, IIntegrationEvent @event) =>
        db.Set<OutboxMessage>().Add(ToMessage(@event, DateTimeOffset.UtcNow, PlatformTelemetry.CurrentTraceParent()));

    /// <summary>
    /// Writes the events' outbox rows by binary COPY on <paramref name="connection"/>, inside the caller's transaction:
    /// for code that stores its data with hand-written SQL rather than a SaveChanges (bulk import, group commit). After
    /// the commit, call <see cref="CommittedAsync"/>.
    /// </summary>
    public static async Task CopyAsync(NpgsqlConnection connection, OutboxSignal signal, IReadOnlyList<TracedEvent> events, CancellationToken ct)
    {
        if (signal.DirectPublish is not null || events.Count == 0)
        {
            return; // Direct mode: published by CommittedAsync instead
        }

        var now = DateTimeOffset.UtcNow;
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY {OutboxModel.OutboxTable} (id, message_type, payload, created_at, attempts, next_attempt_at, trace_parent) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var traced in events)
        {
            var row = ToMessage(traced.Event, now, traced.TraceParent);
            // Synchronous writes: Npgsql's async ones allocate a task per value, and the rows are in memory already.
            copy.StartRow();
            copy.Write(row.Id, NpgsqlDbType.Uuid);
            copy.Write(row.MessageType, NpgsqlDbType.Text);
            copy.Write(row.Payload, NpgsqlDbType.Jsonb);
            copy.Write(row.CreatedAt, NpgsqlDbType.TimestampTz);
            copy.Write(row.Attempts, NpgsqlDbType.Integer);
            copy.Write(row.NextAttemptAt, NpgsqlDbType.TimestampTz);
            if (row.TraceParent is null)
            {
                copy.WriteNull();
            }
            else
            {
                copy.Write(row.TraceParent, NpgsqlDbType.Text);
            }
        }

        await copy.CompleteAsync(ct);
    }

    /// <summary>After the commit of rows written by <see cref="CopyAsync"/>: wakes the relay (or, in Direct mode, publishes).</summary>
    public static Task CommittedAsync(OutboxSignal signal, IReadOnlyList<TracedEvent> events, CancellationToken ct)
    {
        if (signal.DirectPublish is { } publish)
        {
            var now = DateTimeOffset.UtcNow;
            return publish(events.Select(e => ToMessage(e.Event, now, e.TraceParent)).ToList(), ct);
        }

        signal.Notify();
        return Task.CompletedTask;
    }

    private static OutboxMessage ToMessage(IIntegrationEvent @event, DateTimeOffset now, string? traceParent) => new()
    {
        TraceParent = traceParent,
        Id = @event.EventId,
        MessageType = @event.GetType().FullName!,
        Payload = JsonSerializer.Serialize(@event, @event.GetType(), PayloadJson),
        CreatedAt = now,
        NextAttemptAt = now,
    };

    /// <summary>Resolves a stored message type name to its contract type.</summary>
    internal static Type? ResolveType(string messageType) =>
        typeof(IIntegrationEvent).Assembly.GetType(messageType, throwOnError: false);
}

/// <summary>
/// An event with the trace it belongs to, for writers that store events away from the request that made them (group
/// commit, bulk import): capture with <see cref="Current"/> in the request, write later.
/// </summary>
public readonly record struct TracedEvent(IIntegrationEvent Event, string? TraceParent)
{
    public static TracedEvent Current(IIntegrationEvent @event) => new(@event, PlatformTelemetry.CurrentTraceParent());
}

/// <summary>Wakes the relay as soon as new outbox rows are committed, so publishing does not wait for the next poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread signalled at the same moment; one wake-up is enough.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    /// <summary>Set only in <see cref="OutboxMode.Direct"/>: publishes a committed SaveChanges' events in the request.</summary>
    internal Func<IReadOnlyList<OutboxMessage>, CancellationToken, Task>? DirectPublish { get; set; }
}

/// <summary>
/// Signals the relay after a commit that wrote outbox rows, and only then: the relay's own transactions (and every
/// other one) must not wake it, or an idle relay would poll in a busy loop. In <see cref="OutboxMode.Direct"/>
/// (load-driver comparison only) it instead keeps the events out of the database and publishes them right after the
/// commit.
/// </summary>
internal sealed class OutboxCommitInterceptor(OutboxSignal signal) : IDbTransactionInterceptor, ISaveChangesInterceptor
{
    private static readonly ConditionalWeakTable<DbContext, PendingEvents> Pending = new();

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            var added = context.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).ToList();
            if (added.Count > 0)
            {
                var pending = Pending.GetOrCreateValue(context);
                pending.Written = true;
                if (signal.DirectPublish is not null)
                {
                    foreach (var entry in added)
                    {
                        pending.Direct.Add(entry.Entity);
                        entry.State = EntityState.Detached;
                    }
                }
            }
        }

        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        SavingChangesAsync(eventData, result).GetAwaiter().GetResult();

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        CommittedAsync(eventData.Context, cancellationToken);

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) =>
        CommittedAsync(eventData.Context, CancellationToken.None).GetAwaiter().GetResult();

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context);

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Without an explicit transaction SaveChanges commits by itself.
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            await CommittedAsync(eventData.Context, cancellationToken);
        }

        return result;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result) =>
        SavedChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(eventData.Context);

    private async Task CommittedAsync(DbContext? context, CancellationToken cancellationToken)
    {
        if (context is null || !Pending.TryGetValue(context, out var pending) || !pending.Written)
        {
            return;
        }

        pending.Written = false;
        signal.Notify();
        if (signal.DirectPublish is { } publish && pending.Direct.Count > 0)
        {
            var events = pending.Direct.ToList();
            pending.Direct.Clear();
            await publish(events, cancellationToken);
        }
    }

    private static void Discard(DbContext? context)
    {
        if (context is not null && Pending.TryGetValue(context, out var pending))
        {
            pending.Written = false;
            pending.Direct.Clear();
        }
    }

    private sealed class PendingEvents
    {
        public bool Written { get; set; }
        public List<OutboxMessage> Direct { get; } = [];
    }
}
