using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Contracts;
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

        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            consumers?.Invoke(x);
            x.ConfigureHealthCheckOptions(o =>
            {
                o.Name = "broker";
                o.Tags.Clear();
                o.Tags.Add(HealthTags.Ready);
            });
            x.AddConfigureEndpointsCallback((_, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator queue)
                {
                    queue.SetQuorumQueue();
                }
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
                // Events are routed by their concrete contract type only; no exchange for the marker interface.
                cfg.Publish<IIntegrationEvent>(p => p.Exclude = true);
                cfg.ConfigureEndpoints(context);
            });
        });

        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            // Start serving HTTP even while the broker is down; readiness reports it and MassTransit reconnects.
            o.WaitUntilStarted = false;
            // Graceful shutdown lets in-flight messages finish (or returns them unacknowledged).
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        builder.Services.AddOptions<OutboxRelayOptions>().BindConfiguration("Outbox");
        builder.Services.AddHostedService<OutboxRelay<TContext>>();
        return builder;
    }
}

/// <summary>
/// Consumer definition with the platform's retry policy for transient faults (database or broker hiccups); a message
/// that still fails lands in the consumer's <c>_error</c> queue with its exception, and the queue keeps flowing.
/// </summary>
public abstract class RetryingConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 2000, 5000));
    }
}
