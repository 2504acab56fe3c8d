namespace TalentMatch.Matching.Shortlists;

/// <summary>Bound from the <c>Shortlists</c> configuration section.</summary>
public sealed class ShortlistOptions
{
    /// <summary>Whether this instance runs the shortlist worker (tests of other parts switch it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Candidates kept per position (K).</summary>
    public int Size { get; set; } = 50;

    /// <summary>A new entry at this rank or better is proposed to ambassadors for review.</summary>
    public int ProposeTop { get; set; } = 10;

    /// <summary>Positions kept per researcher.</summary>
    public int RecommendationsPerProfile { get; set; } = 20;

    /// <summary>Queue rows taken per batch.</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>
    /// Positions ranked in full per batch: a batch ends before the queued position after this many, so a burst of
    /// new positions is committed (and visible) in steps rather than in one long transaction at the end.
    /// </summary>
    public int PositionsPerBatch { get; set; } = 100;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
