using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using TalentMatch.Contracts.Matching;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Observability;
using TalentMatch.Matching.Baseline;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Reviews;
using TalentMatch.Matching.Features;
using TalentMatch.Ranking.Model;

namespace TalentMatch.Matching.Shortlists;

/// <summary>Writing the batch: changed shortlists, new proposals, expirations, recommendations and events.</summary>
internal sealed partial class RankingBatch
{
    /// <summary>Writes every changed shortlist with its proposals, expirations and events; returns how many changed.</summary>
    public async Task<int> FlushAsync(CancellationToken ct)
    {
        var changed = 0;
        foreach (var id in _closed)
        {
            changed += await ClosePositionAsync(id, ct) ? 1 : 0;
        }

        var written = new List<(PositionState State, List<(Guid ProfileId, double Score, int Rank)> Final)>();
        foreach (var state in _positions.Values)
        {
            var final = state.Current.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(options.Size)
                .Select((c, i) => (ProfileId: c.Key, Score: c.Value, Rank: i + 1)).ToList();
            var before = state.Original.Values.OrderBy(e => e.Rank).Select(e => (e.ProfileId, e.Score, e.Rank));
            if (final.SequenceEqual(before) && state.Original.Values.All(e => e.ModelVersion == model.Version))
            {
                continue;
            }

            written.Add((state, final));
        }

        if (written.Count > 0)
        {
            await WriteShortlistsAsync(written, ct);
        }
        else
        {
            await CopyRowsAsync(ct);
        }

        foreach (var id in _rerankNext.Except(_closed))
        {
            db.RankingQueue.Add(new RankingQueueItem { Kind = RankingQueueItem.Position, AggregateId = id, EnqueuedAt = _now });
        }

        ShortlistsWritten = written.Count;
        return changed + written.Count;
    }
    /// <summary>
    /// The changed shortlists of the batch, together: their entries replaced, new top entries proposed, the
    /// recommendations of their candidates refreshed, proposals of candidates who left expired, one event each.
    /// </summary>
    private async Task WriteShortlistsAsync(List<(PositionState State, List<(Guid ProfileId, double Score, int Rank)> Final)> written, CancellationToken ct)
    {
        var positionIds = written.Select(w => w.State.Snapshot.PositionId).ToArray();
        await EnsureProfilesLoadedAsync(written.SelectMany(w => w.Final.Select(f => f.ProfileId)), ct);

        // Entries new to a shortlist's top are proposed, unless the pair was proposed before (a match is never repeated).
        var proposable = written.SelectMany(w => w.Final
            .Where(f => f.Rank <= options.ProposeTop && !w.State.Original.ContainsKey(f.ProfileId))
            .Select(f => (w.State.Snapshot.PositionId, f.ProfileId))).ToHashSet();
        if (proposable.Count > 0)
        {
            var candidateIds = proposable.Select(p => p.ProfileId).Distinct().ToArray();
            var proposedPositions = proposable.Select(p => p.PositionId).Distinct().ToArray();
            var alreadyMatched = await db.Matches.Where(m => proposedPositions.Contains(m.PositionId) && candidateIds.Contains(m.ProfileId))
                .Select(m => new { m.PositionId, m.ProfileId }).ToListAsync(ct);
            proposable.ExceptWith(alreadyMatched.Select(m => (m.PositionId, m.ProfileId)));
        }

        // Only what changed is written: an entry kept with the same score and model only moves rank; a new or rescored
        // one is replaced; one no longer listed is removed. A new profile at rank 3 touches ~50 rows, not 100.
        var removedPositions = new List<Guid>();
        var removedProfiles = new List<Guid>();
        var movedPositions = new List<Guid>();
        var movedProfiles = new List<Guid>();
        var movedRanks = new List<int>();
        var refreshedProfiles = new List<Guid>();
        var refreshedPositions = new List<Guid>();
        foreach (var (state, final) in written)
        {
            var positionId = state.Snapshot.PositionId;
            var listed = final.Select(f => f.ProfileId).ToHashSet();
            foreach (var gone in state.Original.Keys.Where(id => !listed.Contains(id)))
            {
                removedPositions.Add(positionId);
                removedProfiles.Add(gone);
            }

            foreach (var (profileId, score, rank) in final)
            {
                var wasListed = state.Original.TryGetValue(profileId, out var old);
                if (wasListed && old!.Score == score && old.ModelVersion == model.Version)
                {
                    if (old.Rank != rank)
                    {
                        movedPositions.Add(positionId);
                        movedProfiles.Add(profileId);
                        movedRanks.Add(rank);
                    }

                    continue;
                }

                if (wasListed)
                {
                    removedPositions.Add(positionId);
                    removedProfiles.Add(profileId);
                }

                var (features, contributions) = Explained(state, profileId);
                _entryRows.Add(new ShortlistEntryRow
                {
                    PositionId = positionId, ProfileId = profileId, Rank = rank, Score = score, ModelVersion = model.Version,
                    TopContributions = contributions, UpdatedAt = _now,
                });

                if (proposable.Contains((positionId, profileId)))
                {
                    Propose(state.Snapshot, _profiles[profileId], score, rank, features, contributions);
                }

                // The candidate's recommendation for this position follows the new score (profiles placed in this
                // batch already have all their recommendations recomputed).
                if (!_recommendationsRecomputed.Contains(profileId))
                {
                    refreshedProfiles.Add(profileId);
                    refreshedPositions.Add(positionId);
                    _recommendationRows.Add(new Recommendation
                    {
                        ProfileId = profileId, PositionId = positionId, Score = score, ModelVersion = model.Version,
                        TopContributions = contributions, UpdatedAt = _now,
                    });
                }
            }
        }

        if (removedPositions.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                DELETE FROM shortlist_entries e USING unnest({removedPositions.ToArray()}, {removedProfiles.ToArray()}) AS f(position_id, profile_id)
                WHERE e.position_id = f.position_id AND e.profile_id = f.profile_id
                """, ct);
        }

        if (movedPositions.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                UPDATE shortlist_entries e SET rank = f.rank, updated_at = {_now}
                FROM unnest({movedPositions.ToArray()}, {movedProfiles.ToArray()}, {movedRanks.ToArray()}) AS f(position_id, profile_id, rank)
                WHERE e.position_id = f.position_id AND e.profile_id = f.profile_id
                """, ct);
        }

        if (refreshedProfiles.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                DELETE FROM recommendations r USING unnest({refreshedProfiles.ToArray()}, {refreshedPositions.ToArray()}) AS f(profile_id, position_id)
                WHERE r.profile_id = f.profile_id AND r.position_id = f.position_id
                """, ct);
        }

        await CopyRowsAsync(ct);
        await db.SaveChangesAsync(ct);
        if (refreshedProfiles.Count > 0)
        {
            // Each researcher keeps their best RecommendationsPerProfile positions.
            var ids = refreshedProfiles.Distinct().ToArray();
            await db.Database.ExecuteSqlAsync($"""
                DELETE FROM recommendations r USING (
                    SELECT profile_id, position_id, row_number() OVER (PARTITION BY profile_id ORDER BY score DESC) AS n
                    FROM recommendations WHERE profile_id = ANY({ids})) ranked
                WHERE r.profile_id = ranked.profile_id AND r.position_id = ranked.position_id AND ranked.n > {options.RecommendationsPerProfile}
                """, ct);
        }

        // Proposals still awaiting review whose candidate is no longer listed no longer exist for reviewers.
        await db.Matches
            .Where(m => positionIds.Contains(m.PositionId) && m.Status == MatchStatus.Proposed
                        && !db.ShortlistEntries.Any(e => e.PositionId == m.PositionId && e.ProfileId == m.ProfileId))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, MatchStatus.Expired).SetProperty(m => m.Version, m => m.Version + 1), ct);

        var versions = await db.Database.SqlQuery<long>($"SELECT nextval('shortlist_versions') AS \"Value\" FROM generate_series(1, {written.Count})").ToListAsync(ct);
        for (var i = 0; i < written.Count; i++)
        {
            var (state, final) = written[i];
            db.Enqueue(new ShortlistChanged(Guid.NewGuid(), _now, state.Snapshot.PositionId, versions[i], model.Version,
                final.Select(f => new ShortlistEntry(f.ProfileId, f.Rank, f.Score)).ToList()));
        }
    }
    /// <summary>
    /// Stores the batch's shortlist entries and recommendations by binary COPY in the batch's transaction: tens of
    /// thousands of rows after a burst, which EF's change tracker and one INSERT per row made the slowest part.
    /// </summary>
    private async Task CopyRowsAsync(CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (_entryRows.Count > 0)
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY shortlist_entries (position_id, profile_id, rank, score, model_version, top_contributions, updated_at) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var e in _entryRows)
            {
                // Synchronous writes: the rows are in memory already, and the async ones allocate a task per value.
                copy.StartRow();
                copy.Write(e.PositionId, NpgsqlDbType.Uuid);
                copy.Write(e.ProfileId, NpgsqlDbType.Uuid);
                copy.Write(e.Rank, NpgsqlDbType.Integer);
                copy.Write(e.Score, NpgsqlDbType.Double);
                copy.Write(e.ModelVersion, NpgsqlDbType.Integer);
                copy.Write(e.TopContributions, NpgsqlDbType.Jsonb);
                copy.Write(e.UpdatedAt, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync(ct);
            _entryRows.Clear();
        }

        if (_recommendationRows.Count > 0)
        {
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY recommendations (profile_id, position_id, score, model_version, top_contributions, updated_at) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var r in _recommendationRows)
            {
                copy.StartRow();
                copy.Write(r.ProfileId, NpgsqlDbType.Uuid);
                copy.Write(r.PositionId, NpgsqlDbType.Uuid);
                copy.Write(r.Score, NpgsqlDbType.Double);
                copy.Write(r.ModelVersion, NpgsqlDbType.Integer);
                copy.Write(r.TopContributions, NpgsqlDbType.Jsonb);
                copy.Write(r.UpdatedAt, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync(ct);
            _recommendationRows.Clear();
        }
    }
    private void Propose(PositionSnapshot position, CandidateProfile profile, double score, int rank, float[] features, string contributions)
    {
        var match = new Match
        {
            Id = Guid.CreateVersion7(),
            Version = 1,
            PositionId = position.PositionId,
            ProfileId = profile.ProfileId,
            InstitutionId = position.InstitutionId,
            ResearchFields = position.ResearchFields,
            Score = score,
            BaselineScore = BaselineScorer.Score(profile, position).Score,
            Rank = rank,
            ModelVersion = model.Version,
            Features = features,
            TopContributions = contributions,
            Status = MatchStatus.Proposed,
            ProposedAt = _now,
        };
        db.Matches.Add(match);
        db.Enqueue(new MatchProposed(Guid.NewGuid(), _now, match.Id, match.Version, position.PositionId, profile.ProfileId,
            position.InstitutionId, score, rank, model.Version));
    }
}
