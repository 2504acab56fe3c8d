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

/// <summary>Ranking a position: its candidate pool scored in full, or its lists emptied when it closed.</summary>
internal sealed partial class RankingBatch
{
    public async Task RankPositionsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var snapshots = await db.Positions.AsNoTracking().Where(p => ids.Contains(p.PositionId)).ToListAsync(ct);
        PositionsLoaded += snapshots.Count;
        _closed.UnionWith(snapshots.Where(s => s.Closed).Select(s => s.PositionId));
        var open = snapshots.Where(s => !s.Closed).ToList();
        await LoadStatesAsync(open, ct);
        foreach (var snapshot in open)
        {
            var state = _positions[snapshot.PositionId];
            // Pools of positions in one batch overlap: ids and versions first, rows only for profiles not yet held.
            var pool = await CandidatePool(snapshot).Select(c => new { c.ProfileId, c.Version }).ToListAsync(ct);
            var missing = pool.Where(c => !_profiles.TryGetValue(c.ProfileId, out var known) || known.Version != c.Version).Select(c => c.ProfileId).ToArray();
            if (missing.Length > 0)
            {
                foreach (var row in await db.CandidateProfiles.AsNoTracking().Where(c => missing.Contains(c.ProfileId)).ToListAsync(ct))
                {
                    Remember(row);
                }
            }

            var scored = new List<(Guid, ProfileFacts)>(pool.Count);
            // A profile that changed since the pool query is queued itself and placed by its own item.
            foreach (var c in pool.Where(c => _profiles.TryGetValue(c.ProfileId, out var held) && held.Version == c.Version))
            {
                scored.Add((c.ProfileId, ProfileFactsOf(c.ProfileId)));
            }

            PairsScored += scored.Count;
            var best = ranker.RankPosition(state.Facts, scored, model.Model, options.Size);
            state.Current.Clear();
            foreach (var s in best)
            {
                state.Current[s.Id] = s.Score;
            }
        }
    }
    private async Task<bool> ClosePositionAsync(Guid positionId, CancellationToken ct)
    {
        var removed = await db.ShortlistEntries.Where(e => e.PositionId == positionId).ExecuteDeleteAsync(ct);
        await db.Recommendations.Where(r => r.PositionId == positionId).ExecuteDeleteAsync(ct);
        await db.Matches.Where(m => m.PositionId == positionId && m.Status == MatchStatus.Proposed)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, MatchStatus.Expired).SetProperty(m => m.Version, m => m.Version + 1), ct);
        if (removed > 0)
        {
            var version = await db.Database.SqlQuery<long>($"SELECT nextval('shortlist_versions') AS \"Value\"").SingleAsync(ct);
            db.Enqueue(new ShortlistChanged(Guid.NewGuid(), _now, positionId, version, model.Version, []));
        }

        return removed > 0;
    }
}
