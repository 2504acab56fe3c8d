using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Testing;

namespace TalentMatch.Matching.Tests;

/// <summary>Events into a matching host through its in-memory bus, and its shortlists read back.</summary>
internal static class MatchingTestEvents
{
    public static Task Publish<T>(this ServiceHost<Program> host, T message, Guid? messageId = null) where T : class =>
        host.Services.GetRequiredService<IBus>().Publish(message, ctx => ctx.MessageId = messageId ?? Guid.NewGuid());

    /// <summary>Opens a new position (version 1); returns its id without waiting for matching to apply it.</summary>
    public static async Task<Guid> OpenPosition(this ServiceHost<Program> host, PositionMatchingView view)
    {
        var id = Guid.NewGuid();
        await host.Publish(new PositionOpened(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 1, view));
        return id;
    }

    /// <summary>Registers a new profile (version 1); returns its id without waiting for matching to apply it.</summary>
    public static async Task<Guid> RegisterProfile(this ServiceHost<Program> host, ProfileMatchingView view)
    {
        var id = Guid.NewGuid();
        await host.Publish(new ProfileRegistered(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 1, view));
        return id;
    }

    /// <summary>The profile ids of a position's shortlist in rank order; empty while it has none.</summary>
    public static async Task<List<Guid>> Shortlist(this HttpClient client, Guid position)
    {
        var response = await client.GetAsync($"/api/positions/{position}/shortlist");
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["items"]!.AsArray().Select(i => i!["profileId"]!.GetValue<Guid>()).ToList();
    }
}
