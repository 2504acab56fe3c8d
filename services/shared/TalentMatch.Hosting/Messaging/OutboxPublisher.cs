using System.Text.Json;
using MassTransit;

namespace TalentMatch.Hosting.Messaging;

/// <summary>How committed events reach the broker. Bound from the <c>Outbox</c> configuration section.</summary>
public enum OutboxMode
{
    /// <summary>The default: rows are committed with the data change and published by the background relay.</summary>
    Relay,

    /// <summary>
    /// Comparison baseline only (the load driver's "direct" run): no outbox row is written; the events of a SaveChanges
    /// are published right after its commit, in the request. An event is lost if the process dies or the broker is
    /// unreachable between commit and publish: never use this in production.
    /// </summary>
    Direct,
}

/// <summary>Crash-injection points of the relay, for fault tests. Off unless <c>Outbox:CrashAt</c> is set.</summary>
public enum OutboxCrashPoint
{
    None,

    /// <summary>The rows are committed and claimed, nothing is published yet: the process kills itself (SIGKILL).</summary>
    BeforePublish,

    /// <summary>The broker has confirmed every row of the batch, none is marked sent yet: the process kills itself.</summary>
    AfterPublish,
}

/// <summary>Publishes one outbox row as its contract type, MessageId = row id, mandatory (unless optional-audience), persistent, with confirms.</summary>
internal static class OutboxPublisher
{
    public static async Task PublishAsync(IBus bus, OutboxMessage row, CancellationToken cancellationToken)
    {
        var type = Outbox.ResolveType(row.MessageType)
            ?? throw new InvalidOperationException($"Unknown message type '{row.MessageType}'.");
        var message = JsonSerializer.Deserialize(row.Payload, type, Outbox.PayloadJson)
            ?? throw new InvalidOperationException("Empty payload.");
        await bus.Publish(message, type, context =>
        {
            context.MessageId = row.Id;
            context.Durable = true;
            if (context.TryGetPayload(out RabbitMqSendContext? rabbit))
            {
                // A message no queue is bound for is returned (MessageReturnedException) instead of confirmed and dropped;
                // events marked [OptionalAudience] have no required consumer and go out without the flag.
                rabbit.Mandatory = !type.IsDefined(typeof(TalentMatch.Contracts.OptionalAudienceAttribute), inherit: false);
            }
        }, cancellationToken);
    }
}
