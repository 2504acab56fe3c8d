namespace TalentMatch.Matching.Shortlists;

/// <summary>
/// What the shortlist worker has read and written, summed over its batches: counts, not timings, so tests can check
/// that a batch reads only what its changed items need. Updated before each batch commits.
/// </summary>
public sealed class ShortlistWorkerStats
{
    private long _batches, _positionsLoaded, _entriesLoaded, _pairsScored, _shortlistsWritten;

    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Position read-model rows the batches loaded.</summary>
    public long PositionsLoaded => Interlocked.Read(ref _positionsLoaded);

    /// <summary>Stored shortlist entries the batches loaded (the "before" of the shortlists they touched).</summary>
    public long EntriesLoaded => Interlocked.Read(ref _entriesLoaded);

    /// <summary>Profile–position pairs scored by the model.</summary>
    public long PairsScored => Interlocked.Read(ref _pairsScored);

    /// <summary>Shortlists rewritten (changed).</summary>
    public long ShortlistsWritten => Interlocked.Read(ref _shortlistsWritten);

    internal void Add(RankingBatch batch)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _positionsLoaded, batch.PositionsLoaded);
        Interlocked.Add(ref _entriesLoaded, batch.EntriesLoaded);
        Interlocked.Add(ref _pairsScored, batch.PairsScored);
        Interlocked.Add(ref _shortlistsWritten, batch.ShortlistsWritten);
    }
}
