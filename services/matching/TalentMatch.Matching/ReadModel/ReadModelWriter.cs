using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Matching.Shortlists;

namespace TalentMatch.Matching.ReadModel;

/// <summary>
/// Applies events to the read model with one atomic upsert each, guarded by aggregate version: a row only changes
/// when the incoming version is newer, so redelivered or reordered events never overwrite newer state.
/// </summary>
public static class ReadModelWriter
{
    public static Task<int> WithdrawProfileAsync(MatchingDbContext db, Guid id, long version, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO candidate_profiles AS c (profile_id, version, withdrawn, research_fields, field_keys, skills, degree_level,
                career_stage, years_of_experience, publications_count, preferred_cities, employment_modes, consent_to_matching, updated_at)
            VALUES ({id}, {version}, true, ARRAY[]::text[], ARRAY[]::text[], ARRAY[]::text[], 0, 0, 0, 0, ARRAY[]::text[], 0, false, now())
            ON CONFLICT (profile_id) DO UPDATE SET version = EXCLUDED.version, withdrawn = true, updated_at = now()
            WHERE c.version < EXCLUDED.version
            """, ct);

    public static Task<int> UpsertPositionAsync(MatchingDbContext db, Guid id, long version, PositionMatchingView v, CancellationToken ct)
    {
        var fields = v.ResearchFields.ToArray();
        var required = v.RequiredSkills.ToArray();
        var preferred = v.PreferredSkills.ToArray();
        var languages = (v.Languages ?? []).ToArray();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO positions AS p (position_id, version, closed, institution_id, title, city, research_fields, required_skills,
                preferred_skills, minimum_degree, career_stage_min, career_stage_max, minimum_years, employment_mode,
                talent_tier_sought, languages, application_deadline, headcount, updated_at)
            VALUES ({id}, {version}, false, {v.InstitutionId}, {v.Title}, {v.City}, {fields}, {required}, {preferred},
                {v.MinimumDegree}, {v.CareerStageMin}, {v.CareerStageMax}, {v.MinimumYears}, {v.EmploymentMode},
                {v.TalentTierSought}, {languages}, {v.ApplicationDeadline}, {v.Headcount}, now())
            ON CONFLICT (position_id) DO UPDATE SET version = EXCLUDED.version, closed = false,
                institution_id = EXCLUDED.institution_id, title = EXCLUDED.title, city = EXCLUDED.city,
                research_fields = EXCLUDED.research_fields, required_skills = EXCLUDED.required_skills,
                preferred_skills = EXCLUDED.preferred_skills, minimum_degree = EXCLUDED.minimum_degree,
                career_stage_min = EXCLUDED.career_stage_min, career_stage_max = EXCLUDED.career_stage_max,
                minimum_years = EXCLUDED.minimum_years, employment_mode = EXCLUDED.employment_mode,
                talent_tier_sought = EXCLUDED.talent_tier_sought, languages = EXCLUDED.languages,
                application_deadline = EXCLUDED.application_deadline, headcount = EXCLUDED.headcount, updated_at = now()
            WHERE p.version < EXCLUDED.version
            """, ct);
    }

    public static Task<int> ClosePositionAsync(MatchingDbContext db, Guid id, long version, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO positions AS p (position_id, version, closed, institution_id, title, city, research_fields, required_skills,
                preferred_skills, minimum_degree, career_stage_min, career_stage_max, minimum_years, employment_mode, updated_at)
            VALUES ({id}, {version}, true, {Guid.Empty}, '', '', ARRAY[]::text[], ARRAY[]::text[], ARRAY[]::text[], 0, 0, 0, 0, 0, now())
            ON CONFLICT (position_id) DO UPDATE SET version = EXCLUDED.version, closed = true, updated_at = now()
            WHERE p.version < EXCLUDED.version
            """, ct);
}

/// <summary>A profile's matching view at a version, as registered or updated.</summary>
/// <param name="TraceParent">The delivery's trace, continued by the re-rank the upsert queues.</param>
public sealed record ProfileUpsert(Guid Id, long Version, ProfileMatchingView View, string? TraceParent = null);

/// <summary>
/// Profile registrations and updates, applied to the read model as one multi-row upsert per run of messages in an inbox
/// batch (at thousands of registrations a second, a statement per profile was most of matching's database work). The
/// same version guard as every other write: a row changes only for a newer version, and each changed profile is queued
/// for ranking in the same statement.
/// </summary>
public sealed class ProfileUpserts : IInboxEffect<MatchingDbContext, ProfileUpsert>
{
    private static readonly JsonSerializerOptions RowJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Task ApplyAsync(MatchingDbContext db, IReadOnlyList<ProfileUpsert> items, CancellationToken ct)
    {
        // One statement may change a row only once: of several versions of a profile in the run, the newest wins, as
        // it would have one by one.
        var rows = items.GroupBy(i => i.Id).Select(g => g.MaxBy(i => i.Version)!).Select(i => new Row(
            i.Id, i.Version, i.View.ResearchFields, ResearchFieldKeys.For(i.View.ResearchFields), i.View.Skills, i.View.DegreeLevel,
            i.View.CareerStage, i.View.YearsOfExperience, i.View.PublicationsCount, i.View.PreferredCities, i.View.EmploymentModes,
            i.View.ConsentToMatching, i.View.HIndex, i.View.GrantsLed, i.View.TalentTier, i.View.Languages ?? [], i.View.EarliestStartDate,
            i.TraceParent));
        var json = JsonSerializer.Serialize(rows, RowJson);
        return db.Database.ExecuteSqlAsync($"""
            WITH input AS (
                SELECT * FROM jsonb_to_recordset({json}::jsonb) AS r(id uuid, version bigint, research_fields text[], field_keys text[],
                    skills text[], degree_level integer, career_stage integer, years_of_experience double precision,
                    publications_count integer, preferred_cities text[], employment_modes integer, consent_to_matching boolean,
                    h_index integer, grants_led integer, talent_tier integer, languages text[], earliest_start_date date, trace_parent text)),
            changed AS (
                INSERT INTO candidate_profiles AS c (profile_id, version, withdrawn, research_fields, field_keys, skills, degree_level,
                    career_stage, years_of_experience, publications_count, preferred_cities, employment_modes, consent_to_matching,
                    h_index, grants_led, talent_tier, languages, earliest_start_date, updated_at)
                SELECT r.id, r.version, false, r.research_fields, r.field_keys, r.skills, r.degree_level, r.career_stage,
                    r.years_of_experience, r.publications_count, r.preferred_cities, r.employment_modes, r.consent_to_matching,
                    r.h_index, r.grants_led, r.talent_tier, r.languages, r.earliest_start_date, now()
                FROM input r
                ON CONFLICT (profile_id) DO UPDATE SET version = EXCLUDED.version, withdrawn = false,
                    research_fields = EXCLUDED.research_fields, field_keys = EXCLUDED.field_keys, skills = EXCLUDED.skills,
                    degree_level = EXCLUDED.degree_level, career_stage = EXCLUDED.career_stage,
                    years_of_experience = EXCLUDED.years_of_experience, publications_count = EXCLUDED.publications_count,
                    preferred_cities = EXCLUDED.preferred_cities, employment_modes = EXCLUDED.employment_modes,
                    consent_to_matching = EXCLUDED.consent_to_matching, h_index = EXCLUDED.h_index,
                    grants_led = EXCLUDED.grants_led, talent_tier = EXCLUDED.talent_tier, languages = EXCLUDED.languages,
                    earliest_start_date = EXCLUDED.earliest_start_date, updated_at = now()
                WHERE c.version < EXCLUDED.version
                RETURNING c.profile_id)
            INSERT INTO ranking_queue (kind, aggregate_id, enqueued_at, trace_parent)
            SELECT {RankingQueueItem.Profile}, c.profile_id, now(), i.trace_parent FROM changed c JOIN input i ON i.id = c.profile_id
            """, ct);
    }

    private sealed record Row(
        Guid Id, long Version, IReadOnlyList<string> ResearchFields, string[] FieldKeys, IReadOnlyList<string> Skills, int DegreeLevel,
        int CareerStage, double YearsOfExperience, int PublicationsCount, IReadOnlyList<string> PreferredCities, int EmploymentModes,
        bool ConsentToMatching, int HIndex, int GrantsLed, int TalentTier, IReadOnlyList<string> Languages, DateOnly? EarliestStartDate,
        string? TraceParent);
}

/// <summary>Index keys for candidate generation: each code's discipline and field (first one and two segments).</summary>
public static class ResearchFieldKeys
{
    public static string[] For(IEnumerable<string> codes) =>
        codes.SelectMany(Prefixes).Distinct().ToArray();

    /// <summary>The keys a position searches with: its codes cut to field level (a discipline-only code stays whole).</summary>
    public static string[] QueryKeys(IEnumerable<string> codes) =>
        codes.Select(c => Prefixes(c).Last()).Distinct().ToArray();

    private static IEnumerable<string> Prefixes(string code)
    {
        var segments = code.Split('.');
        yield return segments[0];
        if (segments.Length > 1)
        {
            yield return segments[0] + "." + segments[1];
        }
    }
}
