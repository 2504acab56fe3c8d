namespace TalentMatch.Contracts.Positions;

/// <summary>What matching needs to know about an opening.</summary>
/// <param name="MinimumDegree">0 none, 1 bachelor, 2 master, 3 doctorate.</param>
/// <param name="CareerStageMin">EURAXESS stage 1..4.</param>
/// <param name="EmploymentMode">One flag: 1 full-time, 2 flexible part-time, 4 visiting.</param>
/// <param name="TalentTierSought">0 none, 1 young talent, 2 provincial/ministerial, 3 national.</param>
/// <param name="Languages">ISO 639-1 codes the post requires.</param>
/// <param name="Headcount">How many the position takes (a campaign's stable assignment uses it as the capacity).</param>
public sealed record PositionMatchingView(
    Guid InstitutionId,
    string Title,
    string City,
    IReadOnlyList<string> ResearchFields,
    IReadOnlyList<string> RequiredSkills,
    IReadOnlyList<string> PreferredSkills,
    int MinimumDegree,
    int CareerStageMin,
    int CareerStageMax,
    double MinimumYears,
    int EmploymentMode,
    int TalentTierSought = 0,
    IReadOnlyList<string>? Languages = null,
    DateOnly? ApplicationDeadline = null,
    int Headcount = 1);

public sealed record PositionOpened(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    PositionMatchingView View) : IIntegrationEvent;

public sealed record PositionUpdated(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    PositionMatchingView View) : IIntegrationEvent;

/// <param name="Filled">True when the position closed because it was filled, false when it was withdrawn.</param>
public sealed record PositionClosed(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion, bool Filled = false) : IIntegrationEvent;
