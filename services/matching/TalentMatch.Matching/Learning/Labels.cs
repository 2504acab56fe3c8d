using TalentMatch.Matching.Answers;
using TalentMatch.Matching.Reviews;

namespace TalentMatch.Matching.Learning;

/// <summary>
/// Graded relevance labels from ambassadors' decisions and HR outcomes:
/// rejected 0 &lt; held 1 &lt; endorsed 2 (also contacted or declined) &lt; interviewed 3 &lt; offered/hired/agreement signed 4.
/// The researcher's answer grades the same match on the same scale: "interested" counts as an endorsement (2), "apply"
/// as an interview (3), and "not interested" because of the field, the seniority or the location as a rejection (0);
/// "not interested" for timing or another reason says nothing about the fit and gives no label. Both sides together:
/// the higher grade when the researcher is keen, at most "held" (1) when they turned it down for a reason of fit.
/// Matches nobody decided or answered (proposed, expired) have no label.
/// </summary>
public static class Labels
{
    public const int Rejected = 0, Held = 1, Endorsed = 2, Interviewed = 3, Offered = 4;

    /// <summary>The label of a match, or null when nobody decided it.</summary>
    /// <param name="outcomes">Every outcome recorded for it (the best one counts: an offer later declined was still a good match).</param>
    public static int? Grade(MatchStatus status, IEnumerable<CandidateOutcome> outcomes) => status switch
    {
        MatchStatus.Rejected => Rejected,
        MatchStatus.Held => Held,
        MatchStatus.Endorsed => Math.Max(Endorsed, outcomes.Select(Grade).DefaultIfEmpty(Endorsed).Max()),
        _ => null,
    };

    public static int? Grade(Match match, IEnumerable<CandidateOutcome>? outcomes = null) =>
        Grade(match.Status, match.Outcome is { } latest ? (outcomes ?? []).Append(latest) : outcomes ?? []);

    public static int Grade(CandidateOutcome outcome) => outcome switch
    {
        CandidateOutcome.Interviewed => Interviewed,
        CandidateOutcome.Offered or CandidateOutcome.Hired or CandidateOutcome.AgreementSigned => Offered,
        _ => Endorsed, // contacted, declined
    };

    /// <summary>The researcher's answer as a grade, or null when it says nothing about the fit.</summary>
    public static int? Grade(AnswerKind answer, NotInterestedReason? reason) => answer switch
    {
        AnswerKind.Interested => Endorsed,
        AnswerKind.Apply => Interviewed,
        _ when reason is NotInterestedReason.Field or NotInterestedReason.Seniority or NotInterestedReason.Location => Rejected,
        _ => null,
    };

    /// <summary>The label from both sides: the reviewers' grade (or null) and the researcher's answer (or null).</summary>
    public static int? Combine(int? reviewed, int? answered) => (reviewed, answered) switch
    {
        (null, var a) => a,
        (var r, null) => r,
        ({ } r, Rejected) => Math.Min(r, Held),
        ({ } r, { } a) => Math.Max(r, a),
    };
}
