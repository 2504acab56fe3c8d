namespace TalentMatch.Matching.Reviews;

public enum MatchStatus { Proposed = 0, Endorsed = 1, Rejected = 2, Held = 3, Expired = 4 }

public enum ReviewDecision { Endorse = 0, Reject = 1, Hold = 2 }

public enum RejectionReason { FieldMismatch = 0, InsufficientSeniority = 1, Location = 2, AlreadyContacted = 3, Other = 4 }

public enum CandidateOutcome { Contacted = 0, Interviewed = 1, Offered = 2, Hired = 3, Declined = 4, AgreementSigned = 5 }

/// <summary>Full-time; flexible (part-time, days per year or months, the home institution kept); visiting.</summary>
public enum AgreementType { FullTime = 0, Flexible = 1, Visiting = 2 }

/// <summary>
/// A proposed candidate–position match for ambassadors to review, with what the ranking saw when it proposed it:
/// score, model version, the feature vector and the baseline score (both kept for training and evaluation).
/// A match whose candidate left the shortlist before review is <see cref="MatchStatus.Expired"/>.
/// </summary>
public sealed class Match
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public Guid PositionId { get; set; }
    public Guid ProfileId { get; set; }
    public Guid InstitutionId { get; set; }
    public string[] ResearchFields { get; set; } = [];
    public double Score { get; set; }
    public double BaselineScore { get; set; }
    public int Rank { get; set; }
    public int ModelVersion { get; set; }
    public float[] Features { get; set; } = [];
    public string TopContributions { get; set; } = "[]";
    public MatchStatus Status { get; set; }
    public DateTimeOffset ProposedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecidedBy { get; set; }
    public RejectionReason? Reason { get; set; }
    public string? ReasonText { get; set; }
    public CandidateOutcome? Outcome { get; set; }
    public DateTimeOffset? OutcomeAt { get; set; }

    /// <summary>The HR office's own order among its endorsed candidates (1 first), when it reordered them; else by score.</summary>
    public int? HrRank { get; set; }
}

/// <summary>Audit trail: every decision with who, when, and what the ranking showed the reviewer.</summary>
public sealed class MatchDecision
{
    public long Id { get; set; }
    public Guid MatchId { get; set; }
    public ReviewDecision Decision { get; set; }
    public RejectionReason? Reason { get; set; }
    public string? ReasonText { get; set; }
    public required string Reviewer { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
    public double Score { get; set; }
    public int ModelVersion { get; set; }
    public float[] Features { get; set; } = [];
}

/// <summary>An HR office's record of what happened with an endorsed candidate; a signed agreement with its terms.</summary>
public sealed class MatchOutcome
{
    public long Id { get; set; }
    public Guid MatchId { get; set; }
    public CandidateOutcome Outcome { get; set; }
    public required string RecordedBy { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public AgreementType? AgreementType { get; set; }
    public int? DaysPerYear { get; set; }
    public int? Months { get; set; }
    public bool? HomeInstitutionKept { get; set; }
    public DateOnly? StartDate { get; set; }
    public DateOnly? EndDate { get; set; }

    /// <summary>Whether the researcher leaves other matching (a full-time agreement does unless they say otherwise; others do not unless they say so).</summary>
    public bool? WithdrawsFromMatching { get; set; }
}
