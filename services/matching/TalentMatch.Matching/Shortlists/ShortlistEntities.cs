namespace TalentMatch.Matching.Shortlists;

/// <summary>One of the top K candidates of an open position, as last ranked.</summary>
public sealed class ShortlistEntryRow
{
    public Guid PositionId { get; set; }
    public Guid ProfileId { get; set; }
    public int Rank { get; set; }
    public double Score { get; set; }
    public int ModelVersion { get; set; }

    /// <summary>The largest feature contributions to the score (JSON array of {feature, value, contribution}).</summary>
    public string TopContributions { get; set; } = "[]";

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One of a researcher's best-fitting open positions.</summary>
public sealed class Recommendation
{
    /// <summary>Stored contributions of a recommendation the worker did not explain; the API computes them when read.</summary>
    public const string NotExplained = "[]";

    public Guid ProfileId { get; set; }
    public Guid PositionId { get; set; }
    public double Score { get; set; }
    public int ModelVersion { get; set; }
    public string TopContributions { get; set; } = "[]";
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A profile or position whose rankings must be brought up to date, written by the consumers in the same
/// transaction as the read-model change and drained in batches by the shortlist worker.
/// </summary>
public sealed class RankingQueueItem
{
    public const string Profile = "profile";
    public const string Position = "position";

    public long Id { get; set; }
    public required string Kind { get; set; }
    public Guid AggregateId { get; set; }
    public DateTimeOffset EnqueuedAt { get; set; }

    /// <summary>The W3C <c>traceparent</c> of the delivery that queued it, so the re-rank continues that trace.</summary>
    public string? TraceParent { get; set; }
}
