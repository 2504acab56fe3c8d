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
}

/// <summary>Signals the relay after a commit that may have written outbox rows.</summary>
internal sealed class OutboxCommitInterceptor(OutboxSignal signal) : IDbTransactionInterceptor, ISaveChangesInterceptor
{
    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        signal.Notify();
        return Task.CompletedTask;
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => signal.Notify();

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Without an explicit transaction SaveChanges commits by itself.
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            signal.Notify();
        }

        return ValueTask.FromResult(result);
    }
}
