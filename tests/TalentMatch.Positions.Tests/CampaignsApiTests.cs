using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Positions;
using TalentMatch.Testing;

namespace TalentMatch.Positions.Tests;

public sealed class CampaignsApiTests(PositionsHost host) : IClassFixture<PositionsHost>
{
    private static readonly Guid Cqmu = Guid.Parse("d62f40ee-1565-5be0-b0dc-ad1067b8ddb6");
    private static readonly Guid Mianyang = Guid.Parse("a8c66da4-06ee-5f74-a072-cc179a43523f");
    private static readonly Guid Immunology = Guid.Parse("c5900272-f402-555f-a76f-adc691de5ea7");
    private readonly HttpClient _admin = host.CreateClient();

    internal static JsonObject ValidCampaign(Guid? organiser = null) => new()
    {
        ["nameEn"] = "Science and Technology Mianyang City Talent Recruitment 2025",
        ["nameZh"] = "科技城人才招引2025",
        ["organiser"] = new JsonObject
        {
            ["nameEn"] = "Organization Department, Mianyang Municipal Party Committee", ["nameZh"] = "中共绵阳市委组织部",
            ["institutionId"] = organiser?.ToString(),
        },
        ["institutionIds"] = new JsonArray(Mianyang.ToString(), Cqmu.ToString()),
        ["opensOn"] = "2025-03-27",
        ["closesOn"] = "2027-06-30",
        ["targetHires"] = 5,
    };

    [Fact]
    public async Task A_campaign_is_run_by_its_organisers_and_every_change_publishes_the_whole_campaign()
    {
        var created = await _admin.PostAsJsonAsync("/api/campaigns", ValidCampaign(Mianyang));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var campaign = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = campaign["id"]!.GetValue<Guid>();
        Assert.Equal("open", campaign["status"]!.GetValue<string>());

        // Mianyang's HR office posts a position and attaches it; CQMU's HR office may not attach Mianyang's.
        var mianyangHr = host.ClientAs(TestTokens.Hr(Mianyang));
        var position = PositionsApiTests.ValidPosition();
        position["institutionId"] = Mianyang.ToString();
        var positionId = (await (await mianyangHr.PostAsJsonAsync("/api/positions", position)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.Forbidden, (await host.ClientAs(TestTokens.Hr(Cqmu)).PutAsync($"/api/campaigns/{id}/positions/{positionId}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mianyangHr.PutAsync($"/api/campaigns/{id}/positions/{positionId}", null)).StatusCode);
        // Attaching again changes nothing.
        var again = await mianyangHr.PutAsync($"/api/campaigns/{id}/positions/{positionId}", null);
        Assert.Equal(2, (await again.Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<long>());

        // A position of an institution that does not take part is refused.
        var other = PositionsApiTests.ValidPosition();
        var otherId = (await (await _admin.PostAsJsonAsync("/api/positions", other)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.Conflict, (await _admin.PutAsync($"/api/campaigns/{id}/positions/{otherId}", null)).StatusCode);

        // The organiser's HR office appoints an ambassador; an ambassador cannot appoint anyone.
        var ambassador = Guid.NewGuid();
        var letter = new { appointedOn = "2025-03-27", letterReference = "MY-TIA-2025-001" };
        Assert.Equal(HttpStatusCode.Forbidden,
            (await host.ClientAs(TestTokens.Ambassador(Mianyang)).PutAsJsonAsync($"/api/campaigns/{id}/ambassadors/{ambassador}", letter)).StatusCode);
        var appointed = await mianyangHr.PutAsJsonAsync($"/api/campaigns/{id}/ambassadors/{ambassador}", letter);
        Assert.Equal(HttpStatusCode.OK, appointed.StatusCode);
        var body = (await appointed.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("MY-TIA-2025-001", body["ambassadors"]![0]!["letterReference"]!.GetValue<string>());

        // Researchers see the campaign, not its appointments; the appointed ambassador finds it under mine=true.
        var asResearcher = await host.ClientAs(TestTokens.Researcher(Guid.NewGuid())).GetFromJsonAsync<JsonObject>($"/api/campaigns/{id}");
        Assert.Empty(asResearcher!["ambassadors"]!.AsArray());
        var mine = await host.ClientAs(TestTokens.For(Roles.Ambassador, ambassador)).GetFromJsonAsync<JsonObject>("/api/campaigns?mine=true");
        Assert.Contains(mine!["items"]!.AsArray(), c => c!["id"]!.GetValue<Guid>() == id);
        var filtered = await _admin.GetFromJsonAsync<JsonObject>($"/api/positions?campaign={id}");
        Assert.Equal([positionId], filtered!["items"]!.AsArray().Select(p => p!["id"]!.GetValue<Guid>()));

        Assert.Equal(HttpStatusCode.OK, (await mianyangHr.DeleteAsync($"/api/campaigns/{id}/ambassadors/{ambassador}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mianyangHr.PostAsync($"/api/campaigns/{id}/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await mianyangHr.PutAsync($"/api/campaigns/{id}/positions/{positionId}", null)).StatusCode);

        var events = await host.WithDbAsync<PositionsDbContext, List<OutboxMessage>>(db => db.Set<OutboxMessage>()
            .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE payload->>'aggregateId' = {id.ToString()} ORDER BY sequence")
            .AsNoTracking().ToListAsync());
        var payloads = events.Select(e => JsonNode.Parse(e.Payload)!).ToList();
        Assert.All(events, e => Assert.EndsWith(".CampaignChanged", e.MessageType));
        Assert.Equal([1L, 2, 3, 4, 5], payloads.Select(p => p["aggregateVersion"]!.GetValue<long>()));
        Assert.Equal([positionId], payloads[1]["positionIds"]!.AsArray().Select(p => p!.GetValue<Guid>()));
        Assert.Equal([ambassador], payloads[2]["ambassadorAccountIds"]!.AsArray().Select(p => p!.GetValue<Guid>()));
        Assert.Empty(payloads[3]["ambassadorAccountIds"]!.AsArray());
        Assert.Equal("closed", payloads[4]["status"]!.GetValue<string>());
        // No personal data and no appointment letter in any event.
        Assert.All(events, e => Assert.DoesNotContain("MY-TIA", e.Payload));
    }

    [Fact]
    public async Task Invalid_campaigns_are_refused_field_by_field_and_store_nothing()
    {
        var before = await Count();
        var bad = ValidCampaign(Guid.NewGuid());
        bad["institutionIds"] = new JsonArray(Cqmu.ToString(), Cqmu.ToString());
        bad["closesOn"] = "2025-01-01";
        bad["targetHires"] = 0;
        bad["nameZh"] = "";
        var response = await _admin.PostAsJsonAsync("/api/campaigns", bad);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains("organiser.institutionId", errors.Select(e => e.Key));
        Assert.Contains("institutionIds", errors.Select(e => e.Key));
        Assert.Contains("closesOn", errors.Select(e => e.Key));
        Assert.Contains("targetHires", errors.Select(e => e.Key));
        Assert.Contains("nameZh", errors.Select(e => e.Key));

        // Only administrators and the organising institution's HR office create campaigns.
        Assert.Equal(HttpStatusCode.Forbidden, (await host.ClientAs(TestTokens.Hr(Immunology)).PostAsJsonAsync("/api/campaigns", ValidCampaign(Mianyang))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.ClientAs(TestTokens.Hr(Mianyang)).PostAsJsonAsync("/api/campaigns", ValidCampaign())).StatusCode);
        Assert.Equal(before, await Count());
    }

    [Fact]
    public async Task A_campaign_past_its_closing_date_closes_by_itself_and_says_so()
    {
        var body = ValidCampaign();
        body["opensOn"] = "2024-01-01";
        body["closesOn"] = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1).ToString("yyyy-MM-dd");
        var id = (await (await _admin.PostAsJsonAsync("/api/campaigns", body)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var open = ValidCampaign(); // closes in 2027: stays open
        var stays = (await (await _admin.PostAsJsonAsync("/api/campaigns", open)).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        var closer = host.Services.GetServices<IHostedService>().OfType<Campaigns.CampaignCloser>().Single();
        await closer.CloseDueAsync(CancellationToken.None);
        var campaign = (await _admin.GetFromJsonAsync<JsonObject>($"/api/campaigns/{id}"))!;
        Assert.Equal("closed", campaign["status"]!.GetValue<string>());
        Assert.Equal(2, campaign["version"]!.GetValue<long>());
        Assert.Equal("open", (await _admin.GetFromJsonAsync<JsonObject>($"/api/campaigns/{stays}"))!["status"]!.GetValue<string>());
        var closedEvent = await host.WithDbAsync<PositionsDbContext, string>(db => db.Set<OutboxMessage>()
            .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE payload->>'aggregateId' = {id.ToString()} AND payload->>'aggregateVersion' = '2'")
            .AsNoTracking().Select(e => e.Payload).SingleAsync());
        Assert.Equal("closed", JsonNode.Parse(closedEvent)!["status"]!.GetValue<string>());
        // Once closed it stays as it is: a second check changes nothing.
        await closer.CloseDueAsync(CancellationToken.None);
        Assert.Equal(2, (await _admin.GetFromJsonAsync<JsonObject>($"/api/campaigns/{id}"))!["version"]!.GetValue<long>());
    }

    private Task<(int Campaigns, int Outbox)> Count() =>
        host.WithDbAsync<PositionsDbContext, (int, int)>(async db => (await db.Campaigns.CountAsync(), await db.Set<OutboxMessage>().CountAsync()));
}
