using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Matching;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Reviews;
using TalentMatch.Ranking.Data;
using TalentMatch.Matching.Features;
using TalentMatch.Ranking.MlNet;
using TalentMatch.Testing;

namespace TalentMatch.Matching.Tests;

/// <summary>A matching host with small shortlists (K = 4, the top 2 proposed) so eviction is easy to see.</summary>
public sealed class SmallShortlistHost : ServiceHost<Program>
{
    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Shortlists:Size"] = "4";
        settings["Shortlists:ProposeTop"] = "2";
        settings["Shortlists:PollInterval"] = "00:00:00.050";
        return settings;
    }
}

/// <summary>Shortlists, recommendations, proposals and reviews, driven by events through the in-memory bus.</summary>
public sealed class ShortlistAndReviewTests(SmallShortlistHost host) : IClassFixture<SmallShortlistHost>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly HttpClient _client = host.CreateClient();

    public Task InitializeAsync() => EnsureChampionAsync(host);

    public Task DisposeAsync() => Task.CompletedTask;

    private static ProfileMatchingView Researcher(double years, string field = "MED.IMMUNO.TUMOUR", int degree = 3, int stage = 3, int modes = 1, bool consent = true) =>
        new([field], ["flow cytometry", "single-cell rna-seq"], degree, stage, years, (int)(years * 3), ["Chongqing"], modes, consent,
            HIndex: (int)years, GrantsLed: 1, TalentTier: 0, Languages: ["zh", "en"]);

    // Tests in this class share a database, so each uses its own field: other tests' profiles never qualify.
    private static PositionMatchingView Post(string field = "MED.IMMUNO") => new(
        Guid.NewGuid(), "Associate Researcher", "Chongqing", [field], ["flow cytometry"], ["single-cell rna-seq"],
        MinimumDegree: 3, CareerStageMin: 2, CareerStageMax: 3, MinimumYears: 5, EmploymentMode: 1, Languages: ["en"]);

    [Fact]
    public async Task A_position_is_ranked_within_its_hard_constraints_with_explanations_and_proposals()
    {
        // Candidates first, then the position: one full ranking, so exactly the top two are proposed.
        const string field = "NEURO.DEGEN.AD";
        var eligible = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            eligible.Add(await host.RegisterProfile(Researcher(years: 4 + i, field)));
        }

        var lowDegree = await host.RegisterProfile(Researcher(years: 20, field, degree: 2));
        var tooSenior = await host.RegisterProfile(Researcher(years: 20, field, stage: 4));
        var visitingOnly = await host.RegisterProfile(Researcher(years: 20, field, modes: 4));
        var noConsent = await host.RegisterProfile(Researcher(years: 20, field, consent: false));
        var otherField = await host.RegisterProfile(Researcher(years: 20, field: "ENG.MAT.NANO"));
        await UntilInReadModel([.. eligible, lowDegree, tooSenior, visitingOnly, noConsent, otherField]);
        var position = await host.OpenPosition(Post("NEURO.DEGEN"));

        var shortlist = await ShortlistUntil(position, s => s.Count == 4 && s.All(eligible.Contains));
        Assert.DoesNotContain(lowDegree, shortlist);
        Assert.DoesNotContain(tooSenior, shortlist);
        Assert.DoesNotContain(visitingOnly, shortlist);
        Assert.DoesNotContain(noConsent, shortlist);
        Assert.DoesNotContain(otherField, shortlist);

        var view = await _client.GetFromJsonAsync<JsonObject>($"/api/positions/{position}/shortlist");
        var first = view!["items"]![0]!;
        Assert.Equal(1, first["rank"]!.GetValue<int>());
        Assert.InRange(first["topContributions"]!.AsArray().Count, 1, 5);
        Assert.NotNull(view["modelVersion"]);

        // The top two are proposed for review, each once, with MatchProposed published.
        var proposals = await Eventually.Get(() => Proposals(position), p => p.Count == 2, Wait, "two proposals");
        Assert.All(proposals, p => Assert.Contains(p, shortlist.Take(2)));
        Assert.Equal(2, await Outbox("MatchProposed", position, "positionId"));
        Assert.True(await Outbox("ShortlistChanged", position) >= 1);
    }

    [Fact]
    public async Task A_better_profile_enters_the_shortlist_incrementally_and_the_evicted_proposal_expires()
    {
        var position = await host.OpenPosition(Post());
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await host.RegisterProfile(Researcher(years: 5 + i)));
        }

        await ShortlistUntil(position, s => s.Count == 4);
        // Arriving one by one, each profile that enters the top two is proposed: at least two, perhaps more.
        var proposed = await Eventually.Get(() => Proposals(position), p => p.Count >= 2, Wait, "the first proposals");

        // Withdrawing a proposed candidate removes it everywhere and expires its proposal; a decision on it is then 404.
        var leader = proposed[0];
        var leaderMatch = await MatchId(position, leader);
        await host.Publish(new ProfileWithdrawn(Guid.NewGuid(), DateTimeOffset.UtcNow, leader, 2));
        await ShortlistUntil(position, s => !s.Contains(leader));
        var decision = await _client.PostAsJsonAsync($"/api/reviews/{leaderMatch}/decision", new { decision = "endorse" });
        Assert.Equal(HttpStatusCode.NotFound, decision.StatusCode);
        var recommendations = await _client.GetAsync($"/api/profiles/{leader}/recommendations");
        Assert.Equal(HttpStatusCode.NotFound, recommendations.StatusCode);

        // A new, strong profile is placed without re-ranking the whole position, and sees the position recommended.
        var star = await host.RegisterProfile(Researcher(years: 9));
        var after = await ShortlistUntil(position, s => s.Contains(star));
        Assert.Equal(4, after.Count);
        var recs = await _client.GetFromJsonAsync<JsonObject>($"/api/profiles/{star}/recommendations");
        Assert.Contains(recs!["items"]!.AsArray(), r => r!["positionId"]!.GetValue<Guid>() == position);
        // Explained when read if the worker left them unexplained: never an empty list.
        Assert.All(recs["items"]!.AsArray(), r => Assert.InRange(r!["topContributions"]!.AsArray().Count, 1, 5));
    }

    [Fact]
    public async Task Reviews_are_recorded_once_with_an_audit_trail_and_outcomes_follow_endorsement()
    {
        // Candidates first, then the position: one full ranking proposes exactly the top two.
        var candidates = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            candidates.Add(await host.RegisterProfile(Researcher(years: 6 + i, "BIOMED.METAB.DIABETES")));
        }

        await UntilInReadModel(candidates);
        var position = await host.OpenPosition(Post("BIOMED.METAB"));

        var proposals = await Eventually.Get(() => Proposals(position), p => p.Count == 2, Wait, "proposals");
        var queue = await _client.GetFromJsonAsync<JsonObject>($"/api/reviews?positionId={position}&sort=score");
        var items = queue!["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.True(items[0]!["score"]!.GetValue<double>() >= items[1]!["score"]!.GetValue<double>());
        var endorseId = items[0]!["id"]!.GetValue<Guid>();
        var rejectId = items[1]!["id"]!.GetValue<Guid>();

        // The full explanation adds up to the score.
        var detail = await _client.GetFromJsonAsync<JsonObject>($"/api/reviews/{endorseId}");
        var sum = detail!["contributions"]!.AsArray().Sum(c => c!["amount"]!.GetValue<double>()) + detail["bias"]!.GetValue<double>();
        Assert.Equal(detail["match"]!["score"]!.GetValue<double>(), sum, 3);

        Assert.Equal(HttpStatusCode.BadRequest, (await Decide(rejectId, new { decision = "reject" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Decide(rejectId, new { decision = "reject", reason = "other" })).StatusCode);
        // Who decided comes from the token: two ambassadors of the institution, and nobody can name another in the body.
        var institution = await host.WithDbAsync<MatchingDbContext, Guid>(db => db.Positions.Where(p => p.PositionId == position).Select(p => p.InstitutionId).SingleAsync());
        var first = host.ClientAs(TestTokens.Issue(Guid.NewGuid().ToString(), "ambassador", [institution], name: "Prof. Li Wei"));
        var second = host.ClientAs(TestTokens.Issue(Guid.NewGuid().ToString(), "ambassador", [institution], name: "Dr. Zhou Min"));
        var impersonation = await first.PostAsJsonAsync($"/api/reviews/{rejectId}/decision", new { decision = "hold", reviewer = "Dr. Zhou Min" });
        Assert.Equal(HttpStatusCode.BadRequest, impersonation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.PostAsJsonAsync($"/api/reviews/{rejectId}/decision", new { decision = "hold" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Decide(rejectId, new { decision = "hold" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.PostAsJsonAsync($"/api/reviews/{rejectId}/decision", new { decision = "reject", reason = "insufficient-seniority" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Decide(rejectId, new { decision = "endorse" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await RecordOutcome(rejectId, "interviewed")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await Decide(endorseId, new { decision = "endorse" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RecordOutcome(endorseId, "interviewed")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await RecordOutcome(endorseId, "interviewed")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Decide(Guid.NewGuid(), new { decision = "endorse" })).StatusCode);

        var endorsed = await _client.GetFromJsonAsync<JsonArray>($"/api/positions/{position}/endorsed");
        var only = Assert.Single(endorsed!);
        Assert.Equal("interviewed", only!["outcome"]!.GetValue<string>());

        var trail = await host.WithDbAsync<MatchingDbContext, List<MatchDecision>>(db => db.MatchDecisions.AsNoTracking()
            .Where(d => d.MatchId == rejectId).OrderBy(d => d.Id).ToListAsync());
        Assert.Equal([ReviewDecision.Hold, ReviewDecision.Reject], trail.Select(d => d.Decision));
        Assert.Collection(trail, d => Assert.StartsWith("Prof. Li Wei (", d.Reviewer), d => Assert.StartsWith("Dr. Zhou Min (", d.Reviewer));
        Assert.All(trail, d => Assert.Equal(MatchFeatures.Count, d.Features.Length));
        Assert.Equal(3, await Outbox("MatchReviewed", endorseId) + await Outbox("MatchReviewed", rejectId));
        Assert.Equal(1, await Outbox("CandidateOutcomeRecorded", endorseId));
    }

    [Fact]
    public async Task Explanations_add_up_and_a_closed_position_leaves_every_list()
    {
        var position = await host.OpenPosition(Post("LIFE.CELL"));
        var profile = await host.RegisterProfile(Researcher(years: 7, "LIFE.CELL.STEM"));
        await ShortlistUntil(position, s => s.Contains(profile));

        var explanation = await _client.GetFromJsonAsync<JsonObject>($"/api/positions/{position}/candidates/{profile}/explanation");
        Assert.True(explanation!["passesHardConstraints"]!.GetValue<bool>());
        var total = explanation["contributions"]!.AsArray().Sum(c => c!["amount"]!.GetValue<double>()) + explanation["bias"]!.GetValue<double>();
        Assert.Equal(explanation["score"]!.GetValue<double>(), total, 3);
        Assert.Equal(MatchFeatures.Count, explanation["contributions"]!.AsArray().Count);

        await host.Publish(new PositionClosed(Guid.NewGuid(), DateTimeOffset.UtcNow, position, 2, Filled: true));
        await Eventually.True(async () => (await _client.GetAsync($"/api/positions/{position}/shortlist")).StatusCode == HttpStatusCode.NotFound, Wait, "the shortlist to go");
        await Eventually.True(async () => await host.WithDbAsync<MatchingDbContext, bool>(db => db.ShortlistEntries.AnyAsync(e => e.PositionId == position)) == false,
            Wait, "the entries to be removed");
        Assert.False(await host.WithDbAsync<MatchingDbContext, bool>(db => db.Recommendations.AnyAsync(r => r.PositionId == position)));
        Assert.False(await host.WithDbAsync<MatchingDbContext, bool>(db => db.Matches.AnyAsync(m => m.PositionId == position && m.Status == MatchStatus.Proposed)));
    }

    /// <summary>
    /// Registers a small model trained on synthetic features (better field and skill fit → higher label) as champion,
    /// unless the service's own cold start has already registered one.
    /// </summary>
    internal static async Task EnsureChampionAsync<T>(ServiceHost<T> host) where T : class
    {
        await host.WithDbAsync<MatchingDbContext, bool>(async db =>
        {
            if (await db.Models.AnyAsync(m => m.Status == ModelStatus.Champion))
            {
                return true;
            }

            var random = new Random(7);
            const int groups = 40, perGroup = 20;
            var features = new float[groups * perGroup * MatchFeatures.Count];
            var labels = new float[groups * perGroup];
            var groupIds = new int[groups * perGroup];
            for (var r = 0; r < labels.Length; r++)
            {
                var row = features.AsSpan(r * MatchFeatures.Count, MatchFeatures.Count);
                for (var f = 0; f < row.Length; f++)
                {
                    row[f] = (float)random.NextDouble();
                }

                var utility = row[MatchFeatures.FieldProximityMean] + row[MatchFeatures.WeightedSkillCoverage] + 0.5 * row[MatchFeatures.ExperienceFit];
                labels[r] = (float)Math.Clamp(Math.Floor(utility * 1.6), 0, 4);
                groupIds[r] = r / perGroup;
            }

            var model = new MlNetRankingTrainer(new RankingTrainerOptions { NumberOfTrees = 30, NumberOfLeaves = 8, MinRowsPerLeaf = 5, Threads = 1 })
                .Train(RankingDataset.FromGroupIds(labels, groupIds, features, MatchFeatures.Names)).Model;
            db.Models.Add(new RegisteredModel
            {
                Version = 1, CreatedAt = DateTimeOffset.UtcNow, Kind = "test", Status = ModelStatus.Champion, ModelJson = model.ToJson(),
                Trainer = model.Metadata.Trainer!, TrainerVersion = model.Metadata.TrainerVersion!,
                TrainingRows = labels.Length, TrainingGroups = groups, Labels = labels.Length, HeldOutNdcgAt10 = 0, PromotedAt = DateTimeOffset.UtcNow,
            });
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateException)
            {
                // The cold start registered its champion at the same moment; use that one.
            }

            return true;
        });
    }

    private Task UntilInReadModel(IReadOnlyCollection<Guid> profiles) =>
        Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(async db =>
            await db.CandidateProfiles.CountAsync(c => profiles.Contains(c.ProfileId)) == profiles.Count), Wait, "the profiles to reach the read model");

    private Task<List<Guid>> ShortlistUntil(Guid position, Func<List<Guid>, bool> condition) =>
        Eventually.Get(() => _client.Shortlist(position), condition, Wait, "the shortlist to change");

    private Task<List<Guid>> Proposals(Guid position) =>
        host.WithDbAsync<MatchingDbContext, List<Guid>>(db => db.Matches.Where(m => m.PositionId == position && m.Status == MatchStatus.Proposed)
            .Select(m => m.ProfileId).ToListAsync());

    private Task<Guid> MatchId(Guid position, Guid profile) =>
        host.WithDbAsync<MatchingDbContext, Guid>(db => db.Matches.Where(m => m.PositionId == position && m.ProfileId == profile).Select(m => m.Id).SingleAsync());

    private Task<int> Outbox(string type, Guid id, string member = "aggregateId") =>
        host.WithDbAsync<MatchingDbContext, int>(db => db.Set<OutboxMessage>()
            .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE message_type = {"TalentMatch.Contracts.Matching." + type} AND payload->>{member} = {id.ToString()}")
            .CountAsync());

    private Task<HttpResponseMessage> Decide(Guid match, object body) => _client.PostAsJsonAsync($"/api/reviews/{match}/decision", body);

    private Task<HttpResponseMessage> RecordOutcome(Guid match, string outcome) =>
        _client.PostAsJsonAsync($"/api/matches/{match}/outcomes", new { outcome });
}
