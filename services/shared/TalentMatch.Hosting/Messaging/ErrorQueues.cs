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
        var queues = Queues;
        var counts = await CountAsync(queues.Select(q => q + "_error").ToList(), ct);
        return queues.Select((q, i) => new ErrorQueueCount(q, q + "_error", counts[i])).ToList();
    }

    /// <summary>Messages ready in each named queue (0 for one that does not exist), over one short-lived connection.</summary>
    public async Task<IReadOnlyList<uint>> CountAsync(IReadOnlyList<string> queues, CancellationToken ct)
    {
        var rabbit = settings.Value;
        var factory = new ConnectionFactory
        {
            HostName = rabbit.Host, Port = rabbit.Port, VirtualHost = rabbit.VirtualHost, UserName = rabbit.Username, Password = rabbit.Password,
            ClientProvidedName = "queue-counts",
        };
        await using var connection = await factory.CreateConnectionAsync(ct);
        var counts = new List<uint>(queues.Count);
        foreach (var queue in queues)
        {
            counts.Add(await CountOneAsync(connection, queue, ct));
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
                catch (Exception e) when (IsBrokerUnreachable(e))
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

    internal static bool IsBrokerUnreachable(Exception e) =>
        e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException;

    [LoggerMessage(Level = LogLevel.Warning, EventName = "ErrorQueuesBrokerUnreachable", Message = "Counting the error queues failed: the broker did not answer")]
    private static partial void LogBrokerUnreachable(ILogger logger, Exception e);
}

/// <summary>
/// Consumer lag for the metrics: every <see cref="Interval"/>, the messages ready in each of this service's receive
/// queues (the ones <see cref="ErrorQueues"/> recorded), by passive declare. A broker that does not answer leaves the
/// last values; the bus reports its own connection state in the readiness check.
/// </summary>
internal sealed partial class QueueDepthSampler(IServiceProvider services, ILogger<QueueDepthSampler> logger) : Microsoft.Extensions.Hosting.BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        // Resolved after the first wait: the list fills while MassTransit configures the bus, at its start.
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var queues = services.GetRequiredService<ErrorQueues>();
            var names = queues.Queues;
            if (names.Count == 0)
            {
                continue;
            }

            try
            {
                using var quiet = Observability.PlatformTelemetry.Quiet();
                var counts = await queues.CountAsync(names, stoppingToken);
                for (var i = 0; i < names.Count; i++)
                {
                    Observability.PlatformMetrics.RecordQueueDepth(names[i], counts[i]);
                }
            }
            catch (Exception e) when (ErrorQueues.IsBrokerUnreachable(e))
            {
                LogSampleFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue depths not sampled: the broker did not answer ({Reason})")]
    private static partial void LogSampleFailed(ILogger logger, string reason);
}
