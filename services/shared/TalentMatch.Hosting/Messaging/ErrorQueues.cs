using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using TalentMatch.Hosting.Auth;

namespace TalentMatch.Hosting.Messaging;

/// <summary>How many dead-lettered messages wait in one receive endpoint's error queue.</summary>
public sealed record ErrorQueueCount(string Queue, string ErrorQueue, uint Messages);

/// <summary>The service's answer: its own receive endpoints' error queues (MassTransit's <c>&lt;queue&gt;_error</c>).</summary>
public sealed record ErrorQueuesResponse(string Service, IReadOnlyList<ErrorQueueCount> Queues, uint Total);

/// <summary>
/// The receive endpoints this service's bus configured (recorded as MassTransit configures them), and the number of
/// messages in each one's error queue, read from the broker with a passive declare: nothing is created or consumed.
/// An error queue MassTransit has not created yet (nothing has failed there) counts 0.
/// </summary>
public sealed partial class ErrorQueues(IOptions<RabbitMqSettings> settings)
{
    private readonly ConcurrentDictionary<string, byte> _queues = new(StringComparer.Ordinal);

    internal void Record(string queue) => _queues.TryAdd(queue, 0);

    public IReadOnlyList<string> Queues => _queues.Keys.Order(StringComparer.Ordinal).ToList();

    public async Task<IReadOnlyList<ErrorQueueCount>> CountAsync(CancellationToken ct)
    {
        var rabbit = settings.Value;
        var factory = new ConnectionFactory
        {
            HostName = rabbit.Host, Port = rabbit.Port, VirtualHost = rabbit.VirtualHost, UserName = rabbit.Username, Password = rabbit.Password,
            ClientProvidedName = "error-queue-counts",
        };
        await using var connection = await factory.CreateConnectionAsync(ct);
        var counts = new List<ErrorQueueCount>();
        foreach (var queue in Queues)
        {
            counts.Add(new ErrorQueueCount(queue, queue + "_error", await CountOneAsync(connection, queue + "_error", ct)));
        }

        return counts;
    }

    private static async Task<uint> CountOneAsync(IConnection connection, string queue, CancellationToken ct)
    {
        // A passive declare of a missing queue closes its channel: one channel per queue.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    public static IEndpointRouteBuilder MapErrorQueuesApi(IEndpointRouteBuilder app, string service)
    {
        app.MapGet("/api/ops/error-queues", async (ErrorQueues queues, ILogger<ErrorQueues> logger, CancellationToken ct) =>
            {
                try
                {
                    var counts = await queues.CountAsync(ct);
                    return Results.Ok(new ErrorQueuesResponse(service, counts, (uint)counts.Sum(c => c.Messages)));
                }
                catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException)
                {
                    LogBrokerUnreachable(logger, e);
                    return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The message broker does not answer.",
                        detail: "The error queues cannot be counted now; the service keeps running and retries its own connection.");
                }
            })
            .RequireAuthorization(PlatformAuthentication.AdminPolicy).WithTags("Operations").WithName("CountErrorQueues")
            .WithSummary("Dead-lettered messages per receive endpoint of this service (its MassTransit error queues); nothing is consumed.");
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, EventName = "ErrorQueuesBrokerUnreachable", Message = "Counting the error queues failed: the broker did not answer")]
    private static partial void LogBrokerUnreachable(ILogger logger, Exception e);
}
