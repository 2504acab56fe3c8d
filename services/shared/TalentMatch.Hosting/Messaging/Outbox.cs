using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using TalentMatch.Contracts;

namespace TalentMatch.Hosting.Messaging;

public static class Outbox
{
    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Adds the event to the outbox of <paramref name="db"/>; it is stored by the same SaveChanges (and so the same
    /// transaction) as the data change, and published by the relay after commit.
    /// </summary>
    public static void Enqueue(this DbContext db, IIntegrationEvent @event)
    {
        var now = DateTimeOffset.UtcNow;
        db.Set<OutboxMessage>().Add(new OutboxMessage
        {
            Id = @event.EventId,
            MessageType = @event.GetType().FullName!,
            Payload = JsonSerializer.Serialize(@event, @event.GetType(), PayloadJson),
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }

    /// <summary>Resolves a stored message type name to its contract type.</summary>
    internal static Type? ResolveType(string messageType) =>
        typeof(IIntegrationEvent).Assembly.GetType(messageType, throwOnError: false);
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
/// Signals the relay after a commit that may have written outbox rows. In <see cref="OutboxMode.Direct"/> (load-driver
/// comparison only) it instead keeps the events out of the database and publishes them right after the commit.
/// </summary>
internal sealed class OutboxCommitInterceptor(OutboxSignal signal) : IDbTransactionInterceptor, ISaveChangesInterceptor
{
    private static readonly ConditionalWeakTable<DbContext, List<OutboxMessage>> Pending = new();

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (signal.DirectPublish is not null && eventData.Context is { } context)
        {
            var added = context.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).ToList();
            if (added.Count > 0)
            {
                var pending = Pending.GetOrCreateValue(context);
                foreach (var entry in added)
                {
                    pending.Add(entry.Entity);
                    entry.State = EntityState.Detached;
                }
            }
        }

        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        SavingChangesAsync(eventData, result).GetAwaiter().GetResult();

    public async Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        signal.Notify();
        await PublishDirectAsync(eventData.Context, cancellationToken);
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
    {
        signal.Notify();
        PublishDirectAsync(eventData.Context, CancellationToken.None).GetAwaiter().GetResult();
    }

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Without an explicit transaction SaveChanges commits by itself.
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            signal.Notify();
            await PublishDirectAsync(eventData.Context, cancellationToken);
        }

        return result;
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    private async Task PublishDirectAsync(DbContext? context, CancellationToken cancellationToken)
    {
        if (signal.DirectPublish is { } publish && context is not null && Pending.TryGetValue(context, out var pending) && pending.Count > 0)
        {
            var events = pending.ToList();
            pending.Clear();
            await publish(events, cancellationToken);
        }
    }

    private static void Discard(DbContext? context)
    {
        if (context is not null && Pending.TryGetValue(context, out var pending))
        {
            pending.Clear();
        }
    }
}
