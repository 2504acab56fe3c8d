namespace TalentMatch.Matching.Answers;

public enum AnswerKind { Interested = 0, NotInterested = 1, Apply = 2 }

/// <summary>Why a researcher is not interested in a recommended position.</summary>
public enum NotInterestedReason { Location = 0, Field = 1, Seniority = 2, Timing = 3, Other = 4 }

/// <summary>
/// A researcher's answer to a recommended position: the latest one counts (they may change their mind). Ambassadors
/// and HR offices see it on the match; it is a training label; a dismissed position leaves the researcher's list.
/// </summary>
public sealed class ResearcherAnswer
{
    public Guid ProfileId { get; set; }
    public Guid PositionId { get; set; }
    public AnswerKind Answer { get; set; }
    public NotInterestedReason? Reason { get; set; }
    public string? ReasonText { get; set; }

    /// <summary>For interested or apply: the researcher's rank of this position among those they want (1 = first choice).</summary>
    public int? PreferenceRank { get; set; }

    public DateTimeOffset AnsweredAt { get; set; }
}
