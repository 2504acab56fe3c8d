namespace TalentMatch.Contracts.Identity;

/// <summary>
/// An account was deleted. Every service stops accepting the account's tokens (they are revoked as of
/// <see cref="IIntegrationEvent.OccurredAt"/>); profiles erases the researcher's profile (its id is the account id).
/// <see cref="IIntegrationEvent.AggregateId"/> is the account id.
/// </summary>
public sealed record AccountDeleted(
    Guid EventId, DateTimeOffset OccurredAt, Guid AggregateId, long AggregateVersion) : IIntegrationEvent;
