using System.Diagnostics;
using System.Threading.Channels;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TalentMatch.Hosting.Observability;

namespace TalentMatch.Hosting.Messaging;

/// <summary>
/// An effect that many messages of one batch can share, e.g. a read-model upsert: the batcher applies it once for each
/// run of consecutive messages that use it (one multi-row statement instead of one per message). Effects of other
/// messages between two runs keep their place in the order.
/// </summary>
public interface IInboxEffect<in TContext, TItem> where TContext : DbContext
{
    /// <summary>Applies the items in arrival order; stage or execute work on <paramref name="db"/>, never commit.</summary>
    Task ApplyAsync(TContext db, IReadOnlyList<TItem> items, CancellationToken ct);
}

/// <summary>
/// Group commit for the inbox. Deliveries that arrive while a transaction is being written wait and then share the
/// next one: one inbox insert for all of them, each one's effect applied in arrival order (consecutive ones that share an
/// <see cref="IInboxEffect{TContext, TItem}"/> together), one commit. At hundreds of
/// messages a second this replaces five round trips and a WAL flush per message with a handful per batch.
/// <para>
/// The guarantees are those of <see cref="Inbox.ProcessOnceAsync"/>, message by message: a consumer's task completes
/// only after the transaction holding its message's effect and inbox row committed (MassTransit acknowledges after
/// that); a redelivered message finds its inbox row and has no second effect. When a batch fails, every message in it
/// is retried alone in its own transaction, so a poison message fails only itself and goes through the consumer's retry
/// and <c>_error</c> queue while its neighbours commit.
/// </para>
/// <para>Why not <see cref="Persistence.GroupCommit{TItem}"/>: a batch here also deduplicates by inbox row and applies shared
/// effects in order, and every failure is isolated, since a poison message must reach MassTransit's retry alone.</para>
/// Consumers that use it need a concurrency limit above one to fill batches (see <see cref="BatchedInboxConsumerDefinition{TConsumer}"/>).
/// </summary>
public sealed partial class InboxBatcher<TContext> : IAsyncDisposable where TContext : DbContext
{
    /// <summary>Largest number of messages in one transaction.</summary>
    public const int MaxBatch = 128;

    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public InboxBatcher(IServiceScopeFactory scopes, ILogger<InboxBatcher<TContext>> logger)
    {
        _scopes = scopes;
        _logger = logger;
        // Not a hosted service on purpose: it must outlive MassTransit's graceful stop, which waits for in-flight
        // consumers, and singletons are disposed only after every hosted service has stopped.
        // Without the caller's execution context: the loop would otherwise run inside the span of whichever request
        // first resolved the batcher, for the life of the process.
        using (ExecutionContext.SuppressFlow())
        {
            _writer = Task.Run(WriteAsync);
        }
    }

    /// <summary>
    /// Applies the message at most once for <paramref name="consumer"/>; <paramref name="apply"/> gets the batch's
    /// context (already in its transaction) and must only stage or execute work on it, never commit. Returns false for
    /// a duplicate.
    /// </summary>
    public Task<bool> ProcessOnceAsync(ConsumeContext context, string consumer, Func<TContext, CancellationToken, Task> apply) =>
        Enqueue(context, consumer, apply, null);

    /// <summary>As <see cref="ProcessOnceAsync(ConsumeContext, string, Func{TContext, CancellationToken, Task})"/>, with an
    /// effect shared with neighbouring messages of the batch (see <see cref="IInboxEffect{TContext, TItem}"/>).</summary>
    public Task<bool> ProcessOnceAsync<TItem>(ConsumeContext context, string consumer, IInboxEffect<TContext, TItem> effect, TItem item) =>
        Enqueue(context, consumer, (db, ct) => effect.ApplyAsync(db, [item], ct), new SharedEffect<TItem>(effect, item));

    private Task<bool> Enqueue(ConsumeContext context, string consumer, Func<TContext, CancellationToken, Task> apply, ISharedEffect? shared)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("The message has no MessageId; it cannot be deduplicated.");
        var pending = new Pending(messageId, consumer, apply, shared, context.CancellationToken, Activity.Current?.Context ?? default);
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(InboxBatcher<TContext>), "The service is shutting down.");
        }

        return pending.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                if (!next.IsCompleted)
                {
                    batch.Add(next); // one whose consumer was cancelled meanwhile goes back to the broker unapplied
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch);
                batch.Clear();
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            var applied = await CommitTogetherAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Succeed(applied[i]);
            }
        }
        catch (Exception e) when (batch.Count == 1)
        {
            batch[0].Fail(e);
        }
        catch (Exception e)
        {
            // Alone, each message gets its own outcome: the good ones commit, a poison one fails only itself.
            LogBatchFailed(_logger, batch.Count, e);
            foreach (var item in batch)
            {
                try
                {
                    await using var scope = _scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<TContext>();
                    item.Succeed(await Inbox.ProcessOnceAsync(db, item.MessageId, item.Consumer, ct => item.Apply(db, ct), item.CancellationToken));
                }
                catch (Exception single)
                {
                    item.Fail(single);
                }
            }
        }
    }

    /// <summary>One transaction for the whole batch; returns, per message, whether it was applied (false: a duplicate).</summary>
    private async Task<bool[]> CommitTogetherAsync(List<Pending> batch)
    {
        using var span = PlatformTelemetry.StartBatch("inbox batch", batch.Select(p => p.Caller), batch.Count);
        PlatformMetrics.InboxBatchSize.Record(batch.Count);
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var ids = batch.Select(p => p.MessageId).ToArray();
        var consumers = batch.Select(p => p.Consumer).ToArray();
        var fresh = (await db.Database.SqlQuery<string>($"""
                INSERT INTO inbox_messages (message_id, consumer, processed_at)
                SELECT id, consumer, now() FROM unnest({ids}, {consumers}) AS m(id, consumer)
                ON CONFLICT DO NOTHING
                RETURNING message_id::text || '/' || consumer AS "Value"
                """).ToListAsync())
            .ToHashSet();

        var applied = new bool[batch.Count];
        var run = new List<Pending>();
        for (var i = 0; i < batch.Count; i++)
        {
            // Remove: the same message delivered twice into one batch is applied once.
            if (!fresh.Remove($"{batch[i].MessageId:D}/{batch[i].Consumer}"))
            {
                continue;
            }

            applied[i] = true;
            var shared = batch[i].Shared;
            if (shared is null || (run.Count > 0 && run[0].Shared!.Effect != shared.Effect))
            {
                await ApplyRunAsync(db, run);
            }

            if (shared is null)
            {
                // In the trace of the delivery it applies, so what the effect queues (a re-rank) can continue it.
                using var apply = PlatformTelemetry.Source.StartActivity("inbox apply " + batch[i].Consumer, ActivityKind.Internal, batch[i].Caller);
                await batch[i].Apply(db, CancellationToken.None);
            }
            else
            {
                run.Add(batch[i]);
            }
        }

        await ApplyRunAsync(db, run);

        if (Inbox.RecordApplications(db))
        {
            var appliedIds = batch.Where((_, i) => applied[i]).Select(p => p.MessageId).ToArray();
            var appliedConsumers = batch.Where((_, i) => applied[i]).Select(p => p.Consumer).ToArray();
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO inbox_applications (message_id, consumer, applied_at) SELECT id, consumer, now() FROM unnest({appliedIds}, {appliedConsumers}) AS m(id, consumer)");
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return applied;
    }

    private static async Task ApplyRunAsync(TContext db, List<Pending> run)
    {
        if (run.Count > 0)
        {
            await run[0].Shared!.ApplyAsync(db, run);
            run.Clear();
        }
    }

    private interface ISharedEffect
    {
        object Effect { get; }

        /// <summary>Applies the effect once for every message of <paramref name="run"/> (all share this effect).</summary>
        Task ApplyAsync(TContext db, List<Pending> run);
    }

    private sealed class SharedEffect<TItem>(IInboxEffect<TContext, TItem> effect, TItem item) : ISharedEffect
    {
        public object Effect => effect;

        public TItem Item { get; } = item;

        public Task ApplyAsync(TContext db, List<Pending> run) =>
            effect.ApplyAsync(db, run.Select(p => ((SharedEffect<TItem>)p.Shared!).Item).ToList(), CancellationToken.None);
    }

    private sealed class Pending
    {
        private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _cancellation;

        public Pending(Guid messageId, string consumer, Func<TContext, CancellationToken, Task> apply, ISharedEffect? shared, CancellationToken cancellationToken,
            ActivityContext caller)
        {
            Caller = caller;
            MessageId = messageId;
            Consumer = consumer;
            Apply = apply;
            Shared = shared;
            CancellationToken = cancellationToken;
            _cancellation = cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetCanceled(), _done);
        }

        public Guid MessageId { get; }
        public string Consumer { get; }

        /// <summary>The consume span of the delivery (MassTransit's), which the batch links to.</summary>
        public ActivityContext Caller { get; }
        public Func<TContext, CancellationToken, Task> Apply { get; }

        /// <summary>Set when the message's effect can be applied together with its neighbours'.</summary>
        public ISharedEffect? Shared { get; }
        public CancellationToken CancellationToken { get; }
        public Task<bool> Task => _done.Task;
        public bool IsCompleted => _done.Task.IsCompleted;

        // A consumer cancelled (shutdown) before its batch committed has already returned without acknowledging; if
        // the batch commits anyway, the redelivered message finds its inbox row.
        public void Succeed(bool applied)
        {
            _cancellation.Dispose();
            _done.TrySetResult(applied);
        }

        public void Fail(Exception e)
        {
            _cancellation.Dispose();
            _done.TrySetException(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} inbox messages failed together; each is retried alone")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);
}
