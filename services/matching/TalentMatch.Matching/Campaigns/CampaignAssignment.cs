using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Assignment;
using TalentMatch.Hosting.Web;
using TalentMatch.Matching.Answers;
using TalentMatch.Matching.Reviews;

namespace TalentMatch.Matching.Campaigns;

/// <summary>One computed assignment of a campaign, kept as computed (the latest is shown; earlier ones stay as history).</summary>
public sealed class CampaignAssignmentRun
{
    public long Id { get; set; }
    public Guid CampaignId { get; set; }
    public DateTimeOffset ComputedAt { get; set; }

    /// <summary>"campaign closed", or the administrator who asked.</summary>
    public required string Trigger { get; set; }

    /// <summary>The <see cref="AssignmentView"/> as JSON.</summary>
    public required string Result { get; set; }
}

/// <summary>A proposed offer: the researcher and position with both sides' ranks, and what the researcher preferred that did not take them.</summary>
public sealed record ProposedOffer(
    Guid ProfileId, Guid PositionId, Guid MatchId, int ResearcherRankOfPosition, int PositionRankOfResearcher,
    IReadOnlyList<PositionRefusal> PreferredPositions);

/// <summary>A campaign's stable assignment: proposals for HR offices to confirm (by recording an offer), never decisions.</summary>
public sealed record AssignmentView(
    Guid CampaignId, DateTimeOffset ComputedAt, string Trigger, int Researchers, int Positions, int Capacity,
    IReadOnlyList<ProposedOffer> Offers, IReadOnlyList<UnplacedResearcher> Unplaced);

/// <summary>
/// The researcher-proposing deferred-acceptance assignment of a campaign (hospitals/residents with capacities):
/// a position's list is its endorsed candidates in the HR office's order (else by the model's score); a researcher's
/// list is the campaign's positions that endorsed them, those they are interested in (or applied to) first, by their
/// own preference rank, then by the model's score. A position a researcher dismissed is not on their list; a researcher
/// who left matching with a signed agreement, or withdrew, is not in the instance; capacity is the headcount.
/// </summary>
public static class CampaignAssignment
{
    /// <summary>Computes the assignment and adds it to <paramref name="db"/>; the caller saves it.</summary>
    public static async Task<AssignmentView?> ComputeAsync(MatchingDbContext db, Guid campaignId, string trigger, CancellationToken ct)
    {
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.CampaignId == campaignId, ct);
        if (campaign is null)
        {
            return null;
        }

        var positionIds = campaign.PositionIds;
        var positions = await db.Positions.AsNoTracking().Where(p => positionIds.Contains(p.PositionId) && !p.Closed)
            .Select(p => new { p.PositionId, p.Headcount }).ToListAsync(ct);
        var open = positions.Select(p => p.PositionId).ToList();
        var endorsed = await db.Matches.AsNoTracking()
            .Where(m => open.Contains(m.PositionId) && m.Status == MatchStatus.Endorsed)
            .Join(db.CandidateProfiles.Where(p => !p.Withdrawn && !p.Placed), m => m.ProfileId, p => p.ProfileId, (m, p) => m)
            .ToListAsync(ct);
        var profiles = endorsed.Select(m => m.ProfileId).Distinct().ToList();
        var answers = (await db.ResearcherAnswers.AsNoTracking()
                .Where(a => open.Contains(a.PositionId) && profiles.Contains(a.ProfileId)).ToListAsync(ct))
            .ToDictionary(a => (a.ProfileId, a.PositionId));
        var acceptable = endorsed
            .Where(m => answers.GetValueOrDefault((m.ProfileId, m.PositionId)) is not { Answer: AnswerKind.NotInterested })
            .ToList();

        var positionLists = positions.Select(p => new PositionPreferences(p.PositionId, p.Headcount,
            acceptable.Where(m => m.PositionId == p.PositionId)
                .OrderBy(m => m.HrRank ?? int.MaxValue).ThenByDescending(m => m.Score).ThenBy(m => m.ProfileId)
                .Select(m => m.ProfileId).ToList())).ToList();
        var researcherLists = acceptable.GroupBy(m => m.ProfileId).OrderBy(g => g.Key).Select(g => new ResearcherPreferences(g.Key,
            g.OrderBy(m => answers.GetValueOrDefault((m.ProfileId, m.PositionId)) is { Answer: not AnswerKind.NotInterested } a ? a.PreferenceRank ?? 1000 : int.MaxValue)
                .ThenByDescending(m => m.Score).ThenBy(m => m.PositionId)
                .Select(m => m.PositionId).ToList())).ToList();

        var result = DeferredAcceptance.ResearcherProposing(new AssignmentInstance(researcherLists, positionLists));
        var explained = result.Explain();
        var matchIds = acceptable.ToDictionary(m => (m.ProfileId, m.PositionId), m => m.Id);
        var now = DateTimeOffset.UtcNow;
        var view = new AssignmentView(campaignId, now, trigger, researcherLists.Count, positionLists.Count, positionLists.Sum(p => p.Capacity),
            explained.Pairs.Select(p => new ProposedOffer(p.ResearcherId, p.PositionId, matchIds[(p.ResearcherId, p.PositionId)],
                p.ResearcherRankOfPosition, p.PositionRankOfResearcher, p.PreferredPositions)).ToList(),
            explained.Unplaced);
        db.CampaignAssignments.Add(new CampaignAssignmentRun
        {
            CampaignId = campaignId, ComputedAt = now, Trigger = trigger, Result = JsonSerializer.Serialize(view, ServiceDefaults.Json),
        });
        return view;
    }

    public static async Task<AssignmentView?> LatestAsync(MatchingDbContext db, Guid campaignId, CancellationToken ct)
    {
        var json = await db.CampaignAssignments.AsNoTracking().Where(a => a.CampaignId == campaignId)
            .OrderByDescending(a => a.ComputedAt).ThenByDescending(a => a.Id).Select(a => a.Result).FirstOrDefaultAsync(ct);
        return json is null ? null : JsonSerializer.Deserialize<AssignmentView>(json, ServiceDefaults.Json);
    }
}
