using System.Collections.Concurrent;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Testing;
using Xunit.Abstractions;

namespace TalentMatch.FaultTests;

/// <summary>
/// The broker dies while deliveries are in flight on two channels of one connection, and their consumers finish
/// afterwards: the acknowledgements cannot be sent, so nothing may count as acknowledged; the broker redelivers every
/// one of them once the endpoints have reconnected, and the endpoints go on consuming.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ConnectionLossTests(FaultInfrastructure infra, ITestOutputHelper output)
{
    [Fact]
    public async Task Deliveries_finished_after_the_connection_dropped_are_redelivered_and_the_endpoints_keep_consuming()
    {
        var vhost = await infra.Main.AddVirtualHostAsync("loss");
        var probe = new ProbeState();
        await using var services = new ServiceCollection()
            .AddSingleton(probe)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output)))
            .AddMassTransit(x =>
            {
                // Many deliveries in flight per channel, as with the platform's batched inbox consumers.
                x.AddConsumer<FirstProbeConsumer>(c => c.ConcurrentMessageLimit = InFlight);
                x.AddConsumer<SecondProbeConsumer>(c => c.ConcurrentMessageLimit = InFlight);
                x.AddConfigureEndpointsCallback((_, endpoint) =>
                {
                    ServiceMessaging.ConfigureRabbitMqEndpoint(endpoint);
                    ((IRabbitMqReceiveEndpointConfigurator)endpoint).PrefetchCount = InFlight;
                });
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host("127.0.0.1", (ushort)infra.Main.RabbitPort, vhost, h =>
                    {
                        h.Username("guest");
                        h.Password("guest");
                        h.PublisherConfirmation = true;
                    });
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider();
        var bus = services.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        // A quorum queue killed within a second of its creation can come back without a leader (RabbitMQ 3.10); queues
        // in service are long-lived, so give these two time to settle before the broker dies.
        await Task.Delay(TimeSpan.FromSeconds(3));
        try
        {
            // Deliveries held in both endpoints, on two channels of the one connection.
            for (var number = 1; number <= InFlight; number++)
            {
                await bus.Publish(new FirstProbe(number));
                await bus.Publish(new SecondProbe(number));
            }

            await Eventually.True(() => Task.FromResult(probe.HeldCount == 2 * InFlight), TimeSpan.FromSeconds(30), "every delivery to be held");
            var channels = await Task.WhenAll(probe.Held(nameof(FirstProbe)).Task, probe.Held(nameof(SecondProbe)).Task);

            // The broker dies; once a channel knows, the handlers finish successfully, one after the other.
            await infra.Main.KillBrokerAsync();
            await Eventually.True(() => Task.FromResult(channels.Any(c => c.Channel.IsClosed)), TimeSpan.FromSeconds(10), "a consumer channel to close");
            probe.Release.SetResult();
            await infra.Main.StartBrokerAsync();

            // Unacknowledged, they come back once the endpoints have reconnected; and the endpoints take new messages.
            await Eventually.Get(() => Task.FromResult(probe.Deliveries.Where(d => d.Redelivered).Select(d => (d.Type, d.Number)).Distinct().Count()),
                n => n == 2 * InFlight, TimeSpan.FromSeconds(60),
                "every interrupted message to be redelivered after reconnecting");
            await bus.Publish(new FirstProbe(0));
            await bus.Publish(new SecondProbe(0));
            await Eventually.True(() => Task.FromResult(probe.Deliveries.Count(d => d.Number == 0) == 2), TimeSpan.FromSeconds(30),
                "messages published after the reconnect to be consumed");
            output.WriteLine($"{probe.Deliveries.Count} deliveries, {probe.Deliveries.Count(d => d.Redelivered)} of them redelivered");
        }
        finally
        {
            probe.Release.TrySetResult();
            await infra.Main.StartBrokerAsync(); // a no-op when it is running; the other fault tests need it
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await bus.StopAsync(stop.Token);
            await infra.Main.DeleteVirtualHostAsync(vhost);
        }
    }

    private const int InFlight = 24;

    public sealed record FirstProbe(int Number);

    public sealed record SecondProbe(int Number);

    public sealed class ProbeState
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<ChannelContext>> _held = new();

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentQueue<(string Type, int Number, bool Redelivered)> Deliveries { get; } = new();

        private int _heldCount;

        public int HeldCount => Volatile.Read(ref _heldCount);

        public TaskCompletionSource<ChannelContext> Held(string type) =>
            _held.GetOrAdd(type, _ => new TaskCompletionSource<ChannelContext>(TaskCreationOptions.RunContinuationsAsynchronously));

        /// <summary>Records the delivery; holds first deliveries until the test releases them, then finishes them staggered.</summary>
        public async Task Consume(ConsumeContext context, string type, int number)
        {
            var redelivered = context.ReceiveContext.Redelivered;
            Deliveries.Enqueue((type, number, redelivered));
            if (number > 0 && !redelivered)
            {
                Held(type).TrySetResult(context.ReceiveContext.GetPayload<ChannelContext>());
                Interlocked.Increment(ref _heldCount);
                await Release.Task;
                await Task.Delay(number * 20);
            }
        }
    }

    public sealed class FirstProbeConsumer(ProbeState probe) : IConsumer<FirstProbe>
    {
        public Task Consume(ConsumeContext<FirstProbe> context) => probe.Consume(context, nameof(FirstProbe), context.Message.Number);
    }

    public sealed class SecondProbeConsumer(ProbeState probe) : IConsumer<SecondProbe>
    {
        public Task Consume(ConsumeContext<SecondProbe> context) => probe.Consume(context, nameof(SecondProbe), context.Message.Number);
    }

    /// <summary>MassTransit's log in the test output, so a failure shows what the transport did.</summary>
    private sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(output);

        public void Dispose()
        {
        }

        private sealed class Logger(ITestOutputHelper output) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                try
                {
                    output.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
                }
                catch (InvalidOperationException)
                {
                    // after the test finished
                }
            }
        }
    }
}
