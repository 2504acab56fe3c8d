using RabbitMQ.Client;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Testing;
using Xunit.Abstractions;

namespace TalentMatch.FaultTests;

/// <summary>
/// The bus watchdog against a real broker: a matching service whose bus cannot become healthy although the broker is
/// up stops itself with exit code 75, its supervisor starts it again, and once the cause is gone it consumes normally.
/// The cause used here is one the broker states plainly: matching's queue exists as a classic queue, so declaring it
/// as a quorum queue fails (PRECONDITION_FAILED) on every reconnect attempt.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class BusWatchdogTests(FaultInfrastructure infra, ITestOutputHelper output)
{
    [Fact]
    public async Task A_bus_that_stays_unhealthy_while_the_broker_is_up_restarts_its_service_which_then_recovers()
    {
        await using var platform = await FaultPlatform.StartAsync(infra);
        await platform.Matching.StopAsync();
        await ReplaceQueueAsync(platform, "profile-registered", quorum: false);

        platform.Matching = platform.NewProcess("Matching", new Dictionary<string, string?>
        {
            ["Messaging:Watchdog:CheckInterval"] = "00:00:01",
            ["Messaging:Watchdog:RestartAfter"] = "00:00:08",
        });
        await platform.Matching.StartAsync();
        await Eventually.True(() => Task.FromResult(platform.Matching.SelfRestarts >= 1), TimeSpan.FromSeconds(90),
            "the watchdog to stop matching and the supervisor to start it again");
        var log = await File.ReadAllTextAsync(platform.Matching.LogPath);
        Assert.Contains("stopping with exit code 75", log);
        output.WriteLine(log.Split('\n').First(l => l.Contains("although the broker accepts connections")).Trim());

        // The cause removed, the service declares its queue as it should and consumes.
        await ReplaceQueueAsync(platform, "profile-registered", quorum: true);
        await Eventually.True(async () => (await platform.DescribeQueuesAsync()).Any(q => q.StartsWith("profile-registered\tquorum") && !q.EndsWith("\t0\trunning")),
            TimeSpan.FromSeconds(120), "matching to consume from its quorum queue again");
        var written = await FaultPlatform.WriteAsync(() => platform.Profiles.Client, FaultPlatform.ProfileBodies(1, 11), 10);
        Assert.Equal(1, written.Created);
        await Eventually.True(async () => await platform.MatchingScalar<long>("SELECT count(*) FROM candidate_profiles") == 1,
            TimeSpan.FromSeconds(30), "the registration to reach matching's read model");
        output.WriteLine($"restarts requested by the watchdog: {platform.Matching.SelfRestarts}");
    }

    private static async Task ReplaceQueueAsync(FaultPlatform platform, string queue, bool quorum)
    {
        var factory = new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = platform.Broker.RabbitPort,
            VirtualHost = platform.VirtualHost,
            UserName = "guest",
            Password = "guest",
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
        if (!quorum)
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        }
    }
}

/// <summary>The watchdog's view of the broker, against the fault tests' real broker.</summary>
[Collection(FaultCollection.Name)]
public sealed class BrokerProbeTests(FaultInfrastructure infra)
{
    [Fact]
    public async Task Reports_the_first_queue_without_a_consumer_or_missing_and_an_unreachable_broker()
    {
        var vhost = await infra.Main.AddVirtualHostAsync("probe");
        try
        {
            var settings = new RabbitMqSettings { Host = "127.0.0.1", Port = (ushort)infra.Main.RabbitPort, VirtualHost = vhost };
            var factory = new ConnectionFactory { HostName = settings.Host, Port = settings.Port, VirtualHost = vhost };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            foreach (var queue in new[] { "consumed", "idle" })
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            }

            await channel.BasicConsumeAsync("consumed", autoAck: false, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel));

            await using var probe = new BrokerProbe(settings);
            Assert.Equal((true, (string?)null), await probe.CheckAsync(["consumed"], CancellationToken.None));
            Assert.Equal((true, "idle"), await probe.CheckAsync(["consumed", "idle"], CancellationToken.None));
            Assert.Equal((true, "missing"), await probe.CheckAsync(["missing", "consumed"], CancellationToken.None));
            Assert.Equal((true, (string?)null), await probe.CheckAsync(["consumed"], CancellationToken.None)); // a new channel after the 404

            await using var nowhere = new BrokerProbe(new RabbitMqSettings { Host = "127.0.0.1", Port = 1, VirtualHost = vhost });
            Assert.Equal((false, (string?)null), await nowhere.CheckAsync(["consumed"], CancellationToken.None));
        }
        finally
        {
            await infra.Main.DeleteVirtualHostAsync(vhost);
        }
    }
}

/// <summary>When the watchdog's patience runs out, and what starts it over.</summary>
public sealed class WedgeDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Restarts_only_after_the_bus_was_unhealthy_with_the_broker_reachable_for_the_whole_period()
    {
        var detector = new WedgeDetector(TimeSpan.FromSeconds(60));
        Assert.False(detector.Observe(T0, busHealthy: false, brokerReachable: true));
        Assert.Equal(T0, detector.Since);
        Assert.False(detector.Observe(T0.AddSeconds(59), busHealthy: false, brokerReachable: true));
        Assert.True(detector.Observe(T0.AddSeconds(60), busHealthy: false, brokerReachable: true));
    }

    [Theory]
    [InlineData(true, true)]   // one healthy check: the bus recovered by itself
    [InlineData(false, false)] // the broker down: waiting for it is the bus's job, not a wedge
    public void A_healthy_check_or_an_unreachable_broker_starts_the_count_again(bool busHealthy, bool brokerReachable)
    {
        var detector = new WedgeDetector(TimeSpan.FromSeconds(60));
        detector.Observe(T0, busHealthy: false, brokerReachable: true);
        Assert.False(detector.Observe(T0.AddSeconds(30), busHealthy, brokerReachable));
        Assert.Null(detector.Since);
        Assert.False(detector.Observe(T0.AddSeconds(61), busHealthy: false, brokerReachable: true));
        Assert.True(detector.Observe(T0.AddSeconds(121), busHealthy: false, brokerReachable: true));
    }
}
