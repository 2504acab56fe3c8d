namespace TalentMatch.Contracts;

/// <summary>
/// What every published event carries. <see cref="AggregateVersion"/> starts at 1 and grows by one with each
/// change, so a consumer can ignore a message older than what it already holds.
/// </summary>
public interface IIntegrationEvent
{
    Guid EventId { get; }
    DateTimeOffset OccurredAt { get; }
    Guid AggregateId { get; }
    long AggregateVersion { get; }
}
