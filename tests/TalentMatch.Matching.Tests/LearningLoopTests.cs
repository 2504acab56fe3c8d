using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TalentMatch.Contracts.Matching;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Synthetic;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Reviews;
using TalentMatch.Matching.Features;
using TalentMatch.Testing;
using Xunit.Abstractions;

namespace TalentMatch.Matching.Tests;

/// <summary>
/// The matching service with the learning loop wired in. Program.cs calls <c>AddLearning()</c> / <c>MapLearningApi()</c>;
/// until it does (or if it does not), this host adds them itself, once.
/// </summary>
public class LearningHost : ServiceHost<Program>
{
    protected virtual bool ColdStart => true;

    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Learning:AutoRetrain"] = "false";
        // These tests read the ranking queue the promotion fills; the shortlist worker would drain it under them.
        settings["Shortlists:Enabled"] = "false";
        settings["Learning:ColdStart:Enabled"] = ColdStart.ToString();
        return settings;
    }

    /// <summary>The cold start trains in the background; tests begin once its champion is registered.</summary>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (ColdStart)
        {
            var client = CreateClient();
            await Eventually.True(async () => (await client.GetAsync("/api/models/champion")).IsSuccessStatusCode,
                TimeSpan.FromSeconds(90), "the cold-start champion");
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddLearning(); // no-op when Program already did
            services.AddSingleton<IStartupFilter, MapLearningApiIfMissing>();
        });
    }

    private sealed class MapLearningApiIfMissing : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            if (!app.ApplicationServices.GetRequiredService<LearningApiMarker>().Mapped)
            {
                app.UseRouting();
                app.UseEndpoints(endpoints => endpoints.MapLearningApi());
            }

            next(app);
        };
    }
}

public sealed class EmptyLearningHost : LearningHost
{
    protected override bool ColdStart => false;
}

/// <summary>Labelled matches made up directly in the database: features, baseline score and decision.</summary>
internal static class LabelledMatches
{
    /// <summary>
    /// Positions with decided matches whose label rewards what the hidden utility punishes (far from the position's
    /// field, no skills): the cold-start champion and the baseline rank them badly, a model trained on them well.
    /// </summary>
    public static async Task<List<Guid>> InsertAsync(MatchingDbContext db, int positions, int perPosition, int seed, bool alsoUndecided = true)
    {
        var random = new Random(seed);
        var ids = new List<Guid>();
        for (var p = 0; p < positions; p++)
        {
            var position = Guid.NewGuid();
            ids.Add(position);
            for (var i = 0; i < perPosition; i++)
            {
                var f = new float[MatchFeatures.Count];
                for (var k = 0; k < f.Length; k++)
                {
                    f[k] = (float)random.NextDouble();
                }

                var fit = 1 - (f[MatchFeatures.FieldProximityMean] + f[MatchFeatures.WeightedSkillCoverage]) / 2; // inverted on purpose
                var label = Math.Clamp((int)(fit * 5), 0, 4);
                var (status, outcome) = label switch
                {
                    0 => (MatchStatus.Rejected, (CandidateOutcome?)null),
                    1 => (MatchStatus.Held, null),
                    2 => (MatchStatus.Endorsed, random.Next(2) == 0 ? CandidateOutcome.Contacted : (CandidateOutcome?)null),
                    3 => (MatchStatus.Endorsed, CandidateOutcome.Interviewed),
                    _ => (MatchStatus.Endorsed, random.Next(2) == 0 ? CandidateOutcome.Offered : CandidateOutcome.Hired),
                };
                db.Matches.Add(Match(position, f, 0.4 * f[MatchFeatures.FieldProximityMean] + 0.3 * f[MatchFeatures.WeightedSkillCoverage], status, outcome));
            }

            if (alsoUndecided)
            {
                // Not labels: still proposed, or expired before anyone decided.
                db.Matches.Add(Match(position, new float[MatchFeatures.Count], 0.9, MatchStatus.Proposed, null));
                db.Matches.Add(Match(position, new float[MatchFeatures.Count], 0.9, MatchStatus.Expired, null));
            }
        }

        await db.SaveChangesAsync();
        return ids;
    }

    private static Match Match(Guid position, float[] features, double baseline, MatchStatus status, CandidateOutcome? outcome)
    {
        var now = DateTimeOffset.UtcNow;
        return new Match
        {
            Id = Guid.NewGuid(),
            Version = 1,
            PositionId = position,
            ProfileId = Guid.NewGuid(),
            InstitutionId = Guid.NewGuid(),
            ResearchFields = ["MED.IMMUNO"],
            Score = 0.5,
            BaselineScore = baseline,
            Rank = 1,
            ModelVersion = 1,
            Features = features,
            Status = status,
            ProposedAt = now.AddHours(-1),
            DecidedAt = status is MatchStatus.Proposed or MatchStatus.Expired ? null : now,
            DecidedBy = status is MatchStatus.Proposed or MatchStatus.Expired ? null : "ambassador-1",
            Outcome = outcome,
            OutcomeAt = outcome is null ? null : now,
        };
    }

    public static PositionSnapshot Position(Guid id, bool closed) => new()
    {
        PositionId = id,
        Version = 1,
        Closed = closed,
        InstitutionId = Guid.NewGuid(),
        Title = "Test post",
        City = "Chongqing",
        ResearchFields = ["MED.IMMUNO"],
        CareerStageMin = 2,
        CareerStageMax = 3,
        UpdatedAt = DateTimeOffset.UtcNow,
    };
}

public sealed class LabelGradingTests
{
    [Theory]
    [InlineData(MatchStatus.Rejected, null, 0)]
    [InlineData(MatchStatus.Held, null, 1)]
    [InlineData(MatchStatus.Endorsed, null, 2)]
    [InlineData(MatchStatus.Endorsed, CandidateOutcome.Contacted, 2)]
    [InlineData(MatchStatus.Endorsed, CandidateOutcome.Declined, 2)]
    [InlineData(MatchStatus.Endorsed, CandidateOutcome.Interviewed, 3)]
    [InlineData(MatchStatus.Endorsed, CandidateOutcome.Offered, 4)]
    [InlineData(MatchStatus.Endorsed, CandidateOutcome.Hired, 4)]
    public void Decisions_and_outcomes_are_graded(MatchStatus status, CandidateOutcome? outcome, int label) =>
        Assert.Equal(label, Labels.Grade(new Match { Status = status, Outcome = outcome }));

    [Theory]
    [InlineData(MatchStatus.Proposed)]
    [InlineData(MatchStatus.Expired)]
    public void Undecided_matches_have_no_label(MatchStatus status) => Assert.Null(Labels.Grade(new Match { Status = status }));

    [Fact]
    public void The_best_outcome_counts_so_an_offer_later_declined_stays_a_4() =>
        Assert.Equal(4, Labels.Grade(new Match { Status = MatchStatus.Endorsed, Outcome = CandidateOutcome.Declined }, [CandidateOutcome.Interviewed, CandidateOutcome.Offered]));

    [Fact]
    public void The_held_out_split_is_deterministic_about_a_quarter_and_never_empty()
    {
        var positions = Enumerable.Range(0, 400).Select(i => new Guid(i, 7, 7, [1, 2, 3, 4, 5, 6, 7, 8])).ToList();
        var held = TrainingData.HeldOutPositions(positions, 0.25);
        Assert.Equal(held, TrainingData.HeldOutPositions(positions.AsEnumerable().Reverse(), 0.25));
        Assert.InRange(held.Count, 70, 130);
        Assert.Single(TrainingData.HeldOutPositions(positions.Take(1), 0.25));
        Assert.Single(TrainingData.HeldOutPositions(positions.Take(2), 0.25));
        Assert.Single(TrainingData.HeldOutPositions(positions.Take(2), 0.99));
    }

    [Fact]
    public void An_unlucky_split_still_holds_out_at_least_half_the_expected_share()
    {
        // 500 sets of 40 positions (like the seed campaign): the hash alone held out as few as 2 or 3 of 40 in some.
        var all = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid()).ToList();
        var counts = all.Chunk(40).Select(set => TrainingData.HeldOutPositions(set, 0.25).Count).ToList();
        Assert.All(counts, c => Assert.InRange(c, 5, 39));
        Assert.InRange(counts.Average(), 9, 11);
    }
}

/// <summary>Cold start, retraining, promotion and the registry API on a service that started with an empty registry.</summary>
public sealed class ColdStartAndRetrainTests(LearningHost host, ITestOutputHelper output) : IClassFixture<LearningHost>
{
    private readonly HttpClient _client = host.CreateClient();

    [Fact]
    public async Task Cold_start_registers_a_champion_that_beats_the_baseline_on_held_out_synthetic_positions()
    {
        var models = await _client.GetFromJsonAsync<JsonArray>("/api/models");
        var coldStart = models!.Single(m => m!["kind"]!.GetValue<string>() == ModelTrainer.ColdStartKind)!;
        var model = coldStart["heldOutNdcgAt10"]!.GetValue<double>();
        var baseline = coldStart["baselineNdcgAt10"]!.GetValue<double>();
        output.WriteLine($"cold start: held-out NDCG@10 model {model:F4} vs baseline {baseline:F4}, {coldStart["trainingRows"]} rows, train {coldStart["trainSeconds"]} s");
        Assert.True(model > baseline + 0.02, $"model {model} vs baseline {baseline}");
        Assert.Equal(1, coldStart["version"]!.GetValue<int>());
        Assert.True(coldStart["heldOutGroups"]!.GetValue<int>() >= 1);
        Assert.Null(coldStart["modelJson"]);
        Assert.Equal("ML.NET LightGBM", coldStart["trainer"]!.GetValue<string>());
        Assert.StartsWith("Microsoft.ML.LightGbm 5.0.1, LightGBM 4.6.0", coldStart["trainerVersion"]!.GetValue<string>());

        // ML.NET's own model of the champion opens in ML.NET and scores like the platform's model.
        var zip = await _client.GetByteArrayAsync("/api/models/1/mlnet");
        var json = await host.WithDbAsync<MatchingDbContext, string>(db => db.Models.Where(m => m.Version == 1).Select(m => m.ModelJson).SingleAsync());
        var platform = TalentMatch.Ranking.Model.RankingModel.FromJson(json, MatchFeatures.Names);
        var features = ColdStartHistoryGenerator.Rows(profiles: 100, seed: 5).Take(200).SelectMany(r => r.Features).ToArray();
        var ml = new Microsoft.ML.MLContext(1);
        using var stream = new MemoryStream(zip);
        var mlnet = TalentMatch.Ranking.MlNet.RankingData.Scores(ml.Model.Load(stream, out _), TalentMatch.Ranking.MlNet.RankingData.FeaturesView(ml, features, MatchFeatures.Count));
        var ours = new double[mlnet.Length];
        platform.Score(features, ours);
        for (var i = 0; i < ours.Length; i++) Assert.True(Math.Abs(ours[i] - mlnet[i]) <= 1e-5 * Math.Max(1e-6, Math.Abs(mlnet[i])), $"row {i}: {ours[i]} vs {mlnet[i]}");
        var missing = await _client.GetAsync("/api/models/999/mlnet");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        var promotedEvents = await host.WithDbAsync<MatchingDbContext, List<string>>(db => db.Set<OutboxMessage>()
            .Where(m => m.MessageType == typeof(RankingModelPromoted).FullName).Select(m => m.Payload).ToListAsync());
        Assert.Contains(promotedEvents, p => JsonNode.Parse(p)!["modelVersion"]!.GetValue<int>() == 1);
    }

    [Fact]
    public async Task Retraining_promotes_only_a_challenger_better_by_the_margin_and_promotion_requeues_every_open_position()
    {
        var open = Guid.NewGuid();
        var closed = Guid.NewGuid();
        await host.WithDbAsync<MatchingDbContext, int>(async db =>
        {
            db.Positions.AddRange(LabelledMatches.Position(open, closed: false), LabelledMatches.Position(closed, closed: true));
            await db.SaveChangesAsync();
            await LabelledMatches.InsertAsync(db, positions: 16, perPosition: 30, seed: 1);
            return await db.RankingQueue.ExecuteDeleteAsync();
        });
        var before = await ChampionVersion();

        // Labels that contradict the hidden utility: the new model is far better than the cold-start champion.
        var response = await _client.PostAsync("/api/models/retrain", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var first = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        output.WriteLine(first.ToJsonString());
        Assert.True(first["promoted"]!.GetValue<bool>());
        var model = first["model"]!;
        Assert.Equal("champion", model["status"]!.GetValue<string>());
        Assert.Equal(16 * 30, model["labels"]!.GetValue<int>()); // proposed and expired matches are not labels
        Assert.True(model["heldOutNdcgAt10"]!.GetValue<double>() >= model["championNdcgAt10"]!.GetValue<double>() + 0.005);
        Assert.True(model["heldOutNdcgAt10"]!.GetValue<double>() > model["baselineNdcgAt10"]!.GetValue<double>());
        var version = model["version"]!.GetValue<int>();

        var (queued, oldStatus, promoted) = await host.WithDbAsync<MatchingDbContext, (List<Guid>, ModelStatus, List<string>)>(async db => (
            await db.RankingQueue.Where(q => q.Kind == "position").Select(q => q.AggregateId).ToListAsync(),
            await db.Models.Where(m => m.Version == before).Select(m => m.Status).SingleAsync(),
            await db.Set<OutboxMessage>().Where(m => m.MessageType == typeof(RankingModelPromoted).FullName).Select(m => m.Payload).ToListAsync()));
        Assert.Contains(open, queued);
        Assert.DoesNotContain(closed, queued);
        Assert.Equal(ModelStatus.Retired, oldStatus);
        var promotedEvent = promoted.Select(p => JsonNode.Parse(p)!).Single(p => p["modelVersion"]!.GetValue<int>() == version);
        Assert.Equal(before, promotedEvent["previousModelVersion"]!.GetValue<int>());
        Assert.Equal(ModelTrainer.RegistryId, promotedEvent["aggregateId"]!.GetValue<Guid>());
        Assert.Equal(version, promotedEvent["aggregateVersion"]!.GetValue<long>());
        Assert.Equal(version, await ChampionVersion());

        // The same labels again: the challenger is no better than the champion it equals, so it is kept as rejected.
        var second = (await (await _client.PostAsync("/api/models/retrain", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(second["promoted"]!.GetValue<bool>());
        Assert.Equal("rejected", second["model"]!["status"]!.GetValue<string>());
        Assert.Equal(second["model"]!["heldOutNdcgAt10"]!.GetValue<double>(), second["model"]!["championNdcgAt10"]!.GetValue<double>(), 6);
        Assert.Equal(version, await ChampionVersion());

        var registry = (await _client.GetFromJsonAsync<JsonArray>("/api/models"))!;
        Assert.Equal(registry.Select(m => m!["version"]!.GetValue<int>()).OrderDescending(), registry.Select(m => m!["version"]!.GetValue<int>()));
        Assert.Equal(["champion"], registry.Select(m => m!["status"]!.GetValue<string>()).Where(s => s == "champion"));

        // Two requests at once: one trains, the other waits for nothing and gets 409 (or runs after the first finished).
        var responses = await Task.WhenAll(_client.PostAsync("/api/models/retrain", null), _client.PostAsync("/api/models/retrain", null));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, r.StatusCode.ToString()));
    }

    [Fact]
    public async Task A_retrain_request_while_a_training_runs_gets_409()
    {
        // Another instance training = someone holding the registry's advisory lock.
        await using var connection = new NpgsqlConnection(TestInfrastructure.ConnectionString(host.DatabaseName));
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, tx))
        {
            command.Parameters.AddWithValue("key", ModelTrainer.LockKey);
            await command.ExecuteNonQueryAsync();
        }

        var response = await _client.PostAsync("/api/models/retrain", null);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await tx.RollbackAsync();
    }

    private Task<int> ChampionVersion() =>
        host.WithDbAsync<MatchingDbContext, int>(db => db.Models.Where(m => m.Status == ModelStatus.Champion).Select(m => m.Version).SingleAsync());
}

/// <summary>A service with cold start switched off: no champion, and too few labels to train.</summary>
public sealed class EmptyRegistryTests(EmptyLearningHost host) : IClassFixture<EmptyLearningHost>
{
    private readonly HttpClient _client = host.CreateClient();

    [Fact]
    public async Task Too_few_labels_get_422_saying_how_many_are_needed_and_no_champion_404()
    {
        await host.WithDbAsync<MatchingDbContext, List<Guid>>(db => LabelledMatches.InsertAsync(db, positions: 2, perPosition: 5, seed: 3));

        var response = await _client.PostAsync("/api/models/retrain", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(10, problem["labels"]!.GetValue<int>());
        Assert.Equal(50, problem["minLabels"]!.GetValue<int>());
        Assert.Contains("at least 50", problem["detail"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/models/champion")).StatusCode);
        Assert.Empty((await _client.GetFromJsonAsync<JsonArray>("/api/models"))!);
    }
}
