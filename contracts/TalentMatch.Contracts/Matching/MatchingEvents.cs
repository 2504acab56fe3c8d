namespace TalentMatch.Contracts.Matching;

/// <summary>One place in a shortlist.</summary>
public sealed record ShortlistEntry(Guid ProfileId, int Rank, double Score);

/// <summary>
/// A position's shortlist changed. Carries the whole new list (top K), so a consumer can replace what it holds.
/// The aggregate is the position; the version grows with each change of its shortlist.
/// </summary>
[OptionalAudience]
public sealed record ShortlistChanged(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    int ModelVersion, IReadOnlyList<ShortlistEntry> Entries) : IIntegrationEvent;

/// <summary>A new shortlist entry ranked high enough to be reviewed by an ambassador. The aggregate is the match.</summary>
[OptionalAudience]
public sealed record MatchProposed(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    Guid PositionId, Guid ProfileId, Guid InstitutionId, double Score, int Rank, int ModelVersion) : IIntegrationEvent;

/// <param name="Decision">endorse, reject or hold.</param>
/// <param name="Reason">For a rejection: field-mismatch, insufficient-seniority, location, already-contacted or other.</param>
/// <param name="InstitutionId">The position's institution: profiles lets its HR office see an endorsed candidate's card.</param>
/// <remarks>Still published without the mandatory flag: with it, a review made while no consumer is bound (service tests on
/// the in-memory transport, a platform without profiles) holds the outbox back. The profiles service declares its queue at
/// start-up, so in a running platform every review reaches it.</remarks>
[OptionalAudience]
public sealed record MatchReviewed(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    Guid PositionId, Guid ProfileId, string Decision, string? Reason, string Reviewer, double Score, int ModelVersion,
    Guid InstitutionId = default) : IIntegrationEvent;

/// <param name="Outcome">contacted, interviewed, offered, hired or declined.</param>
[OptionalAudience]
public sealed record CandidateOutcomeRecorded(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    Guid PositionId, Guid ProfileId, string Outcome, string RecordedBy) : IIntegrationEvent;

/// <summary>A retrained model beat the champion on held-out positions and now ranks every shortlist.</summary>
public sealed record RankingModelPromoted(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    int ModelVersion, int? PreviousModelVersion, double HeldOutNdcgAt10, double? PreviousHeldOutNdcgAt10) : IIntegrationEvent;
