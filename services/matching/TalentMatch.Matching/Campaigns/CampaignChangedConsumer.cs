using MassTransit;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Campaigns;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Matching.Campaigns;

/// <summary>
/// Replaces the campaign's snapshot when the event is newer. A campaign that closes gets its final stable assignment
/// computed in the same transaction, so a closed campaign always has one to show (a closed campaign changes no more).
/// </summary>
public sealed class CampaignChangedConsumer(InboxBatcher<MatchingDbContext> inbox) : IConsumer<CampaignChanged>
{
    public Task Consume(ConsumeContext<CampaignChanged> context) =>
        inbox.ProcessOnceAsync(context, nameof(CampaignChangedConsumer), async (db, ct) =>
        {
            var m = context.Message;
            var closed = m.Status == "closed";
            var institutions = m.InstitutionIds.ToArray();
            var positions = m.PositionIds.ToArray();
            var ambassadors = m.AmbassadorAccountIds.ToArray();
            var changed = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO campaigns AS c (campaign_id, version, closed, name_en, name_zh, organiser_institution_id, opens_on, closes_on,
                    target_hires, institution_ids, position_ids, ambassador_ids, updated_at)
                VALUES ({m.AggregateId}, {m.AggregateVersion}, {closed}, {m.NameEn}, {m.NameZh}, {m.OrganiserInstitutionId}, {m.OpensOn},
                    {m.ClosesOn}, {m.TargetHires}, {institutions}, {positions}, {ambassadors}, now())
                ON CONFLICT (campaign_id) DO UPDATE SET version = EXCLUDED.version, closed = EXCLUDED.closed, name_en = EXCLUDED.name_en,
                    name_zh = EXCLUDED.name_zh, organiser_institution_id = EXCLUDED.organiser_institution_id, opens_on = EXCLUDED.opens_on,
                    closes_on = EXCLUDED.closes_on, target_hires = EXCLUDED.target_hires, institution_ids = EXCLUDED.institution_ids,
                    position_ids = EXCLUDED.position_ids, ambassador_ids = EXCLUDED.ambassador_ids, updated_at = now()
                WHERE c.version < EXCLUDED.version
                """, ct);
            if (changed > 0 && closed)
            {
                await CampaignAssignment.ComputeAsync(db, m.AggregateId, "campaign closed", ct);
            }
        });
}

public sealed class CampaignChangedConsumerDefinition : BatchedInboxConsumerDefinition<CampaignChangedConsumer>;
