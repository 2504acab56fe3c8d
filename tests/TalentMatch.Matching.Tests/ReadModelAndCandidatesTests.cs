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
using TalentMatch.Testing;

namespace TalentMatch.Matching.Tests;

public sealed class MatchingHost : ServiceHost<Program>;

/// <summary>Consumers, inbox and version guards against real PostgreSQL; events enter through the in-memory bus.</summary>
public sealed class ReadModelAndCandidatesTests(MatchingHost host) : IClassFixture<MatchingHost>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly HttpClient _client = host.CreateClient();

    private static ProfileMatchingView Immunologist(int years = 10, bool consent = true, params string[] fields) => new(
        fields.Length > 0 ? fields : ["MED.IMMUNO.TUMOUR"], ["flow cytometry"], 3, 3, years, 20, ["Chongqing"], 1, consent);

    private static PositionMatchingView ImmunologyPi() => new(
        Guid.NewGuid(), "PI, tumour immunology", "Chongqing", ["MED.IMMUNO"], ["flow cytometry"], [], 3, 3, 4, 8, 1);

    [Fact]
    public async Task A_profile_in_the_position_field_is_ranked_with_its_score_parts()
    {
        var position = await OpenPosition();
        var strong = await Register(Immunologist(years: 12));
        var weak = await Register(Immunologist(years: 2, fields: "MED.IMMUNO.INFECT"));
        var unrelated = await Register(Immunologist(fields: "ENG.MATERIALS"));
        var noConsent = await Register(Immunologist(consent: false));

        var candidates = await CandidatesUntil(position, ids => ids.Contains(strong) && ids.Contains(weak));

        var ids = Ids(candidates);
        Assert.True(ids.IndexOf(strong) < ids.IndexOf(weak));
        Assert.DoesNotContain(unrelated, ids);
        Assert.DoesNotContain(noConsent, ids);
        var first = candidates["candidates"]!["items"]!.AsArray().First(c => c!["profileId"]!.GetValue<Guid>() == strong)!;
        Assert.Equal(1.0, first["score"]!.GetValue<double>(), 6);
        Assert.Equal(["researchFields", "skills", "degree", "experience"], first["parts"]!.AsArray().Select(p => p!["criterion"]!.GetValue<string>()));
        Assert.Equal("baseline", candidates["scorer"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_older_version_never_overwrites_a_newer_one()
    {
        var position = await OpenPosition();
        var id = Guid.NewGuid();
        await host.Publish(new ProfileUpdated(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 2, Immunologist(fields: "ENG.MATERIALS")));
        await Eventually.True(async () => await VersionOf(id) == 2, Wait, "version 2 to be applied");

        var stale = Guid.NewGuid();
        await host.Publish(new ProfileRegistered(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 1, Immunologist()), stale);
        await Eventually.True(() => InboxHas(stale), Wait, "the stale event to be consumed");

        Assert.Equal(2, await VersionOf(id));
        Assert.DoesNotContain(id, Ids(await Candidates(position)));
    }

    [Fact]
    public async Task A_redelivered_message_has_no_second_effect()
    {
        var id = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        await host.Publish(new ProfileRegistered(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 1, Immunologist()), messageId);
        await Eventually.True(async () => await VersionOf(id) == 1, Wait, "the first delivery");

        // Same message id, different content: only the inbox can tell it is a duplicate.
        await host.Publish(new ProfileRegistered(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 5, Immunologist(fields: "ENG.MATERIALS")), messageId);
        await host.Publish(new ProfileUpdated(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 2, Immunologist(years: 3)));
        await Eventually.True(async () => await VersionOf(id) == 2, Wait, "the following update");

        var inboxRows = await host.WithDbAsync<MatchingDbContext, int>(db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId));
        Assert.Equal(1, inboxRows);
    }

    [Fact]
    public async Task Concurrent_deliveries_share_transactions_and_a_poison_one_fails_alone()
    {
        var bus = host.Services.GetRequiredService<IBus>();
        var now = DateTimeOffset.UtcNow;
        var profiles = Enumerable.Range(0, 150).Select(_ => (Id: Guid.NewGuid(), MessageId: Guid.NewGuid())).ToArray();
        var poison = Guid.NewGuid();
        var duplicate = Guid.NewGuid();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var publishes = profiles.Select(p => bus.Publish(new ProfileRegistered(Guid.NewGuid(), now, p.Id, 1, Immunologist()), c => c.MessageId = p.MessageId)).ToList();
        // A publisher bug (no matching view) in the middle of the stream, and one message id delivered twice with
        // different aggregates: whichever arrives first is applied, the other is a duplicate.
        publishes.Insert(75, bus.Publish(new ProfileRegistered(poison, now, Guid.NewGuid(), 1, null!), c => c.MessageId = poison));
        publishes.Add(bus.Publish(new ProfileRegistered(Guid.NewGuid(), now, first, 1, Immunologist()), c => c.MessageId = duplicate));
        publishes.Add(bus.Publish(new ProfileRegistered(Guid.NewGuid(), now, second, 1, Immunologist()), c => c.MessageId = duplicate));
        await Task.WhenAll(publishes);

        var ids = profiles.Select(p => p.Id).Append(first).Append(second).ToArray();
        await Eventually.True(async () => await CountAsync("SELECT count(*)::int AS \"Value\" FROM candidate_profiles WHERE profile_id = ANY({0})", ids) == 151,
            Wait, "every good message to be applied");

        Assert.False(await InboxHas(poison));
        Assert.Equal(1, await CountAsync("SELECT count(*)::int AS \"Value\" FROM candidate_profiles WHERE profile_id = ANY({0})", [first, second]));
        // Rows committed together share their transaction's now(): fewer distinct times than rows means batches formed.
        var shared = await CountAsync("SELECT (count(*) - count(DISTINCT processed_at))::int AS \"Value\" FROM inbox_messages WHERE message_id = ANY({0})",
            profiles.Select(p => p.MessageId).ToArray());
        Assert.True(shared > 0, "no two messages were committed in one transaction");
    }

    [Fact]
    public async Task A_burst_of_versions_out_of_order_leaves_each_profile_at_its_newest_one()
    {
        // Registrations and updates of one profile land in one inbox batch and share one multi-row upsert; withdrawals
        // (applied alone) sit between them. Whatever the order, the newest version wins.
        var bus = host.Services.GetRequiredService<IBus>();
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 40).Select(_ => Guid.NewGuid()).ToArray();
        var events = new List<object>();
        for (var i = 0; i < ids.Length; i++)
        {
            events.Add(new ProfileRegistered(Guid.NewGuid(), now, ids[i], 1, Immunologist(years: 1)));
            events.Add(new ProfileUpdated(Guid.NewGuid(), now, ids[i], 2, Immunologist(years: 2)));
            events.Add(new ProfileUpdated(Guid.NewGuid(), now, ids[i], 3, Immunologist(years: 3)));
            if (i % 2 == 0)
            {
                events.Add(new ProfileWithdrawn(Guid.NewGuid(), now, ids[i], 4));
            }
        }

        var messageIds = events.Select(_ => Guid.NewGuid()).ToArray();
        await Task.WhenAll(Enumerable.Range(0, events.Count).OrderBy(_ => Random.Shared.Next())
            .Select(i => bus.Publish(events[i], events[i].GetType(), c => c.MessageId = messageIds[i])));

        await Eventually.True(async () => await CountAsync("SELECT count(*)::int AS \"Value\" FROM inbox_messages WHERE message_id = ANY({0})", messageIds) == events.Count,
            Wait, "every event to be consumed");
        var rows = await host.WithDbAsync<MatchingDbContext, List<ReadModel.CandidateProfile>>(db =>
            db.CandidateProfiles.AsNoTracking().Where(c => ids.Contains(c.ProfileId)).ToListAsync());
        Assert.Equal(ids.Length, rows.Count);
        foreach (var row in rows)
        {
            var withdrawn = Array.IndexOf(ids, row.ProfileId) % 2 == 0;
            Assert.Equal(withdrawn ? 4 : 3, row.Version);
            Assert.Equal(withdrawn, row.Withdrawn);
            if (!withdrawn)
            {
                Assert.Equal(3, row.YearsOfExperience); // a withdrawal that arrived first leaves only a tombstone
            }
        }
    }

    [Fact]
    public async Task The_full_matching_views_are_stored()
    {
        var id = Guid.NewGuid();
        var view = Immunologist() with { HIndex = 12, GrantsLed = 3, TalentTier = 2, Languages = ["zh", "en"], EarliestStartDate = new DateOnly(2027, 3, 1) };
        await host.Publish(new ProfileRegistered(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 1, view));
        await Eventually.True(async () => await VersionOf(id) == 1, Wait, "the profile to arrive");
        var position = Guid.NewGuid();
        await host.Publish(new PositionOpened(Guid.NewGuid(), DateTimeOffset.UtcNow, position, 1,
            ImmunologyPi() with { TalentTierSought = 3, Languages = ["en"], ApplicationDeadline = new DateOnly(2027, 6, 30) }));
        await Eventually.True(async () => (await _client.GetAsync($"/api/positions/{position}/candidates")).IsSuccessStatusCode, Wait, "the position to arrive");

        var stored = await host.WithDbAsync<MatchingDbContext, ReadModel.CandidateProfile>(db => db.CandidateProfiles.AsNoTracking().SingleAsync(c => c.ProfileId == id));
        Assert.Equal((12, 3, 2, new DateOnly(2027, 3, 1)), (stored.HIndex, stored.GrantsLed, stored.TalentTier, stored.EarliestStartDate!.Value));
        Assert.Equal(["zh", "en"], stored.Languages);
        var snapshot = await host.WithDbAsync<MatchingDbContext, ReadModel.PositionSnapshot>(db => db.Positions.AsNoTracking().SingleAsync(p => p.PositionId == position));
        Assert.Equal((3, new DateOnly(2027, 6, 30)), (snapshot.TalentTierSought, snapshot.ApplicationDeadline!.Value));
        Assert.Equal(["en"], snapshot.Languages);
    }

    [Fact]
    public async Task Withdrawn_profiles_leave_and_closed_positions_are_gone()
    {
        var position = await OpenPosition();
        var id = await Register(Immunologist());
        await CandidatesUntil(position, ids => ids.Contains(id));

        await host.Publish(new ProfileWithdrawn(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 2));
        await CandidatesUntil(position, ids => !ids.Contains(id));

        await host.Publish(new PositionClosed(Guid.NewGuid(), DateTimeOffset.UtcNow, position, 2));
        await Eventually.True(async () => (await _client.GetAsync($"/api/positions/{position}/candidates")).StatusCode == HttpStatusCode.NotFound,
            Wait, "the closed position to disappear");
    }

    [Fact]
    public async Task Unknown_positions_and_bad_paging_get_problem_details()
    {
        var unknown = await _client.GetAsync($"/api/positions/{Guid.NewGuid()}/candidates");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/api/positions/{Guid.NewGuid()}/candidates?pageSize=0")).StatusCode);
    }

    [Fact]
    public async Task The_migrated_schema_matches_the_model() =>
        await host.WithDbAsync<MatchingDbContext, bool>(async db =>
        {
            await SchemaAssert.MigratedSchemaMatchesModel(db);
            return true;
        });

    private async Task<Guid> OpenPosition()
    {
        var id = Guid.NewGuid();
        await host.Publish(new PositionOpened(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 1, ImmunologyPi()));
        await Eventually.True(async () => (await _client.GetAsync($"/api/positions/{id}/candidates")).IsSuccessStatusCode, Wait, "the position to reach matching");
        return id;
    }

    private async Task<Guid> Register(ProfileMatchingView view)
    {
        var id = Guid.NewGuid();
        await host.Publish(new ProfileRegistered(Guid.NewGuid(), DateTimeOffset.UtcNow, id, 1, view));
        await Eventually.True(async () => await VersionOf(id) == 1, Wait, "the profile to reach the read model");
        return id;
    }

    private Task<long?> VersionOf(Guid profileId) =>
        host.WithDbAsync<MatchingDbContext, long?>(db => db.CandidateProfiles.Where(c => c.ProfileId == profileId).Select(c => (long?)c.Version).FirstOrDefaultAsync());

    private Task<int> CountAsync(string sql, Guid[] ids) =>
        host.WithDbAsync<MatchingDbContext, int>(db => db.Database.SqlQueryRaw<int>(sql, ids).SingleAsync());

    private Task<bool> InboxHas(Guid messageId) =>
        host.WithDbAsync<MatchingDbContext, bool>(db => db.Set<InboxMessage>().AnyAsync(m => m.MessageId == messageId));

    private async Task<JsonObject> Candidates(Guid position) =>
        (await _client.GetFromJsonAsync<JsonObject>($"/api/positions/{position}/candidates?pageSize=200"))!;

    private Task<JsonObject> CandidatesUntil(Guid position, Func<List<Guid>, bool> condition) =>
        Eventually.Get(() => Candidates(position), c => condition(Ids(c)), Wait, "the candidate list to change");

    private static List<Guid> Ids(JsonObject candidates) =>
        candidates["candidates"]!["items"]!.AsArray().Select(c => c!["profileId"]!.GetValue<Guid>()).ToList();
}
