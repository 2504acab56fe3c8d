using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TalentMatch.Hosting.Observability;

/// <summary>Pending outbox rows and the age of the oldest, as the relay last read them.</summary>
public sealed record OutboxBacklog(long Pending, double OldestSeconds);

/// <summary>
/// The instruments an operator puts on a dashboard beside the request rate and latency ASP.NET Core reports
/// (<c>http.server.request.duration</c> by route): the outbox backlog, consumer lag per queue, inbox batch sizes,
/// shortlist staleness and the model in use. Gauges report what their owner last sampled; nothing here queries.
/// </summary>
public static class PlatformMetrics
{
    private static OutboxBacklog _outbox = new(0, 0);
    private static (long Length, double OldestSeconds) _ranking;
    private static int? _modelVersion;
    private static readonly ConcurrentDictionary<string, long> QueueDepths = new(StringComparer.Ordinal);

    static PlatformMetrics()
    {
        var meter = PlatformTelemetry.Meter;
        meter.CreateObservableGauge("talentmatch.outbox.pending", () => _outbox.Pending, "{row}", "Outbox rows committed and not yet confirmed by the broker.");
        meter.CreateObservableGauge("talentmatch.outbox.oldest_pending_age", () => _outbox.OldestSeconds, "s", "Age of the oldest pending outbox row.");
        meter.CreateObservableGauge("talentmatch.messaging.queue.messages", ObserveQueues, "{message}",
            "Messages ready in each of this service's receive queues (consumer lag).");
        InboxBatchSize = meter.CreateHistogram<int>("talentmatch.inbox.batch.size", "{message}", "Messages committed together by one inbox transaction.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128] });
        meter.CreateObservableGauge("talentmatch.shortlist.queue.length", () => _ranking.Length, "{item}", "Profiles and positions waiting for a re-rank.");
        meter.CreateObservableGauge("talentmatch.shortlist.staleness", () => _ranking.OldestSeconds, "s", "Age of the oldest queued re-rank.");
        meter.CreateObservableGauge("talentmatch.ranking.model.version", ObserveModel, "{version}", "Version of the champion model that ranks.");
    }

    public static Histogram<int> InboxBatchSize { get; }

    public static void RecordOutbox(OutboxBacklog backlog) => _outbox = backlog;

    public static void RecordQueueDepth(string queue, long messages) => QueueDepths[queue] = messages;

    public static void RecordRankingQueue(long length, double oldestSeconds) => _ranking = (length, oldestSeconds);

    public static void RecordModelVersion(int version) => _modelVersion = version;

    private static IEnumerable<Measurement<long>> ObserveQueues() =>
        QueueDepths.Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key)));

    private static IEnumerable<Measurement<int>> ObserveModel() =>
        _modelVersion is { } version ? [new Measurement<int>(version)] : [];
}
