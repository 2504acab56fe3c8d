using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;

namespace TalentMatch.Matching.ReadModel;

/// <summary>
/// Applies events to the read model with one atomic upsert each, guarded by aggregate version: a row only changes
/// when the incoming version is newer, so redelivered or reordered events never overwrite newer state.
/// </summary>
public static class ReadModelWriter
{
    public static Task<int> UpsertProfileAsync(MatchingDbContext db, Guid id, long version, ProfileMatchingView v, CancellationToken ct)
    {
        var fields = v.ResearchFields.ToArray();
        var keys = ResearchFieldKeys.For(fields);
        var skills = v.Skills.ToArray();
        var cities = v.PreferredCities.ToArray();
        var languages = (v.Languages ?? []).ToArray();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO candidate_profiles AS c (profile_id, version, withdrawn, research_fields, field_keys, skills, degree_level,
                career_stage, years_of_experience, publications_count, preferred_cities, employment_modes, consent_to_matching,
                h_index, grants_led, talent_tier, languages, earliest_start_date, updated_at)
            VALUES ({id}, {version}, false, {fields}, {keys}, {skills}, {v.DegreeLevel}, {v.CareerStage}, {v.YearsOfExperience},
                {v.PublicationsCount}, {cities}, {v.EmploymentModes}, {v.ConsentToMatching},
                {v.HIndex}, {v.GrantsLed}, {v.TalentTier}, {languages}, {v.EarliestStartDate}, now())
            ON CONFLICT (profile_id) DO UPDATE SET version = EXCLUDED.version, withdrawn = false,
                research_fields = EXCLUDED.research_fields, field_keys = EXCLUDED.field_keys, skills = EXCLUDED.skills,
                degree_level = EXCLUDED.degree_level, career_stage = EXCLUDED.career_stage,
                years_of_experience = EXCLUDED.years_of_experience, publications_count = EXCLUDED.publications_count,
                preferred_cities = EXCLUDED.preferred_cities, employment_modes = EXCLUDED.employment_modes,
                consent_to_matching = EXCLUDED.consent_to_matching, h_index = EXCLUDED.h_index,
                grants_led = EXCLUDED.grants_led, talent_tier = EXCLUDED.talent_tier, languages = EXCLUDED.languages,
                earliest_start_date = EXCLUDED.earliest_start_date, updated_at = now()
            WHERE c.version < EXCLUDED.version
            """, ct);
    }

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
                talent_tier_sought, languages, application_deadline, updated_at)
            VALUES ({id}, {version}, false, {v.InstitutionId}, {v.Title}, {v.City}, {fields}, {required}, {preferred},
                {v.MinimumDegree}, {v.CareerStageMin}, {v.CareerStageMax}, {v.MinimumYears}, {v.EmploymentMode},
                {v.TalentTierSought}, {languages}, {v.ApplicationDeadline}, now())
            ON CONFLICT (position_id) DO UPDATE SET version = EXCLUDED.version, closed = false,
                institution_id = EXCLUDED.institution_id, title = EXCLUDED.title, city = EXCLUDED.city,
                research_fields = EXCLUDED.research_fields, required_skills = EXCLUDED.required_skills,
                preferred_skills = EXCLUDED.preferred_skills, minimum_degree = EXCLUDED.minimum_degree,
                career_stage_min = EXCLUDED.career_stage_min, career_stage_max = EXCLUDED.career_stage_max,
                minimum_years = EXCLUDED.minimum_years, employment_mode = EXCLUDED.employment_mode,
                talent_tier_sought = EXCLUDED.talent_tier_sought, languages = EXCLUDED.languages,
                application_deadline = EXCLUDED.application_deadline, updated_at = now()
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
