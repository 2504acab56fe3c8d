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

/// <summary>Candidate generation: which profiles a position considers, and which positions a profile is placed into.</summary>
internal sealed partial class RankingBatch
{
    /// <summary>A profile and an open position it may qualify for or is listed in (candidate generation in SQL).</summary>
    private sealed class ProfilePosition
    {
        public Guid ProfileId { get; set; }
        public Guid PositionId { get; set; }
    }

    /// <summary>A position's candidate pool in SQL: <see cref="CandidateConstraints"/>, the field overlap on the GIN index.</summary>
    private IQueryable<CandidateProfile> CandidatePool(PositionSnapshot s) =>
        db.CandidateProfiles.AsNoTracking().Where(CandidateConstraints.For(s));

    /// <summary>
    /// Only the open positions a profile passes the hard constraints for (the same rules as CandidateConstraints,
    /// with the position's field keys cut as ResearchFieldKeys.QueryKeys cuts them), and those whose shortlist lists
    /// it now (it may have to leave). Every other position is untouched by this profile.
    /// Joined on the field keys themselves (a hash join of a few keys per row), not by testing every profile
    /// against every position: with a thousand open positions that was two million array comparisons a batch.
    /// </summary>
    private async Task<List<ProfilePosition>> PositionsForProfilesAsync(Guid[] idArray, CancellationToken ct)
    {
        return await db.Database.SqlQuery<ProfilePosition>($"""
            WITH p AS MATERIALIZED (
                SELECT DISTINCT position_id, minimum_degree, career_stage_min, career_stage_max, employment_mode,
                    CASE WHEN strpos(f, '.') > 0 THEN split_part(f, '.', 1) || '.' || split_part(f, '.', 2) ELSE f END AS key
                FROM positions, unnest(research_fields) AS f WHERE NOT closed),
            c AS MATERIALIZED (
                SELECT profile_id, degree_level, career_stage, employment_modes, unnest(field_keys) AS key
                FROM candidate_profiles WHERE profile_id = ANY({idArray}) AND NOT withdrawn AND consent_to_matching)
            SELECT c.profile_id AS "ProfileId", p.position_id AS "PositionId"
            FROM c JOIN p ON p.key = c.key
            WHERE c.degree_level >= p.minimum_degree AND c.career_stage BETWEEN p.career_stage_min AND p.career_stage_max
                AND (c.employment_modes & p.employment_mode) <> 0
            UNION
            SELECT e.profile_id, e.position_id
            FROM shortlist_entries e JOIN positions o ON o.position_id = e.position_id AND NOT o.closed
            WHERE e.profile_id = ANY({idArray})
            """).ToListAsync(ct);
    }
}
