using MassTransit;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Shortlists;

namespace TalentMatch.Matching.Privacy;

public static class PrivacyConsumers
{
    public static void AddPrivacyConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ProfileErasedConsumer, ProfileErasedConsumerDefinition>();
}

/// <summary>
/// A researcher erased their profile. Matching purges what it holds under the profile id: the read-model row is
/// reduced to a tombstone (no features, withdrawn, a version no later event can beat), shortlist entries and
/// recommendations are deleted, and the training data (matches and their decisions) is anonymised: features, labels
/// and scores stay for learning, the profile id is replaced by a random one that links to nothing. Its answers to
/// recommendations are deleted, and the campaign assignments it appears in name a random id instead.
/// </summary>
public sealed class ProfileErasedConsumer(MatchingDbContext db) : IConsumer<ProfileErased>
{
    public Task Consume(ConsumeContext<ProfileErased> context) =>
        db.ProcessOnceAsync(context, nameof(ProfileErasedConsumer), ct => EraseAsync(db, context.Message.AggregateId, ct));

    public static async Task EraseAsync(MatchingDbContext db, Guid profileId, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO candidate_profiles AS c (profile_id, version, withdrawn, research_fields, field_keys, skills, degree_level,
                career_stage, years_of_experience, publications_count, preferred_cities, employment_modes, consent_to_matching, updated_at)
            VALUES ({profileId}, {long.MaxValue}, true, ARRAY[]::text[], ARRAY[]::text[], ARRAY[]::text[], 0, 0, 0, 0, ARRAY[]::text[], 0, false, now())
            ON CONFLICT (profile_id) DO UPDATE SET version = EXCLUDED.version, withdrawn = true, research_fields = EXCLUDED.research_fields,
                field_keys = EXCLUDED.field_keys, skills = EXCLUDED.skills, degree_level = 0, career_stage = 0, years_of_experience = 0,
                publications_count = 0, preferred_cities = EXCLUDED.preferred_cities, employment_modes = 0, consent_to_matching = false,
                h_index = 0, grants_led = 0, talent_tier = 0, languages = ARRAY[]::text[], earliest_start_date = NULL, updated_at = now()
            """, ct);
        var positions = await db.ShortlistEntries.Where(e => e.ProfileId == profileId).Select(e => e.PositionId).ToListAsync(ct);
        await db.ShortlistEntries.Where(e => e.ProfileId == profileId).ExecuteDeleteAsync(ct);
        await db.Recommendations.Where(r => r.ProfileId == profileId).ExecuteDeleteAsync(ct);
        await db.RankingQueue.Where(q => q.Kind == RankingQueueItem.Profile && q.AggregateId == profileId).ExecuteDeleteAsync(ct);
        await db.ResearcherAnswers.Where(a => a.ProfileId == profileId).ExecuteDeleteAsync(ct);
        // Campaign assignments computed before keep their shape; the researcher in them becomes nobody.
        var anonymous = Guid.NewGuid().ToString();
        var id = profileId.ToString();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE campaign_assignments SET result = replace(result::text, {id}, {anonymous})::jsonb WHERE result::text LIKE '%' || {id} || '%'
            """, ct);
        // Training data keeps its features and labels under an id that links to nobody; open proposals expire.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE matches SET profile_id = gen_random_uuid(),
                status = CASE WHEN status = 0 THEN 4 ELSE status END
            WHERE profile_id = {profileId}
            """, ct);
        // The lists it left are refilled by the shortlist worker.
        foreach (var position in positions)
        {
            db.RankingQueue.Add(new RankingQueueItem
            {
                Kind = RankingQueueItem.Position, AggregateId = position, EnqueuedAt = DateTimeOffset.UtcNow,
                TraceParent = Hosting.Observability.PlatformTelemetry.CurrentTraceParent(),
            });
        }

        await db.SaveChangesAsync(ct);
    }
}

public sealed class ProfileErasedConsumerDefinition : RetryingConsumerDefinition<ProfileErasedConsumer>;
