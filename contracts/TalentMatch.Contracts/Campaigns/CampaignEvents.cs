namespace TalentMatch.Contracts.Campaigns;

/// <summary>
/// A recruitment campaign as it now stands (created, changed, positions attached or detached, ambassadors appointed or
/// removed, closed). Carries the whole campaign, so a consumer replaces what it holds when the version is newer.
/// No personal data: ambassadors are named by their opaque account ids, never by name, e-mail or appointment letter.
/// </summary>
/// <param name="Status">open or closed.</param>
/// <param name="OrganiserInstitutionId">The organising institution, whose HR office runs the campaign; null for a body
/// such as a municipal organisation department, whose campaigns administrators run.</param>
public sealed record CampaignChanged(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion,
    string Status, string NameEn, string NameZh, Guid? OrganiserInstitutionId, DateOnly OpensOn, DateOnly ClosesOn, int TargetHires,
    IReadOnlyList<Guid> InstitutionIds, IReadOnlyList<Guid> PositionIds, IReadOnlyList<Guid> AmbassadorAccountIds) : IIntegrationEvent;
