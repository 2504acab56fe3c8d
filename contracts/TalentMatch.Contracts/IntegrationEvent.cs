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

/// <summary>
/// Marks an event published for whoever subscribes (notifications, analytics, integrations) that no part of the
/// platform needs in order to work. It is published without RabbitMQ's mandatory flag, so the broker does not return
/// it while nobody has bound a queue. Events without this mark must reach a queue and are retried until one exists.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OptionalAudienceAttribute : Attribute;
