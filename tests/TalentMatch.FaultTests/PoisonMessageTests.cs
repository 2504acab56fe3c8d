using System.Net.Http.Json;
using MassTransit;
using TalentMatch.Contracts;
using TalentMatch.Contracts.Profiles;
using TalentMatch.ErrorQueue;
using TalentMatch.Testing;
using Xunit.Abstractions;

namespace TalentMatch.FaultTests;

/// <summary>A message that can never be applied ends in the _error queue with its exception; the stream keeps flowing.</summary>
[Collection(FaultCollection.Name)]
public sealed class PoisonMessageTests(FaultInfrastructure infra, ITestOutputHelper output)
{
    [Fact]
    public async Task A_poison_message_lands_in_the_error_queue_without_blocking_the_others_and_can_be_inspected_and_redriven()
    {
        await using var platform = await FaultPlatform.StartAsync(infra);
        var poisonId = NewId.NextGuid();

        // A publisher bug: a ProfileRegistered without its matching view. The consumer throws (not a transient fault).
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", (ushort)platform.Broker.RabbitPort, platform.VirtualHost, h =>
            {
                h.Username("guest");
                h.Password("guest");
                h.PublisherConfirmation = true;
            });
            cfg.Publish<IIntegrationEvent>(p => p.Exclude = true);
        });
        await bus.StartAsync();
        try
        {
            await bus.Publish(new ProfileRegistered(poisonId, DateTimeOffset.UtcNow, Guid.NewGuid(), 1, null!), c => c.MessageId = poisonId);
        }
        finally
        {
            await bus.StopAsync();
        }

        // Behind it, ordinary registrations.
        var written = await FaultPlatform.WriteAsync(() => platform.Profiles.Client, FaultPlatform.ProfileBodies(50, 5), 100);
        Assert.Equal(50, written.Created);
        await Eventually.True(async () => await platform.MatchingScalar<long>("SELECT count(*) FROM candidate_profiles") == 50,
            TimeSpan.FromSeconds(60), "the registrations behind the poison message to be applied");
        var deadWhenOthersDone = await platform.ErrorQueueCountAsync("profile-registered_error");
        output.WriteLine($"all 50 applied while the poison message was {(deadWhenOthersDone == 0 ? "still being retried" : "already dead-lettered")}");

        await Eventually.True(async () => await platform.ErrorQueueCountAsync("profile-registered_error") == 1,
            TimeSpan.FromSeconds(60), "the poison message to reach the error queue");
        Assert.Equal(0L, await platform.MatchingScalar<long>($"SELECT count(*) FROM inbox_messages WHERE message_id = '{poisonId}'"));

        // Matching's operations endpoint (the administrator's error-queue counts) reports it on its endpoint, and nothing else.
        var counts = (await platform.Matching.Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/ops/error-queues"))!;
        var byQueue = counts["queues"]!.AsArray().ToDictionary(q => q!["queue"]!.GetValue<string>(), q => q!["messages"]!.GetValue<uint>());
        Assert.Equal(1u, byQueue["profile-registered"]);
        Assert.Equal(1u, counts["total"]!.GetValue<uint>());
        Assert.True(byQueue.Count >= 3, "matching's receive endpoints: " + string.Join(", ", byQueue.Keys));

        // The error-queue tool sees it with its exception, and re-drives it to the consumer's queue.
        await using var tool = ErrorQueueClient.Create("127.0.0.1", platform.Broker.RabbitPort, platform.VirtualHost, "guest", "guest");
        var shown = Assert.Single(await tool.PeekAsync("profile-registered_error", 10));
        output.WriteLine($"error queue: {shown}");
        Assert.Equal(poisonId.ToString(), shown.MessageId);
        Assert.Contains("NullReferenceException", shown.ExceptionType);
        Assert.Contains("ProfileRegistered", shown.MessageType);
        // Peeking removed nothing (messages a closed channel returns take a moment to count as ready on a quorum queue).
        await Eventually.True(async () => await tool.CountAsync("profile-registered_error") == 1,
            TimeSpan.FromSeconds(10), "the peeked message to be back in the error queue");

        var redriven = await tool.RedriveAsync("profile-registered_error", [poisonId.ToString()]);
        Assert.Equal(1, redriven.Moved);
        Assert.Equal("profile-registered", redriven.Target);
        // Still poison, so it fails again and returns to the error queue: re-driving moved it, nothing was lost.
        await Eventually.True(async () => await tool.CountAsync("profile-registered_error") == 1,
            TimeSpan.FromSeconds(60), "the re-driven poison message to fail again");
        Assert.Equal(50L, await platform.MatchingScalar<long>("SELECT count(*) FROM candidate_profiles"));

        // Every queue MassTransit declared, the error queue included, is a durable quorum queue.
        var listing = await platform.Broker.RabbitMqCtlOutputAsync("list_queues", "-q", "-p", platform.VirtualHost, "name", "type", "durable");
        output.WriteLine(listing);
        var queues = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).Where(c => c.Length >= 3 && c[0] != "name").ToList();
        Assert.Contains(queues, q => q[0] == "profile-registered_error");
        Assert.All(queues, q => Assert.Equal(("quorum", "true"), (q[1].Trim(), q[2].Trim())));
    }
}
