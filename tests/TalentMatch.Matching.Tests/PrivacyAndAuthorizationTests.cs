using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Matching.Reviews;
using TalentMatch.Testing;

namespace TalentMatch.Matching.Tests;

/// <summary>Runs alone: the timing-sensitive shortlist tests of other classes stay undisturbed.</summary>
[CollectionDefinition(nameof(SerialMatching), DisableParallelization = true)]
public sealed class SerialMatching;

/// <summary>Consent withdrawal, erasure and per-object access in matching, driven by events through the in-memory bus.</summary>
[Collection(nameof(SerialMatching))]
public sealed class PrivacyAndAuthorizationTests(SmallShortlistHost host) : IClassFixture<SmallShortlistHost>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly HttpClient _admin = host.CreateClient();

    public Task InitializeAsync() => ShortlistAndReviewTests.EnsureChampionAsync(host);

    public Task DisposeAsync() => Task.CompletedTask;

    private static ProfileMatchingView Researcher(string field, double years = 8, bool consent = true) =>
        new([field], ["flow cytometry", "single-cell rna-seq"], 3, 3, years, 20, ["Chongqing"], 1, consent,
            HIndex: 8, GrantsLed: 1, TalentTier: 0, Languages: ["zh", "en"]);

    private static PositionMatchingView Post(string field, Guid institution) => new(
        institution, "Associate Researcher", "Chongqing", [field], ["flow cytometry"], ["single-cell rna-seq"],
        MinimumDegree: 3, CareerStageMin: 2, CareerStageMax: 3, MinimumYears: 5, EmploymentMode: 1, Languages: ["en"]);

    [Fact]
    public async Task Withdrawing_consent_removes_the_profile_from_every_shortlist()
    {
        var institution = Guid.NewGuid();
        var first = await host.OpenPosition(Post("LIFE.CELL", institution));
        var second = await host.OpenPosition(Post("LIFE.CELL", institution));
        var profile = await host.RegisterProfile(Researcher("LIFE.CELL.STEM"));
        await Eventually.True(async () => (await _admin.Shortlist(first)).Contains(profile) && (await _admin.Shortlist(second)).Contains(profile), Wait, "both shortlists");

        await host.Publish(new ProfileUpdated(Guid.NewGuid(), DateTimeOffset.UtcNow, profile, 2, Researcher("LIFE.CELL.STEM", consent: false)));
        await Eventually.True(async () => !(await _admin.Shortlist(first)).Contains(profile) && !(await _admin.Shortlist(second)).Contains(profile), Wait, "consent withdrawn");
        Assert.Equal(0, await host.WithDbAsync<MatchingDbContext, int>(db => db.Recommendations.CountAsync(r => r.ProfileId == profile)));
    }

    [Fact]
    public async Task Erasure_purges_the_read_model_and_lists_and_anonymises_training_data()
    {
        var institution = Guid.NewGuid();
        var position = await host.OpenPosition(Post("LIFE.GENET", institution));
        var profile = await host.RegisterProfile(Researcher("LIFE.GENET.EPIGEN"));
        await Eventually.True(async () => await host.WithDbAsync<MatchingDbContext, bool>(db => db.Matches.AnyAsync(m => m.ProfileId == profile)), Wait, "a proposal");
        var match = await host.WithDbAsync<MatchingDbContext, Guid>(db => db.Matches.Where(m => m.ProfileId == profile).Select(m => m.Id).SingleAsync());
        (await _admin.PostAsJsonAsync($"/api/reviews/{match}/decision", new { decision = "endorse" })).EnsureSuccessStatusCode();

        await host.Publish(new ProfileErased(Guid.NewGuid(), DateTimeOffset.UtcNow, profile, 2));
        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(async db =>
            await db.CandidateProfiles.AnyAsync(c => c.ProfileId == profile && c.Withdrawn && c.ResearchFields.Length == 0 && c.Skills.Length == 0)), Wait, "the tombstone");
        await host.WithDbAsync<MatchingDbContext, bool>(async db =>
        {
            Assert.False(await db.ShortlistEntries.AnyAsync(e => e.ProfileId == profile));
            Assert.False(await db.Recommendations.AnyAsync(r => r.ProfileId == profile));
            Assert.False(await db.Matches.AnyAsync(m => m.ProfileId == profile));
            var kept = await db.Matches.SingleAsync(m => m.Id == match);
            Assert.Equal(MatchStatus.Endorsed, kept.Status); // the label stays for training
            Assert.NotEmpty(kept.Features);
            Assert.True(await db.MatchDecisions.AnyAsync(d => d.MatchId == match));
            return true;
        });

        // A late, older event cannot bring the profile back.
        // Wait for its inbox row (the consumer ran and committed), then look: a sleep would pass with the event unread.
        var late = Guid.NewGuid();
        await host.Publish(new ProfileUpdated(Guid.NewGuid(), DateTimeOffset.UtcNow, profile, 3, Researcher("LIFE.GENET.EPIGEN")), late);
        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(db =>
            db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT 1 FROM inbox_messages WHERE message_id = {late}) AS \"Value\"").SingleAsync()), Wait, "the late event consumed");
        Assert.True(await host.WithDbAsync<MatchingDbContext, bool>(db => db.CandidateProfiles.AnyAsync(c => c.ProfileId == profile && c.Withdrawn)));
    }

    [Fact]
    public async Task Ambassadors_see_only_their_scope_and_researchers_only_their_own_recommendations()
    {
        var mine = Guid.NewGuid();
        var position = await host.OpenPosition(Post("LIFE.OMICS", mine));
        var profile = await host.RegisterProfile(Researcher("LIFE.OMICS.PROTEO"));
        await Eventually.True(async () => (await _admin.Shortlist(position)).Contains(profile), Wait, "the shortlist");

        var inScope = host.ClientAs(TestTokens.Ambassador(mine));
        var outOfScope = host.ClientAs(TestTokens.Ambassador(Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.OK, (await inScope.GetAsync($"/api/positions/{position}/shortlist")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outOfScope.GetAsync($"/api/positions/{position}/shortlist")).StatusCode);
        var queue = await outOfScope.GetFromJsonAsync<JsonObject>($"/api/reviews?positionId={position}");
        Assert.Empty(queue!["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await host.ClientAs(TestTokens.Hr(mine)).GetAsync($"/api/positions/{position}/shortlist")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.ClientAs(null).GetAsync($"/api/positions/{position}/shortlist")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await host.ClientAs(TestTokens.Researcher(profile)).GetAsync($"/api/profiles/{profile}/recommendations")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.ClientAs(TestTokens.Researcher(Guid.NewGuid())).GetAsync($"/api/profiles/{profile}/recommendations")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.ClientAs(TestTokens.Ambassador(mine)).PostAsync("/api/models/retrain", null)).StatusCode);
    }

}
