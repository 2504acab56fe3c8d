using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Testing;

namespace TalentMatch.Profiles.Tests;

/// <summary>Registrations are group-committed: the component's rules, then the real write path against PostgreSQL.</summary>
public sealed class GroupCommitTests(ProfilesHost host) : IClassFixture<ProfilesHost>
{
    private readonly HttpClient _client = host.CreateClient();

    [Fact]
    public async Task Items_that_arrive_together_share_a_write_and_a_faulty_one_fails_alone()
    {
        var writes = new ConcurrentQueue<string[]>();
        var gate = new TaskCompletionSource();
        await using var commit = new GroupCommit<string>(async (items, _) =>
        {
            writes.Enqueue([.. items]);
            await gate.Task; // holds the first write so that the others queue up behind it
            if (items.Contains("bad"))
            {
                throw new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation);
            }
        }, new GroupCommitOptions { Writers = 1 }, NullLogger.Instance);

        var first = commit.WriteAsync("first", CancellationToken.None);
        await Eventually.True(() => Task.FromResult(!writes.IsEmpty), TimeSpan.FromSeconds(5), "the first write to start");
        var names = Enumerable.Range(0, 20).Select(i => i == 10 ? "bad" : $"item{i}").ToArray();
        var rest = names.Select(n => commit.WriteAsync(n, CancellationToken.None)).ToArray();
        gate.SetResult();

        await first;
        await Assert.ThrowsAsync<PostgresException>(() => rest[10]);
        await Task.WhenAll(rest.Where((_, i) => i != 10));
        var batches = writes.ToArray();
        Assert.Equal(["first"], batches[0]);
        Assert.Equal(names, batches[1]); // everything that queued meanwhile went in one write, in arrival order
        Assert.Equal(names.Select(n => new[] { n }), batches.Skip(2)); // which failed on one item: then one by one
    }

    [Fact]
    public async Task A_database_failure_fails_every_item_of_its_batch_and_the_next_batch_is_written()
    {
        var down = true;
        var gate = new TaskCompletionSource();
        var calls = 0;
        await using var commit = new GroupCommit<int>(async (items, _) =>
        {
            Interlocked.Increment(ref calls);
            await gate.Task;
            if (down)
            {
                throw new NpgsqlException("connection refused");
            }
        }, new GroupCommitOptions { Writers = 1 }, NullLogger.Instance);

        var held = commit.WriteAsync(0, CancellationToken.None);
        await Eventually.True(() => Task.FromResult(Volatile.Read(ref calls) == 1), TimeSpan.FromSeconds(5), "the first write to start");
        var queued = Enumerable.Range(1, 5).Select(i => commit.WriteAsync(i, CancellationToken.None)).ToArray();
        gate.SetResult();

        await Assert.ThrowsAsync<NpgsqlException>(() => held);
        foreach (var write in queued)
        {
            await Assert.ThrowsAsync<NpgsqlException>(() => write);
        }

        Assert.Equal(2, calls); // not retried item by item: the database, not an item, was at fault
        down = false;
        await commit.WriteAsync(6, CancellationToken.None);
    }

    [Fact]
    public async Task Shutting_down_writes_what_is_queued_and_refuses_new_items()
    {
        var written = new ConcurrentBag<int>();
        var gate = new TaskCompletionSource();
        var commit = new GroupCommit<int>(async (items, _) =>
        {
            await gate.Task;
            foreach (var item in items)
            {
                written.Add(item);
            }
        }, new GroupCommitOptions { Writers = 1 }, NullLogger.Instance);

        var writes = Enumerable.Range(0, 10).Select(i => commit.WriteAsync(i, CancellationToken.None)).ToArray();
        var disposing = commit.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<InvalidOperationException>(() => commit.WriteAsync(99, CancellationToken.None));
        gate.SetResult();
        await disposing;

        await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(0, 10), written.Order());
    }

    [Fact]
    public async Task Concurrent_registrations_are_committed_together_each_with_its_event()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => _client.PostAsJsonAsync("/api/profiles", ProfilesApiTests.ValidProfile())));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>()));
        // Rows written by one transaction carry its id in xmin: fewer distinct ones than profiles means shared commits.
        var transactions = await Count($"SELECT count(DISTINCT xmin::text)::int AS \"Value\" FROM profiles WHERE id = ANY({ids})");
        Assert.InRange(transactions, 1, ids.Length - 1);
        // Each profile has exactly its one ProfileRegistered event (the relay's "sent" update gives the row a new xmin,
        // so the shared transaction cannot be seen here; the fault tests show a crash cannot split them).
        var events = await Count($"""
            SELECT count(*)::int AS "Value" FROM outbox_messages
            WHERE message_type LIKE '%ProfileRegistered' AND (payload ->> 'aggregateId')::uuid = ANY({ids})
            """);
        Assert.Equal(ids.Length, events);
    }

    [Fact]
    public async Task A_researcher_registering_twice_at_once_gets_one_profile_and_a_409_while_others_register()
    {
        var account = Guid.NewGuid();
        var researcher = host.ClientAs(TestTokens.Researcher(account));
        var others = Enumerable.Range(0, 30).Select(_ => _client.PostAsJsonAsync("/api/profiles", ProfilesApiTests.ValidProfile())).ToList();
        var own = Enumerable.Range(0, 2).Select(_ => researcher.PostAsJsonAsync("/api/profiles", ProfilesApiTests.ValidProfile())).ToList();

        var ownStatuses = (await Task.WhenAll(own)).Select(r => r.StatusCode).Order().ToArray();
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], ownStatuses);
        Assert.All(await Task.WhenAll(others), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(1, await Count($"SELECT count(*)::int AS \"Value\" FROM profiles WHERE id = {account}"));
        Assert.Equal(1, await Count($"SELECT count(*)::int AS \"Value\" FROM outbox_messages WHERE (payload ->> 'aggregateId')::uuid = {account}"));
    }

    private Task<int> Count(FormattableString sql) =>
        host.WithDbAsync<ProfilesDbContext, int>(db => db.Database.SqlQuery<int>(sql).SingleAsync());
}
