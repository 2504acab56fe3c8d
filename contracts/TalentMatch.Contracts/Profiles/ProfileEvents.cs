namespace TalentMatch.Contracts.Profiles;

/// <summary>
/// The part of a profile that matching may see. It is keyed by the pseudonymous profile id and carries no
/// personal data: no name, e-mail, phone or anything else that identifies the researcher.
/// </summary>
/// <param name="DegreeLevel">0 none, 1 bachelor, 2 master, 3 doctorate.</param>
/// <param name="CareerStage">EURAXESS stage 1..4 (R1..R4).</param>
/// <param name="EmploymentModes">Flags: 1 full-time, 2 flexible part-time, 4 visiting.</param>
/// <param name="TalentTier">Highest talent-programme honour: 0 none, 1 young talent, 2 provincial/ministerial, 3 national.</param>
/// <param name="Languages">ISO 639-1 codes, e.g. zh, en.</param>
public sealed record ProfileMatchingView(
    IReadOnlyList<string> ResearchFields,
    IReadOnlyList<string> Skills,
    int DegreeLevel,
    int CareerStage,
    double YearsOfExperience,
    int PublicationsCount,
    IReadOnlyList<string> PreferredCities,
    int EmploymentModes,
    bool ConsentToMatching,
    int HIndex = 0,
    int GrantsLed = 0,
    int TalentTier = 0,
    IReadOnlyList<string>? Languages = null,
    DateOnly? EarliestStartDate = null);

public sealed record ProfileRegistered(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    ProfileMatchingView View) : IIntegrationEvent;

public sealed record ProfileUpdated(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    ProfileMatchingView View) : IIntegrationEvent;

public sealed record ProfileWithdrawn(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion) : IIntegrationEvent;

/// <summary>
/// The researcher erased their profile: every copy of it must go. Consumers delete or anonymise what they hold
/// under this profile id (read model, shortlists, recommendations, training data).
/// </summary>
public sealed record ProfileErased(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion) : IIntegrationEvent;
