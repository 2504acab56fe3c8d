using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace TalentMatch.Hosting.Messaging;

/// <summary>Bound from the <c>Inbox</c> configuration section.</summary>
public sealed class InboxOptions
{
    /// <summary>
    /// Fault-test measurement, off by default: every committed application of a message is also appended to
    /// <c>inbox_applications</c> (no unique key) in the consumer's transaction. The inbox should make each
    /// (message id, consumer) appear there once; a second row is a second effect, whatever the version guards did.
    /// The table is created at start-up when this is on, outside the migrations, because it is diagnostics only.
    /// </summary>
    /// <remarks>In the binary on purpose: "applied twice" is counted inside the real matching process while the fault tests kill it and the broker.</remarks>
    public bool RecordApplications { get; set; }
}

public static class Inbox
{
    public const string ApplicationsTable = "inbox_applications";

    /// <summary>
    /// Applies a consumed message at most once per consumer: records (message id, consumer) and runs
    /// <paramref name="apply"/> in one transaction. A redelivered message finds its row and has no second effect;
    /// two concurrent deliveries serialise on the row's primary key. Returns false for a duplicate.
    /// MassTransit acknowledges the message only after this returns, i.e. after the commit: a crash before the commit
    /// rolls everything back and the broker redelivers; a crash after the commit and before the ack redelivers a
    /// message the inbox then skips.
    /// </summary>
    public static Task<bool> ProcessOnceAsync(this DbContext db, ConsumeContext context, string consumer, Func<CancellationToken, Task> apply) =>
        ProcessOnceAsync(db, context.MessageId ?? throw new InvalidOperationException("The message has no MessageId; it cannot be deduplicated."),
            consumer, apply, context.CancellationToken);

    internal static async Task<bool> ProcessOnceAsync(DbContext db, Guid messageId, string consumer, Func<CancellationToken, Task> apply, CancellationToken cancellationToken)
    {
        // All or nothing: a failure rolls the whole transaction back, so SaveChanges needs no savepoint (two round trips).
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES ({messageId}, {consumer}, now()) ON CONFLICT DO NOTHING",
            cancellationToken);
        if (inserted == 0)
        {
            return false;
        }

        await apply(cancellationToken);
        if (RecordApplications(db))
        {
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO inbox_applications (message_id, consumer, applied_at) VALUES ({messageId}, {consumer}, now())",
                cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    internal static bool RecordApplications(DbContext db)
    {
        try
        {
            return db.GetService<IOptions<InboxOptions>>().Value.RecordApplications;
        }
        catch (InvalidOperationException)
        {
            return false; // a context built outside the service's container
        }
    }

    internal const string CreateApplicationsTableSql = """
        CREATE TABLE IF NOT EXISTS inbox_applications (
            message_id uuid NOT NULL,
            consumer text NOT NULL,
            applied_at timestamptz NOT NULL
        )
        """;
}
