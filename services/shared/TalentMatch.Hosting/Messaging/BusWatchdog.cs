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
}

/// <summary>
/// The last line of defence against a wedged bus. After a broker crash, MassTransit 8.4.0 on RabbitMQ.Client 7.1.2
/// (the newest pair the package registry serves) can end up with receive endpoints that never reconnect: the dead
/// connection is never replaced, one endpoint retries on it forever and the others never notice (seen in the fault
/// tests in CI and in one of nine local runs). Nothing in-process recovers from
/// that. So when the bus has stayed unhealthy for <see cref="BusWatchdogOptions.RestartAfter"/> although the broker
/// kept accepting new connections, the service stops itself with exit code 75 (EX_TEMPFAIL) for its supervisor to
/// start it again. Nothing is lost: unacknowledged messages return to their queues and the inbox makes their
/// redelivery harmless; the outbox keeps what was not yet published.
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
            var healthy = health.Status == BusHealthStatus.Healthy;
            var brokerReachable = !healthy && await BrokerAcceptsConnectionsAsync(stoppingToken);
            var wasWatching = _detector.Since is not null;
            var restart = _detector.Observe(clock.GetUtcNow(), healthy, brokerReachable);
            if (_detector.Since is not null && !wasWatching)
            {
                LogSuspect(logger, health.Status, health.Description, options.Value.RestartAfter.TotalSeconds);
            }
            else if (_detector.Since is null && wasWatching)
            {
                LogRecovered(logger);
            }

            if (restart)
            {
                LogRestarting(logger, (clock.GetUtcNow() - _detector.Since!.Value).TotalSeconds, health.Description, health.Exception);
                Environment.ExitCode = ExitCode;
                lifetime.StopApplication();
                return;
            }
        }
    }

    /// <summary>Whether a fresh connection to the broker (same host, virtual host and credentials) opens.</summary>
    private async Task<bool> BrokerAcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        var settings = rabbit.Value;
        var factory = new ConnectionFactory
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
        try
        {
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            await connection.CloseAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The message bus is {Status} ({Description}) although the broker accepts connections; the service restarts itself if that lasts {Seconds:0} s")]
    private static partial void LogSuspect(ILogger logger, BusHealthStatus status, string description, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The message bus recovered")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The message bus has not recovered for {Seconds:0} s although the broker accepts connections ({Description}); stopping with exit code 75 so that the supervisor restarts the service")]
    private static partial void LogRestarting(ILogger logger, double seconds, string description, Exception? exception);
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
