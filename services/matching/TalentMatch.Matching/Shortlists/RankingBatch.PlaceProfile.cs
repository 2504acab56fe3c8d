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

/// <summary>Placing a profile: scored against the positions it may enter or leave, its recommendations recomputed.</summary>
internal sealed partial class RankingBatch
{
    public async Task PlaceProfilesAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var idArray = ids.ToArray();
        var rows = await db.CandidateProfiles.AsNoTracking().Where(p => idArray.Contains(p.ProfileId)).ToListAsync(ct);
        foreach (var row in rows)
        {
            Remember(row);
        }

        var pairs = await PositionsForProfilesAsync(idArray, ct);

        var missing = pairs.Select(p => p.PositionId).Distinct().Where(id => !_positions.ContainsKey(id)).ToArray();
        if (missing.Length > 0)
        {
            var snapshots = await db.Positions.AsNoTracking().Where(p => missing.Contains(p.PositionId) && !p.Closed).ToListAsync(ct);
            PositionsLoaded += snapshots.Count;
            await LoadStatesAsync(snapshots, ct);
        }

        var positionsOf = pairs.Where(p => _positions.ContainsKey(p.PositionId)).ToLookup(p => p.ProfileId, p => _positions[p.PositionId]);
        var features = new float[MatchFeatures.Count];
        // Every placed profile's recommendations are recomputed below: one delete for the batch, not one per profile.
        var placedIds = rows.Select(r => r.ProfileId).ToArray();
        await db.Recommendations.Where(r => placedIds.Contains(r.ProfileId)).ExecuteDeleteAsync(ct);
        foreach (var profile in rows)
        {
            var profileFacts = ProfileFactsOf(profile.ProfileId);
            var scored = new List<Scored>();
            foreach (var state in positionsOf[profile.ProfileId])
            {
                var wasIn = state.Original.TryGetValue(profile.ProfileId, out var before);
                state.Current.Remove(profile.ProfileId);
                if (!CandidateConstraints.Satisfied(profile, state.Snapshot))
                {
                    if (wasIn)
                    {
                        _rerankNext.Add(state.Snapshot.PositionId);
                    }

                    continue;
                }

                facts.Features(profileFacts, state.Facts, features);
                var score = model.Model.Score(features);
                PairsScored++;
                scored.Add(new Scored(state.Snapshot.PositionId, score));
                if (wasIn && score < before!.Score)
                {
                    _rerankNext.Add(state.Snapshot.PositionId);
                }

                state.Current[profile.ProfileId] = score;
            }

            AddRecommendations(profile.ProfileId, scored.OrderByDescending(s => s.Score).Take(options.RecommendationsPerProfile));
        }

        // Profiles that were queued but have no row (never seen) need nothing.
    }
}
