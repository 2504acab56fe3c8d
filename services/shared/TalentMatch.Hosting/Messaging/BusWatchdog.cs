using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace TalentMatch.Hosting.Messaging;

/// <summary>Bound from <c>Messaging:Watchdog</c>.</summary>
public sealed class BusWatchdogOptions
{
    public bool Enabled { get; set; } = true;
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the bus may stay unhealthy while the broker accepts connections before the service gives up on it.
    /// MassTransit's reconnect back-off tops out at 30 s, so a bus that is merely slow to reconnect never gets here.
    /// </summary>
    public TimeSpan RestartAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Logs what it would have done and goes on instead of stopping the service: for measuring whether the bus still
    /// wedges (the fault tests set it when <c>TM_WATCHDOG_LOG_ONLY=1</c>; see the README's watchdog figures).
    /// </summary>
    public bool LogOnly { get; set; }
}

/// <summary>
/// The last line of defence against a wedged bus. After a broker crash, MassTransit 8.4.0 on RabbitMQ.Client 7.1.2
/// (the pair the platform ran before 8.5.12, which is not yet measured for this) could end up with receive endpoints that never reconnect: the dead
/// connection is never replaced, one endpoint retries on it forever and the others never notice (seen in the fault
/// tests in CI and in one of six local runs). Nothing in-process recovers from that.
/// <para>
/// So every <see cref="BusWatchdogOptions.CheckInterval"/> the watchdog asks two questions: does MassTransit call the
/// bus healthy, and does the broker agree, i.e. does each queue of an endpoint MassTransit calls ready have a consumer
/// (a passive declare on a probe connection of its own)? An endpoint that never noticed the loss of its connection
/// still calls itself ready; only the broker knows nobody consumes. When the answer has been no for
/// <see cref="BusWatchdogOptions.RestartAfter"/> while the probe connection kept working, the service stops itself
/// with exit code 75 (EX_TEMPFAIL) for its supervisor to start it again. Nothing is lost: unacknowledged messages
/// return to their queues and the inbox makes their redelivery harmless; the outbox keeps what was not yet published.
/// With several instances of a service, another instance's consumer hides this one's silence from the second question.
/// </para>
/// </summary>
public sealed partial class BusWatchdog(
    IBusControl bus,
    IOptions<RabbitMqSettings> rabbit,
    IOptions<BusWatchdogOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<BusWatchdog> logger) : BackgroundService
{
    public const int ExitCode = 75;

    private readonly WedgeDetector _detector = new(options.Value.RestartAfter);
    private readonly BrokerProbe _probe = new(rabbit.Value);
    private bool _wouldHaveRestarted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var health = bus.CheckHealth();
            var (brokerReachable, silentQueue) = await _probe.CheckAsync(ReadyQueues(health), stoppingToken);
            var healthy = health.Status == BusHealthStatus.Healthy && silentQueue is null;
            var problem = silentQueue is null ? $"{health.Status}: {health.Description}" : $"the broker sees no consumer on '{silentQueue}', which the bus calls ready";
            var wasWatching = _detector.Since is not null;
            var restart = _detector.Observe(clock.GetUtcNow(), healthy, brokerReachable);
            if (_detector.Since is not null && !wasWatching)
            {
                LogSuspect(logger, problem, options.Value.RestartAfter.TotalSeconds);
            }
            else if (_detector.Since is null && wasWatching)
            {
                LogRecovered(logger);
                _wouldHaveRestarted = false;
            }

            if (restart && options.Value.LogOnly)
            {
                if (!_wouldHaveRestarted)
                {
                    LogWouldRestart(logger, (clock.GetUtcNow() - _detector.Since!.Value).TotalSeconds, problem);
                    _wouldHaveRestarted = true;
                }
            }
            else if (restart)
            {
                LogRestarting(logger, (clock.GetUtcNow() - _detector.Since!.Value).TotalSeconds, problem, health.Exception);
                Environment.ExitCode = ExitCode;
                lifetime.StopApplication();
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _probe.DisposeAsync();
    }

    /// <summary>The durable queues of the endpoints MassTransit reports ready (not the bus's own temporary one).</summary>
    private static IEnumerable<string> ReadyQueues(BusHealthResult health) =>
        health.Endpoints.Values
            .Where(e => e.Status == BusHealthStatus.Healthy && !e.InputAddress.Query.Contains("temporary=true", StringComparison.OrdinalIgnoreCase))
            .Select(e => e.InputAddress.AbsolutePath.Split('/')[^1])
            .Where(q => q.Length > 0);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The message bus is not working ({Problem}) although the broker accepts connections; the service restarts itself if that lasts {Seconds:0} s")]
    private static partial void LogSuspect(ILogger logger, string problem, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Watchdog (log only): the message bus has not recovered for {Seconds:0} s although the broker accepts connections ({Problem}); it would have restarted the service")]
    private static partial void LogWouldRestart(ILogger logger, double seconds, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "The message bus recovered")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The message bus has not recovered for {Seconds:0} s although the broker accepts connections ({Problem}); stopping with exit code 75 so that the supervisor restarts the service")]
    private static partial void LogRestarting(ILogger logger, double seconds, string problem, Exception? exception);
}

/// <summary>
/// The broker's view, on a connection of its own (plain RabbitMQ.Client, no recovery, reopened when lost): whether the
/// broker takes connections, and which queues nobody consumes.
/// </summary>
public sealed class BrokerProbe(RabbitMqSettings settings) : IAsyncDisposable
{
    private IConnection? _connection;
    private IChannel? _channel;

    /// <summary>
    /// Whether the broker takes connections (the probe connection is open, or opens), and the first of
    /// <paramref name="queues"/> that has no consumer or does not exist, if any.
    /// </summary>
    public async Task<(bool Reachable, string? SilentQueue)> CheckAsync(IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is not { IsOpen: true })
            {
                await DisposeAsync();
                _connection = await Factory().CreateConnectionAsync(cancellationToken);
            }

            return (true, await FirstSilentQueueAsync(_connection, queues, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync();
            return (false, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var connection = _connection;
        _connection = null;
        _channel = null;
        if (connection is not null)
        {
            try
            {
                await connection.AbortAsync();
                await connection.DisposeAsync();
            }
            catch (Exception)
            {
                // a probe connection that is already gone has nothing left to close
            }
        }
    }

    private async Task<string?> FirstSilentQueueAsync(IConnection connection, IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        foreach (var queue in queues)
        {
            if (_channel is not { IsOpen: true })
            {
                _channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            }

            try
            {
                if ((await _channel.QueueDeclarePassiveAsync(queue, cancellationToken)).ConsumerCount == 0)
                {
                    return queue;
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) when (connection.IsOpen)
            {
                return queue; // the broker closed the channel: the queue does not exist
            }
        }

        return null;
    }

    private ConnectionFactory Factory() => new()
    {
        HostName = settings.Host,
        Port = settings.Port,
        VirtualHost = settings.VirtualHost,
        UserName = settings.Username,
        Password = settings.Password,
        RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
        AutomaticRecoveryEnabled = false,
        ClientProvidedName = "bus-watchdog-probe",
    };
}

/// <summary>
/// When a bus counts as wedged: not healthy, while the broker accepts connections, without a break for the whole
/// period. A broker outage or one healthy check starts the count again.
/// </summary>
public sealed class WedgeDetector(TimeSpan restartAfter)
{
    /// <summary>Since when the bus has been unhealthy with the broker reachable; null while it is not.</summary>
    public DateTimeOffset? Since { get; private set; }

    /// <summary>Records one check; true when the service should restart.</summary>
    public bool Observe(DateTimeOffset now, bool busHealthy, bool brokerReachable)
    {
        if (busHealthy || !brokerReachable)
        {
            Since = null;
            return false;
        }

        Since ??= now;
        return now - Since.Value >= restartAfter;
    }
}
