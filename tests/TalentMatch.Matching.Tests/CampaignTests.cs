using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Campaigns;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Auth;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Reviews;
using TalentMatch.Testing;

namespace TalentMatch.Matching.Tests;

/// <summary>
/// Campaigns in matching: appointed ambassadors' scope, researchers' answers, agreements, the stable assignment and the
/// funnel, driven by events through the in-memory bus (K = 4, the top 2 of each shortlist proposed).
/// </summary>
public sealed class CampaignTests(SmallShortlistHost host) : IClassFixture<SmallShortlistHost>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly HttpClient _admin = host.CreateClient();

    public Task InitializeAsync() => ShortlistAndReviewTests.EnsureChampionAsync(host);

    public Task DisposeAsync() => Task.CompletedTask;

    private static ProfileMatchingView Researcher(double years, string field) =>
        new([field], ["flow cytometry", "single-cell rna-seq"], 3, 3, years, (int)(years * 3), ["Chongqing"], 3, true,
            HIndex: (int)years, GrantsLed: 1, TalentTier: 0, Languages: ["zh", "en"]);

    private static PositionMatchingView Post(string field, Guid? institution = null, int headcount = 1) => new(
        institution ?? Guid.NewGuid(), "Associate Researcher", "Chongqing", [field], ["flow cytometry"], ["single-cell rna-seq"],
        MinimumDegree: 3, CareerStageMin: 2, CareerStageMax: 3, MinimumYears: 5, EmploymentMode: 1, Languages: ["en"], Headcount: headcount);

    private static CampaignChanged Campaign(Guid id, long version, IReadOnlyList<Guid> positions, IReadOnlyList<Guid> ambassadors,
        IReadOnlyList<Guid>? institutions = null, string status = "open") =>
        new(Guid.NewGuid(), DateTimeOffset.UtcNow, id, version, status, "Mianyang Talent Recruitment", "绵阳人才招引", null,
            new DateOnly(2025, 3, 27), new DateOnly(2027, 6, 30), 5, institutions ?? [], positions, ambassadors);

    [Fact]
    public async Task An_appointed_ambassador_reviews_the_campaigns_matches_until_removed_without_a_new_token()
    {
        var (position, _) = await PositionWithProposals("ENG.MAT.NANO", "ENG.MAT");
        var account = Guid.NewGuid();
        // No institution in the token: only an appointment gives this ambassador the position's matches.
        var ambassador = host.ClientAs(TestTokens.For(Roles.Ambassador, account));
        var match = (await Proposals(position))[0].Id;
        Assert.Equal(0, await QueueCount(ambassador, $"positionId={position}"));
        Assert.Equal(HttpStatusCode.NotFound, (await ambassador.GetAsync($"/api/reviews/{match}")).StatusCode);

        var campaign = Guid.NewGuid();
        await host.Publish(Campaign(campaign, 1, [position], [account]));
        await Eventually.True(async () => await QueueCount(ambassador, $"positionId={position}") == 2, Wait, "the appointment to reach matching");
        Assert.Equal(2, await QueueCount(ambassador, $"campaignId={campaign}"));
        Assert.Equal(0, await QueueCount(_admin, $"campaignId={Guid.NewGuid()}&positionId={position}"));
        Assert.Equal(HttpStatusCode.OK, (await ambassador.PostAsJsonAsync($"/api/reviews/{match}/decision", new { decision = "hold" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ambassador.GetAsync($"/api/positions/{position}/shortlist")).StatusCode);

        // Removed: the same token no longer reaches the matches.
        await host.Publish(Campaign(campaign, 2, [position], []));
        await Eventually.True(async () => (await ambassador.GetAsync($"/api/reviews/{match}")).StatusCode == HttpStatusCode.NotFound, Wait, "the removal to take effect");

        // An older version delivered late changes nothing: wait until matching has taken the message, then look.
        var late = Guid.NewGuid();
        await host.Publish(Campaign(campaign, 1, [position], [account]), late);
        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(db =>
            db.Database.SqlQuery<int>($"SELECT 1 AS \"Value\" FROM inbox_messages WHERE message_id = {late}").AnyAsync()), Wait, "the late event to be consumed");
        Assert.Equal(HttpStatusCode.NotFound, (await ambassador.GetAsync($"/api/reviews/{match}")).StatusCode);
    }

    [Fact]
    public async Task Researchers_answer_recommendations_which_reviewers_see_and_the_learning_loop_grades()
    {
        var (position, proposals) = await PositionWithProposals("LIFE.GEN.EPI", "LIFE.GEN");
        var other = await host.OpenPosition(Post("LIFE.GEN"));
        var researcher = proposals[0].Profile;
        var me = host.ClientAs(TestTokens.Researcher(researcher));
        await Eventually.True(async () => (await RecommendedTo(me, researcher)).Contains(other), Wait, "both positions to be recommended");

        // Not interested needs a reason; the dismissed position leaves the list.
        Assert.Equal(HttpStatusCode.BadRequest, (await Answer(me, researcher, other, new { answer = "not-interested" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Answer(me, researcher, other, new { answer = "interested", reason = "field" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Answer(me, researcher, other, new { answer = "not-interested", reason = "field" })).StatusCode);
        Assert.DoesNotContain(other, await RecommendedTo(me, researcher));

        var interested = await Answer(me, researcher, position, new { answer = "interested", preferenceRank = 1 });
        Assert.Equal(HttpStatusCode.OK, interested.StatusCode);
        var item = (await me.GetFromJsonAsync<JsonObject>($"/api/profiles/{researcher}/recommendations"))!["items"]!.AsArray()
            .Single(i => i!["positionId"]!.GetValue<Guid>() == position);
        Assert.Equal("interested", item!["answer"]!["answer"]!.GetValue<string>());

        // Nobody answers for someone else, nor a position never recommended to them.
        Assert.Equal(HttpStatusCode.NotFound, (await Answer(host.ClientAs(TestTokens.Researcher(Guid.NewGuid())), researcher, position, new { answer = "apply" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Answer(me, researcher, Guid.NewGuid(), new { answer = "apply" })).StatusCode);

        // The reviewers see the answer on the match, and the still-unreviewed match becomes a training row graded 2.
        var review = await _admin.GetFromJsonAsync<JsonObject>($"/api/reviews/{proposals[0].Id}");
        Assert.Equal("interested", review!["match"]!["researcherAnswer"]!["answer"]!.GetValue<string>());
        var rows = await host.WithDbAsync<MatchingDbContext, List<LabelledRow>>(db => ModelTrainer.LoadLabelledAsync(db, CancellationToken.None));
        Assert.Contains(rows, r => r.PositionId == position && r.Label == Labels.Endorsed);
    }

    [Fact]
    public async Task A_campaigns_assignment_follows_both_sides_preferences_and_agreements_close_the_funnel()
    {
        // Two posts with one place each, sharing three candidates; everything proposed is endorsed.
        var institution = Guid.NewGuid();
        var profiles = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            profiles.Add(await host.RegisterProfile(Researcher(6 + i, "PHARM.CHEM.SYN")));
        }

        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(async db => await db.CandidateProfiles.CountAsync(c => profiles.Contains(c.ProfileId)) == 3),
            Wait, "the profiles to reach the read model");
        var first = await host.OpenPosition(Post("PHARM.CHEM", institution));
        var second = await host.OpenPosition(Post("PHARM.CHEM", institution));
        var proposed = new List<(Guid Id, Guid Profile, Guid Position)>();
        foreach (var position in new[] { first, second })
        {
            var matches = await Eventually.Get(() => Proposals(position), p => p.Count == 2, Wait, "two proposals");
            foreach (var m in matches)
            {
                Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync($"/api/reviews/{m.Id}/decision", new { decision = "endorse" })).StatusCode);
                proposed.Add((m.Id, m.Profile, position));
            }
        }

        // The HR office of the second post puts a candidate who also has the first post first; that candidate wants the second post.
        var hr = host.ClientAs(TestTokens.Hr(institution));
        var keen = proposed.First(p => p.Position == second).Profile;
        var secondOrder = proposed.Where(p => p.Position == second).Select(p => p.Profile).OrderBy(p => p == keen ? 0 : 1).ToList();
        Assert.Equal(HttpStatusCode.BadRequest, (await hr.PutAsJsonAsync($"/api/positions/{second}/endorsed/order", new { profileIds = secondOrder.Take(1) })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hr.PutAsJsonAsync($"/api/positions/{second}/endorsed/order", new { profileIds = secondOrder })).StatusCode);
        var me = host.ClientAs(TestTokens.Researcher(keen));
        Assert.Equal(HttpStatusCode.OK, (await Answer(me, keen, second, new { answer = "apply", preferenceRank = 1 })).StatusCode);

        var campaign = Guid.NewGuid();
        await host.Publish(Campaign(campaign, 1, [first, second], [], [institution]));
        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(db => db.Campaigns.AnyAsync(c => c.CampaignId == campaign)), Wait, "the campaign");
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/api/campaigns/{campaign}/assignment")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hr.PostAsync($"/api/campaigns/{campaign}/assignment", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.ClientAs(TestTokens.Hr(Guid.NewGuid())).GetAsync($"/api/campaigns/{campaign}/funnel")).StatusCode);

        var computed = await _admin.PostAsync($"/api/campaigns/{campaign}/assignment", null);
        Assert.Equal(HttpStatusCode.OK, computed.StatusCode);
        var assignment = (await computed.Content.ReadFromJsonAsync<JsonObject>())!;
        var offers = assignment["offers"]!.AsArray();
        Assert.Equal(2, offers.Count); // two places, and every candidate is acceptable to some post
        Assert.Equal(2, offers.Select(o => o!["positionId"]!.GetValue<Guid>()).Distinct().Count());
        var keenOffer = offers.Single(o => o!["profileId"]!.GetValue<Guid>() == keen);
        Assert.Equal(second, keenOffer!["positionId"]!.GetValue<Guid>());
        Assert.Equal(1, keenOffer["researcherRankOfPosition"]!.GetValue<int>());
        Assert.Equal(1, keenOffer["positionRankOfResearcher"]!.GetValue<int>());
        // Whoever is not placed is told, for each post on their list, that it is full with candidates it preferred.
        var distinctCandidates = proposed.Select(p => p.Profile).Distinct().Count();
        Assert.Equal(distinctCandidates - 2, assignment["unplaced"]!.AsArray().Count);
        Assert.All(assignment["unplaced"]!.AsArray(), u => Assert.All(u!["positions"]!.AsArray(),
            r => Assert.Equal("full-with-preferred", r!["reason"]!.GetValue<string>())));
        Assert.Equal(HttpStatusCode.OK, (await hr.GetAsync($"/api/campaigns/{campaign}/assignment")).StatusCode);

        // The HR office confirms the offer and records a flexible agreement; terms are checked.
        var keenMatch = keenOffer["matchId"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await hr.PostAsJsonAsync($"/api/matches/{keenMatch}/outcomes", new { outcome = "offered" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await hr.PostAsJsonAsync($"/api/matches/{keenMatch}/outcomes", new { outcome = "agreement-signed" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await hr.PostAsJsonAsync($"/api/matches/{keenMatch}/outcomes",
            new { outcome = "agreement-signed", agreement = new { type = "flexible", startDate = "2027-01-01" } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await hr.PostAsJsonAsync($"/api/matches/{keenMatch}/outcomes",
            new { outcome = "interviewed", agreement = new { type = "full-time", startDate = "2027-01-01" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hr.PostAsJsonAsync($"/api/matches/{keenMatch}/outcomes",
            new { outcome = "agreement-signed", agreement = new { type = "flexible", daysPerYear = 60, startDate = "2027-01-01", endDate = "2029-12-31" } })).StatusCode);
        // A flexible agreement keeps the researcher in other matching.
        Assert.False(await host.WithDbAsync<MatchingDbContext, bool>(db => db.CandidateProfiles.Where(p => p.ProfileId == keen).Select(p => p.Placed).SingleAsync()));

        // The funnel counts each stage, by agreement type, as JSON and CSV.
        var funnel = (await _admin.GetFromJsonAsync<JsonObject>($"/api/campaigns/{campaign}/funnel"))!;
        var total = funnel["total"]!;
        Assert.Equal(4, total["proposed"]!.GetValue<int>());
        Assert.Equal(4, total["endorsed"]!.GetValue<int>());
        Assert.Equal(1, total["applied"]!.GetValue<int>());
        Assert.Equal(1, total["offered"]!.GetValue<int>());
        Assert.Equal(1, total["signedFlexible"]!.GetValue<int>());
        Assert.Equal(0, total["signedFullTime"]!.GetValue<int>());
        Assert.NotNull(total["medianDaysProposedToEndorsed"]);
        Assert.Equal(2, funnel["positions"]!.AsArray().Count);
        var csv = await _admin.GetAsync($"/api/campaigns/{campaign}/funnel?format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("level,institution_id,position_id", lines[0]);
        Assert.Equal(1 + 1 + 1 + 2, lines.Length); // header, campaign, one institution, two positions
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.GetAsync($"/api/campaigns/{campaign}/funnel?format=xml")).StatusCode);

        // A full-time agreement takes the other one out of every shortlist.
        var otherOffer = offers.Single(o => o!["profileId"]!.GetValue<Guid>() != keen);
        var placed = otherOffer!["profileId"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await hr.PostAsJsonAsync($"/api/matches/{otherOffer["matchId"]}/outcomes",
            new { outcome = "agreement-signed", agreement = new { type = "full-time", startDate = "2027-03-01" } })).StatusCode);
        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(async db => !await db.ShortlistEntries.AnyAsync(e => e.ProfileId == placed)),
            Wait, "the placed researcher to leave every shortlist");

        var after = (await _admin.GetFromJsonAsync<JsonObject>($"/api/campaigns/{campaign}/funnel"))!;
        Assert.Equal(1, after["total"]!["signedFullTime"]!.GetValue<int>());

        // Closing the campaign computes the assignment again, on its own.
        await host.Publish(Campaign(campaign, 2, [first, second], [], [institution], status: "closed"));
        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(db => db.CampaignAssignments.AnyAsync(a => a.CampaignId == campaign && a.Trigger == "campaign closed")),
            Wait, "the assignment at closing");
    }

    private async Task<(Guid Position, List<(Guid Id, Guid Profile)> Proposals)> PositionWithProposals(string profileField, string positionField)
    {
        var profiles = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            profiles.Add(await host.RegisterProfile(Researcher(6 + i, profileField)));
        }

        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(async db => await db.CandidateProfiles.CountAsync(c => profiles.Contains(c.ProfileId)) == 3),
            Wait, "the profiles to reach the read model");
        var position = await host.OpenPosition(Post(positionField));
        return (position, await Eventually.Get(() => Proposals(position), p => p.Count == 2, Wait, "two proposals"));
    }

    private Task<List<(Guid Id, Guid Profile)>> Proposals(Guid position) =>
        host.WithDbAsync<MatchingDbContext, List<(Guid, Guid)>>(async db => (await db.Matches.Where(m => m.PositionId == position && m.Status == MatchStatus.Proposed)
            .OrderBy(m => m.Rank).Select(m => new { m.Id, m.ProfileId }).ToListAsync()).Select(m => (m.Id, m.ProfileId)).ToList());

    private static async Task<int> QueueCount(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<JsonObject>($"/api/reviews?status=proposed&{query}"))!["items"]!.AsArray().Count
        + (await client.GetFromJsonAsync<JsonObject>($"/api/reviews?status=held&{query}"))!["items"]!.AsArray().Count;

    private static async Task<List<Guid>> RecommendedTo(HttpClient client, Guid profile) =>
        (await client.GetFromJsonAsync<JsonObject>($"/api/profiles/{profile}/recommendations"))!["items"]!.AsArray()
            .Select(i => i!["positionId"]!.GetValue<Guid>()).ToList();

    private static Task<HttpResponseMessage> Answer(HttpClient client, Guid profile, Guid position, object body) =>
        client.PutAsJsonAsync($"/api/profiles/{profile}/recommendations/{position}/answer", body);
}
