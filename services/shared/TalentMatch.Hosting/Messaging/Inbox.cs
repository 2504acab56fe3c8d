using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace TalentMatch.Hosting.Messaging;

public static class Inbox
{
    /// <summary>
    /// Applies a consumed message at most once per consumer: records (message id, consumer) and runs
    /// <paramref name="apply"/> in one transaction. A redelivered message finds its row and has no second effect;
    /// two concurrent deliveries serialise on the row's primary key. Returns false for a duplicate.
    /// </summary>
    public static async Task<bool> ProcessOnceAsync(this DbContext db, ConsumeContext context, string consumer, Func<CancellationToken, Task> apply)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("The message has no MessageId; it cannot be deduplicated.");
        var cancellationToken = context.CancellationToken;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES ({messageId}, {consumer}, now()) ON CONFLICT DO NOTHING",
            cancellationToken);
        if (inserted == 0)
        {
            return false;
        }

        await apply(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
