using MassTransit;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Campaigns;
using TalentMatch.Contracts.Matching;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Identity.Notices;

/// <summary>
/// Turns the platform's events into notices for the accounts concerned. Events carry ids only; who is concerned is
/// read from the accounts here (a researcher's account id is their profile id; HR offices and ambassadors by the
/// institutions on their accounts, ambassadors also by their campaign appointments). An account that turned a kind off
/// gets no notice of it.
/// </summary>
public sealed class NoticeWriter(IdentityDb db, NoticeOptions options)
{
    public async Task ProposedAsync(MatchProposed m, CancellationToken ct)
    {
        var recipients = new List<(string Account, NoticeKind Kind)>();
        var researcher = m.ProfileId.ToString();
        if (m.Score >= options.RecommendationScoreThreshold && await HasRole(researcher, Roles.Researcher, ct))
        {
            recipients.Add((researcher, NoticeKind.Recommendation));
        }

        var appointed = (await db.Set<CampaignAppointments>().AsNoTracking().Where(c => c.PositionIds.Contains(m.PositionId))
            .Select(c => c.AmbassadorIds).ToListAsync(ct)).SelectMany(a => a).Select(a => a.ToString());
        var ambassadors = (await StaffOf(m.InstitutionId, Roles.Ambassador, ct)).Union(appointed).Distinct();
        recipients.AddRange(ambassadors.Select(a => (a, NoticeKind.Proposal)));
        await AddAsync(recipients, m.PositionId, m.AggregateId, m.Score, ct);
    }

    public async Task ReviewedAsync(MatchReviewed m, CancellationToken ct)
    {
        if (m.Decision == "endorse" && m.InstitutionId != Guid.Empty)
        {
            var hr = await StaffOf(m.InstitutionId, Roles.Hr, ct);
            await AddAsync(hr.Select(a => (a, NoticeKind.Endorsement)).ToList(), m.PositionId, m.AggregateId, m.Score, ct);
        }
    }

    public Task<int> CampaignAsync(CampaignChanged m, CancellationToken ct)
    {
        var positions = m.PositionIds.ToArray();
        var ambassadors = m.AmbassadorAccountIds.ToArray();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO notice_campaigns AS c (campaign_id, version, position_ids, ambassador_ids)
            VALUES ({m.AggregateId}, {m.AggregateVersion}, {positions}, {ambassadors})
            ON CONFLICT (campaign_id) DO UPDATE SET version = EXCLUDED.version, position_ids = EXCLUDED.position_ids,
                ambassador_ids = EXCLUDED.ambassador_ids
            WHERE c.version < EXCLUDED.version
            """, ct);
    }

    /// <summary>Adds the notices to the inbox's transaction, which saves them.</summary>
    private async Task AddAsync(IReadOnlyCollection<(string Account, NoticeKind Kind)> recipients, Guid position, Guid match, double score, CancellationToken ct)
    {
        var accounts = recipients.Select(r => r.Account).ToList();
        var settings = await db.Set<NoticeSettings>().AsNoTracking().Where(s => accounts.Contains(s.AccountId)).ToDictionaryAsync(s => s.AccountId, ct);
        var now = DateTimeOffset.UtcNow;
        foreach (var (account, kind) in recipients)
        {
            if (settings.GetValueOrDefault(account)?.Wants(kind) ?? true)
            {
                db.Set<Notice>().Add(new Notice { AccountId = account, Kind = kind, PositionId = position, MatchId = match, Score = score, CreatedAt = now });
            }
        }
    }

    private Task<bool> HasRole(string account, string role, CancellationToken ct) =>
        db.UserClaims.AnyAsync(c => c.UserId == account && c.ClaimType == PlatformClaims.Role && c.ClaimValue == role, ct);

    private Task<List<string>> StaffOf(Guid institution, string role, CancellationToken ct)
    {
        var value = institution.ToString();
        var inRole = db.UserClaims.Where(c => c.ClaimType == PlatformClaims.Role && c.ClaimValue == role).Select(c => c.UserId);
        return db.UserClaims.Where(c => c.ClaimType == PlatformClaims.Institution && c.ClaimValue == value && inRole.Contains(c.UserId))
            .Select(c => c.UserId).Distinct().ToListAsync(ct);
    }
}

public sealed class MatchProposedNoticeConsumer(IdentityDb db, NoticeWriter notices) : IConsumer<MatchProposed>
{
    public Task Consume(ConsumeContext<MatchProposed> context) =>
        db.ProcessOnceAsync(context, nameof(MatchProposedNoticeConsumer), ct => notices.ProposedAsync(context.Message, ct));
}

public sealed class MatchProposedNoticeConsumerDefinition : RetryingConsumerDefinition<MatchProposedNoticeConsumer>;

public sealed class MatchReviewedNoticeConsumer(IdentityDb db, NoticeWriter notices) : IConsumer<MatchReviewed>
{
    public Task Consume(ConsumeContext<MatchReviewed> context) =>
        db.ProcessOnceAsync(context, nameof(MatchReviewedNoticeConsumer), ct => notices.ReviewedAsync(context.Message, ct));
}

public sealed class MatchReviewedNoticeConsumerDefinition : RetryingConsumerDefinition<MatchReviewedNoticeConsumer>;

public sealed class CampaignChangedNoticeConsumer(IdentityDb db, NoticeWriter notices) : IConsumer<CampaignChanged>
{
    public Task Consume(ConsumeContext<CampaignChanged> context) =>
        db.ProcessOnceAsync(context, nameof(CampaignChangedNoticeConsumer), ct => notices.CampaignAsync(context.Message, ct));
}

public sealed class CampaignChangedNoticeConsumerDefinition : RetryingConsumerDefinition<CampaignChangedNoticeConsumer>;
