using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using TalentMatch.Hosting.Observability;

namespace TalentMatch.Hosting.Persistence;

public sealed class GroupCommitOptions
{
    /// <summary>Most items written in one transaction.</summary>
    public int MaxBatch { get; set; } = 256;

    /// <summary>Transactions in flight at once: while one commits, the next batch is already being written.</summary>
    public int Writers { get; set; } = 2;

    /// <summary>Items waiting for a writer; a caller beyond this waits for room (back-pressure) instead of queueing more.</summary>
    public int QueueCapacity { get; set; } = 4096;
}

/// <summary>
/// Group commit for small writes that arrive concurrently (one per request): each caller hands over its item and waits;
/// a writer takes every item waiting at that moment (up to <see cref="GroupCommitOptions.MaxBatch"/>) and stores them
/// in one transaction, then answers each caller. Nothing waits for a batch to fill: an idle service writes an item as
/// soon as it arrives, and a busy one writes bigger batches because more arrive while the previous one commits. That
/// turns thousands of transactions (and WAL flushes) a second into tens. A caller's await ends only after its item is
/// committed (or failed), so an answer never claims more than the database holds.
/// When a batch fails on one item's data (a constraint or value error), the items are retried one by one so that only
/// the faulty item fails; any other error (database unreachable) fails the whole batch.
/// <para>Why not one component with <see cref="Messaging.InboxBatcher{TContext}"/> and the bulk importer's batches: here
/// each item is another request's and can fail on its own data, so only data errors are isolated, item by item.</para>
/// </summary>
public sealed partial class GroupCommit<TItem> : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task> _write;
    private readonly GroupCommitOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly Task[] _writers;

    /// <param name="write">Stores the items in one transaction and commits it; throws if nothing was committed.</param>
    public GroupCommit(Func<IReadOnlyList<TItem>, CancellationToken, Task> write, GroupCommitOptions options, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Writers, 1);
        _write = write;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity) { SingleWriter = false, SingleReader = options.Writers == 1 });
        // Without the caller's execution context: the writers would otherwise run inside the span of whichever request
        // created this, for the life of the process.
        using (ExecutionContext.SuppressFlow())
        {
            _writers = Enumerable.Range(0, options.Writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
        }
    }

    /// <summary>
    /// Completes when <paramref name="item"/> is committed; throws what its transaction threw. <paramref name="ct"/>
    /// only cancels the wait for room in the queue: once handed over, the item is written whatever the caller does, as
    /// a request whose client hung up after SaveChanges would be.
    /// </summary>
    public async Task WriteAsync(TItem item, CancellationToken ct)
    {
        var pending = new Pending(item, Activity.Current?.Context ?? default);
        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The service is shutting down; nothing was written.");
        }

        await pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_options.MaxBatch);
        var items = new List<TItem>(_options.MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            items.Clear();
            while (batch.Count < _options.MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                items.Add(next.Item);
            }

            if (batch.Count == 0)
            {
                continue; // another writer took them
            }

            using var span = PlatformTelemetry.StartBatch("group commit", batch.Select(p => p.Caller), batch.Count);
            try
            {
                await _write(items, CancellationToken.None);
                batch.ForEach(p => p.Done.TrySetResult());
            }
            catch (PostgresException e) when (batch.Count == 1 && IsItemFault(e))
            {
                batch[0].Done.TrySetException(e); // the caller's to answer (e.g. 409), not a fault of the service
            }
            catch (PostgresException e) when (IsItemFault(e))
            {
                LogRetryingOneByOne(_logger, batch.Count, e.SqlState, e.MessageText);
                foreach (var pending in batch)
                {
                    try
                    {
                        await _write([pending.Item], CancellationToken.None);
                        pending.Done.TrySetResult();
                    }
                    catch (Exception single)
                    {
                        pending.Done.TrySetException(single);
                    }
                }
            }
            catch (Exception e)
            {
                LogBatchFailed(_logger, batch.Count, e);
                batch.ForEach(p => p.Done.TrySetException(e));
            }
        }
    }

    /// <summary>Class 22 (data exception) and 23 (integrity constraint violation): caused by an item, not the database.</summary>
    private static bool IsItemFault(PostgresException e) => e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

    /// <summary>Writes what is already queued, then stops; called when the service's container is disposed, after the web server drained its requests.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed class Pending(TItem item, ActivityContext caller)
    {
        public TItem Item { get; } = item;

        /// <summary>The request's span, which the batch's span links to.</summary>
        public ActivityContext Caller { get; } = caller;

        // Continuations run on the thread pool, not on the writer, so one slow response cannot hold up the next batch.
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A group commit of {Count} items failed on one item's data ({SqlState}: {Reason}); writing them one by one")]
    private static partial void LogRetryingOneByOne(ILogger logger, int count, string sqlState, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} items failed; each caller gets the error")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);
}
