using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TalentMatch.Contracts;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Hosting.Messaging;

/// <summary>Broker settings, bound from the <c>RabbitMq</c> configuration section.</summary>
public sealed class RabbitMqSettings
{
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>Messages each receive endpoint takes from the broker ahead; also its concurrency limit. 0 = MassTransit's default.</summary>
    public ushort PrefetchCount { get; set; }
}

public static class ServiceMessaging
{
    /// <summary>
    /// MassTransit on RabbitMQ with publisher confirms and durable quorum queues, plus the outbox relay of
    /// <typeparamref name="TContext"/>. <c>Messaging:Transport=InMemory</c> swaps the broker for MassTransit's
    /// in-memory transport; service tests use it, end-to-end tests never do.
    /// </summary>
    public static WebApplicationBuilder AddServiceMessaging<TContext>(
        this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator>? consumers = null)
        where TContext : DbContext
    {
        var rabbit = builder.Configuration.GetSection("RabbitMq").Get<RabbitMqSettings>() ?? new RabbitMqSettings();
        var inMemory = string.Equals(builder.Configuration["Messaging:Transport"], "InMemory", StringComparison.OrdinalIgnoreCase);

        var serviceName = builder.Environment.ApplicationName.Replace('.', '-').ToLowerInvariant();
        // The receive endpoints, recorded as MassTransit configures them, for the error-queue counts (ErrorQueues).
        var endpoints = new List<string>();
        builder.Services.AddMassTransit(x =>
        {
            // MassTransit (8.4 and 8.5) reports usage telemetry to its vendor by default; the platform makes no call outside the
            // deployment that an operator did not configure.
            x.DisableUsageTelemetry();
            x.SetKebabCaseEndpointNameFormatter();
            consumers?.Invoke(x);
            x.AddTokenRevocationConsumer<TContext>(serviceName);
            x.ConfigureHealthCheckOptions(o =>
            {
                o.Name = "broker";
                o.Tags.Clear();
                o.Tags.Add(HealthTags.Ready);
            });
            x.AddConfigureEndpointsCallback((queue, endpoint) =>
            {
                endpoints.Add(queue);
                ConfigureRabbitMqEndpoint(endpoint);
            });

            if (inMemory)
            {
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.Publish<IIntegrationEvent>(p => p.Exclude = true);
                    cfg.ConfigureEndpoints(context);
                });
                return;
            }

            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                    h.PublisherConfirmation = true;
                });
                if (rabbit.PrefetchCount > 0)
                {
                    cfg.PrefetchCount = rabbit.PrefetchCount;
                }

                // The _error and _skipped queues MassTransit derives are durable quorum queues too, so a dead-lettered
                // message survives a broker crash like any other.
                cfg.SendTopology.ConfigureErrorSettings = settings => settings.SetQuorumQueue();
                cfg.SendTopology.ConfigureDeadLetterSettings = settings => settings.SetQuorumQueue();
                // Events are routed by their concrete contract type only; no exchange for the marker interface.
                cfg.Publish<IIntegrationEvent>(p => p.Exclude = true);
                cfg.ConfigureEndpoints(context);
            });
        });

        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            // Start serving HTTP even while the broker is down; readiness reports it and MassTransit reconnects.
            o.WaitUntilStarted = false;
            // Graceful shutdown: the endpoints stop taking messages; in-flight consumers get ConsumerStopTimeout to
            // finish (commit, then ack) before their CancellationToken fires (rollback, then the unacknowledged message
            // goes back to the queue when the channel closes). Nothing is acknowledged before its commit.
            o.ConsumerStopTimeout = TimeSpan.FromSeconds(15);
            o.StopTimeout = TimeSpan.FromSeconds(25);
        });
        // The host must wait at least as long as MassTransit does (the default, 30 s, just fits; make it explicit).
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(35));
        builder.Services.AddOptions<OutboxRelayOptions>().BindConfiguration("Outbox");
        builder.Services.AddOptions<InboxOptions>().BindConfiguration("Inbox");
        builder.Services.AddSingleton<InboxBatcher<TContext>>();
        // Runs after the database migrator (registered earlier by AddServiceDatabase), before the relay.
        builder.Services.AddHostedService<MessagingStartup<TContext>>();
        builder.Services.AddHostedService<OutboxRelay<TContext>>();
        builder.Services.AddHostedService<TokenRevocationRefresher<TContext>>();
        if (!inMemory)
        {
            builder.Services.AddSingleton(Options.Create(rabbit));
            builder.Services.AddSingleton(sp =>
            {
                // The bus is configured before anything asks for the counts (the endpoint resolves this after start-up).
                var queues = ActivatorUtilities.CreateInstance<ErrorQueues>(sp);
                endpoints.ForEach(queues.Record);
                return queues;
            });
            builder.Services.AddHostedService<QueueDepthSampler>();
            builder.Services.AddOptions<BusWatchdogOptions>().BindConfiguration("Messaging:Watchdog");
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddHostedService<BusWatchdog>();
        }

        return builder;
    }

    /// <summary>What every RabbitMQ receive endpoint of the platform gets: a durable quorum queue.</summary>
    public static void ConfigureRabbitMqEndpoint(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator queue)
        {
            queue.SetQuorumQueue();
        }
    }
}

/// <summary>
/// Consumer definition with the platform's retry policy. Two layers:
/// <list type="bullet">
/// <item>Transient faults (the database or network unreachable, a serialization failure or deadlock) are retried with
/// exponential back-off for up to about five minutes, so an outage of the consumer's own database delays messages but
/// does not dead-letter them.</item>
/// <item>Anything else is retried at 0.1, 0.5, 2 and 5 s; a message that still fails is a poison message: it goes to
/// the consumer's <c>_error</c> queue with its exception (MT-Fault-* headers) and the queue keeps flowing.</item>
/// </list>
/// Retries run in memory while the message stays unacknowledged, so a crash during them redelivers it.
/// </summary>
public abstract class RetryingConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<Exception>(TransientFaults.IsTransient);
            r.Exponential(14, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        });
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<Exception>(TransientFaults.IsTransient);
            r.Intervals(100, 500, 2000, 5000);
        });
    }
}

/// <summary>Which consumer exceptions are worth waiting out rather than dead-lettering.</summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException pg:
                    // 08 connection, 40 serialization/deadlock, 53 resources, 57P admin shutdown/crash, 58 system.
                    return pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal);
                case Npgsql.NpgsqlException npgsql when npgsql.IsTransient:
                case TimeoutException:
                case System.Net.Sockets.SocketException:
                case IOException:
                    return true;
                case Npgsql.NpgsqlException npgsql when npgsql.InnerException is null:
                    return npgsql.Message.Contains("connection", StringComparison.OrdinalIgnoreCase);
            }
        }

        return false;
    }
}

/// <summary>
/// Start-up of the messaging component: wires <see cref="OutboxMode.Direct"/> (load-driver comparison only) and creates
/// the <see cref="InboxOptions.RecordApplications"/> diagnostics table when that measurement is on.
/// </summary>
internal sealed partial class MessagingStartup<TContext>(
    IServiceProvider services,
    OutboxSignal signal,
    IOptions<OutboxRelayOptions> outbox,
    IOptions<InboxOptions> inbox,
    ILogger<MessagingStartup<TContext>> logger) : IHostedService where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (outbox.Value.Mode == OutboxMode.Direct)
        {
            LogDirectMode(logger, typeof(TContext).Name);
            var bus = services.GetRequiredService<IBus>();
            // Concurrently, as the requests of a group commit would each publish their own event after it.
            signal.DirectPublish = (events, ct) => Task.WhenAll(events.Select(async e =>
            {
                try
                {
                    await OutboxPublisher.PublishAsync(bus, e, ct);
                }
                catch (Exception ex)
                {
                    // The dual-write problem the outbox exists to solve: this event is now lost.
                    LogDirectPublishFailed(logger, e.MessageType, e.Id, ex);
                }
            }));
        }

        if (inbox.Value.RecordApplications)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await db.Database.ExecuteSqlRawAsync(Inbox.CreateApplicationsTableSql, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Context}: Outbox:Mode=Direct: events are published after commit without an outbox (comparison runs only; events can be lost)")]
    private static partial void LogDirectMode(ILogger logger, string context);

    [LoggerMessage(Level = LogLevel.Error, Message = "Direct publish of {MessageType} {MessageId} failed; the event is lost")]
    private static partial void LogDirectPublishFailed(ILogger logger, string messageType, Guid messageId, Exception exception);
}

/// <summary>
/// For consumers that apply messages through <see cref="InboxBatcher{TContext}"/>: enough deliveries in flight at once
/// (prefetch and concurrency <see cref="Concurrency"/>) for the batcher to group them into shared transactions.
/// Order between messages was never guaranteed; aggregate versions decide which state wins.
/// </summary>
public abstract class BatchedInboxConsumerDefinition<TConsumer> : RetryingConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public const int Concurrency = 64;

    protected BatchedInboxConsumerDefinition() => ConcurrentMessageLimit = Concurrency;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit && rabbit.PrefetchCount < Concurrency)
        {
            rabbit.PrefetchCount = Concurrency;
        }

        base.ConfigureConsumer(endpointConfigurator, consumerConfigurator, context);
    }
}
