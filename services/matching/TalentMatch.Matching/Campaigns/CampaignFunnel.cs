using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Matching.Answers;
using TalentMatch.Matching.Reviews;

namespace TalentMatch.Matching.Campaigns;

/// <summary>
/// One line of a campaign's funnel: how many matches reached each stage, and the median days between stages
/// (over the matches that reached both). <see cref="Level"/> is campaign, institution or position.
/// </summary>
public sealed record FunnelRow(
    string Level, Guid? InstitutionId, Guid? PositionId, string? PositionTitle,
    int Proposed, int Endorsed, int Interested, int Applied, int Interviewed, int Offered,
    int SignedFullTime, int SignedFlexible, int SignedVisiting,
    double? MedianDaysProposedToEndorsed, double? MedianDaysEndorsedToInterviewed, double? MedianDaysInterviewedToOffered,
    double? MedianDaysOfferedToSigned)
{
    public int Signed => SignedFullTime + SignedFlexible + SignedVisiting;
}

public sealed record FunnelView(
    Guid CampaignId, string NameEn, string NameZh, int TargetHires, FunnelRow Total, IReadOnlyList<FunnelRow> Institutions,
    IReadOnlyList<FunnelRow> Positions);

/// <summary>
/// A campaign's funnel: proposed → endorsed → interested / applied (the researcher's answer) → interviewed → offered →
/// agreement signed (by type), for the campaign, each institution and each position.
/// </summary>
public static class CampaignFunnel
{
    private sealed record Path(
        Guid InstitutionId, Guid PositionId, DateTimeOffset Proposed, DateTimeOffset? Endorsed, AnswerKind? Answer,
        DateTimeOffset? Interviewed, DateTimeOffset? Offered, DateTimeOffset? Signed, AgreementType? SignedAs);

    public static async Task<FunnelView?> BuildAsync(MatchingDbContext db, Guid campaignId, CancellationToken ct)
    {
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.CampaignId == campaignId, ct);
        if (campaign is null)
        {
            return null;
        }

        var positionIds = campaign.PositionIds;
        var titles = await db.Positions.AsNoTracking().Where(p => positionIds.Contains(p.PositionId))
            .ToDictionaryAsync(p => p.PositionId, p => (p.Title, p.InstitutionId), ct);
        var matches = await db.Matches.AsNoTracking().Where(m => positionIds.Contains(m.PositionId))
            .Select(m => new { m.Id, m.PositionId, m.ProfileId, m.InstitutionId, m.ProposedAt }).ToListAsync(ct);
        var ids = matches.Select(m => m.Id).ToList();
        var endorsedAt = (await db.MatchDecisions.AsNoTracking().Where(d => ids.Contains(d.MatchId) && d.Decision == ReviewDecision.Endorse)
                .Select(d => new { d.MatchId, d.DecidedAt }).ToListAsync(ct))
            .GroupBy(d => d.MatchId).ToDictionary(g => g.Key, g => g.Min(d => d.DecidedAt));
        var outcomes = (await db.MatchOutcomes.AsNoTracking().Where(o => ids.Contains(o.MatchId)).ToListAsync(ct)).ToLookup(o => o.MatchId);
        var answers = (await db.ResearcherAnswers.AsNoTracking().Where(a => positionIds.Contains(a.PositionId)).ToListAsync(ct))
            .ToDictionary(a => (a.ProfileId, a.PositionId), a => a.Answer);

        DateTimeOffset? First(Guid match, CandidateOutcome outcome) =>
            outcomes[match].Where(o => o.Outcome == outcome).Select(o => (DateTimeOffset?)o.RecordedAt).Min();
        var paths = matches.Select(m => new Path(
            m.InstitutionId, m.PositionId, m.ProposedAt, endorsedAt.TryGetValue(m.Id, out var e) ? e : null,
            answers.TryGetValue((m.ProfileId, m.PositionId), out var a) ? a : null,
            First(m.Id, CandidateOutcome.Interviewed), First(m.Id, CandidateOutcome.Offered) ?? First(m.Id, CandidateOutcome.Hired),
            First(m.Id, CandidateOutcome.AgreementSigned),
            outcomes[m.Id].Where(o => o.Outcome == CandidateOutcome.AgreementSigned).OrderBy(o => o.RecordedAt).Select(o => o.AgreementType).FirstOrDefault()))
            .ToList();

        var institutions = campaign.InstitutionIds
            .Select(i => Row("institution", i, null, null, paths.Where(p => p.InstitutionId == i).ToList())).ToList();
        var positions = campaign.PositionIds
            .Select(p => Row("position", titles.TryGetValue(p, out var t) ? t.InstitutionId : null, p, titles.TryGetValue(p, out var t2) ? t2.Title : null,
                paths.Where(x => x.PositionId == p).ToList()))
            .ToList();
        return new FunnelView(campaignId, campaign.NameEn, campaign.NameZh, campaign.TargetHires, Row("campaign", null, null, null, paths),
            institutions, positions);
    }

    private static FunnelRow Row(string level, Guid? institution, Guid? position, string? title, IReadOnlyList<Path> paths) => new(
        level, institution, position, title,
        paths.Count,
        paths.Count(p => p.Endorsed is not null),
        paths.Count(p => p.Answer is AnswerKind.Interested or AnswerKind.Apply),
        paths.Count(p => p.Answer is AnswerKind.Apply),
        paths.Count(p => p.Interviewed is not null),
        paths.Count(p => p.Offered is not null),
        paths.Count(p => p.SignedAs == AgreementType.FullTime),
        paths.Count(p => p.SignedAs == AgreementType.Flexible),
        paths.Count(p => p.SignedAs == AgreementType.Visiting),
        MedianDays(paths, p => p.Proposed, p => p.Endorsed),
        MedianDays(paths, p => p.Endorsed, p => p.Interviewed),
        MedianDays(paths, p => p.Interviewed, p => p.Offered),
        MedianDays(paths, p => p.Offered, p => p.Signed));

    private static double? MedianDays(IEnumerable<Path> paths, Func<Path, DateTimeOffset?> from, Func<Path, DateTimeOffset?> to)
    {
        var days = paths.Where(p => from(p) is not null && to(p) is not null)
            .Select(p => (to(p)!.Value - from(p)!.Value).TotalDays).Order().ToList();
        if (days.Count == 0)
        {
            return null;
        }

        var middle = days.Count / 2;
        return Math.Round(days.Count % 2 == 1 ? days[middle] : (days[middle - 1] + days[middle]) / 2, 1);
    }

    /// <summary>The funnel as CSV (RFC 4180, invariant culture): one line per campaign, institution and position row.</summary>
    public static string Csv(FunnelView view)
    {
        var csv = new StringBuilder();
        csv.Append("level,institution_id,position_id,position_title,proposed,endorsed,interested,applied,interviewed,offered,")
            .Append("signed_full_time,signed_flexible,signed_visiting,signed,median_days_proposed_to_endorsed,")
            .Append("median_days_endorsed_to_interviewed,median_days_interviewed_to_offered,median_days_offered_to_signed\r\n");
        foreach (var r in view.Institutions.Prepend(view.Total).Concat(view.Positions))
        {
            csv.AppendJoin(',', [
                r.Level, r.InstitutionId?.ToString() ?? "", r.PositionId?.ToString() ?? "", Quote(r.PositionTitle),
                N(r.Proposed), N(r.Endorsed), N(r.Interested), N(r.Applied), N(r.Interviewed), N(r.Offered),
                N(r.SignedFullTime), N(r.SignedFlexible), N(r.SignedVisiting), N(r.Signed),
                D(r.MedianDaysProposedToEndorsed), D(r.MedianDaysEndorsedToInterviewed), D(r.MedianDaysInterviewedToOffered), D(r.MedianDaysOfferedToSigned)]).Append("\r\n");
        }

        return csv.ToString();

        static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        static string D(double? d) => d?.ToString("0.0", CultureInfo.InvariantCulture) ?? "";
        static string Quote(string? s) => s is null ? "" : "\"" + s.Replace("\"", "\"\"") + "\"";
    }
}
