using TalentMatch.Matching.Reviews;

namespace TalentMatch.Matching.Learning;

/// <summary>
/// Graded relevance labels from ambassadors' decisions and HR outcomes:
/// rejected 0 &lt; held 1 &lt; endorsed 2 (also contacted or declined) &lt; interviewed 3 &lt; offered/hired 4.
/// Only matches with a decision count; proposed and expired ones have no label.
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
        CandidateOutcome.Offered or CandidateOutcome.Hired => Offered,
        _ => Endorsed, // contacted, declined
    };
}
