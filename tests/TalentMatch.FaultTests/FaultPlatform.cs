using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Npgsql;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;
using TalentMatch.Testing;

namespace TalentMatch.FaultTests;

/// <summary>
/// Profiles and matching as real processes on the fault tests' own infrastructure: a fresh database each (matching's
/// on its own PostgreSQL server), a fresh virtual host, matching with <c>Inbox:RecordApplications</c> on so every
/// committed application of an event is counted independently of the inbox's own dedup row.
/// </summary>
public sealed class FaultPlatform : IAsyncDisposable
{
    private readonly FaultInfrastructure _infra;

    private FaultPlatform(FaultInfrastructure infra, string virtualHost)
    {
        _infra = infra;
        VirtualHost = virtualHost;
    }

    public string VirtualHost { get; }
    public string ProfilesDatabase { get; } = TestInfrastructure.UniqueDatabaseName("f_profiles");
    public string MatchingDatabase { get; } = TestInfrastructure.UniqueDatabaseName("f_matching");
    public ServiceProcess Profiles { get; set; } = null!;
    public ServiceProcess Matching { get; set; } = null!;
    public InfraInstance Broker => _infra.Main;
    public InfraInstance MatchingPostgres => _infra.MatchingDb;

    /// <summary>The main instance's PostgreSQL, which holds profiles' database (matching's is on its own instance).</summary>
    public InfraInstance ProfilesPostgres => _infra.Main;

    public static async Task<FaultPlatform> StartAsync(FaultInfrastructure infra, IReadOnlyDictionary<string, string?>? profilesExtra = null)
    {
        var platform = new FaultPlatform(infra, await infra.Main.AddVirtualHostAsync("faults"));
        platform.Matching = platform.NewProcess("Matching");
        platform.Profiles = platform.NewProcess("Profiles", profilesExtra);
        // Matching first: its queues exist before anything is published (mandatory publishing would cope anyway).
        await platform.Matching.StartAsync();
        await platform.Profiles.StartAsync();
        return platform;
    }

    public ServiceProcess NewProcess(string service, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = service == "Matching"
                ? _infra.MatchingDb.ConnectionString(MatchingDatabase)
                : _infra.Main.ConnectionString(ProfilesDatabase),
            ["RabbitMq:Host"] = "127.0.0.1",
            ["RabbitMq:Port"] = _infra.Main.RabbitPort.ToString(),
            ["RabbitMq:VirtualHost"] = VirtualHost,
            ["RabbitMq:Username"] = "guest",
            ["RabbitMq:Password"] = "guest",
            ["Outbox:PollInterval"] = "00:00:00.200",
            ["Outbox:MaxBackoff"] = "00:00:02",
            ["Outbox:PublishTimeout"] = "00:00:05",
            ["Inbox:RecordApplications"] = "true",
        };
        // The watchdog experiment (README, "bus watchdog"): the watchdog only logs what it would have done.
        if (Environment.GetEnvironmentVariable("TM_WATCHDOG_LOG_ONLY") == "1")
        {
            settings["Messaging:Watchdog:LogOnly"] = "true";
        }

        foreach (var (key, value) in TestTokens.ServiceSettings())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new ServiceProcess(service, settings) { Supervised = true };
    }

    /// <summary>Restarts the services asked for because their bus watchdog found the message bus wedged.</summary>
    public int SelfRestarts => Profiles.SelfRestarts + Matching.SelfRestarts;

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Profiles.DisposeAsync().AsTask(), Matching.DisposeAsync().AsTask());
        NpgsqlConnection.ClearAllPools();
        await DropAsync(_infra.Main, ProfilesDatabase);
        await DropAsync(_infra.MatchingDb, MatchingDatabase);
        await _infra.Main.DeleteVirtualHostAsync(VirtualHost);
    }

    public Task<T> ProfilesScalar<T>(string sql) => Scalar<T>(_infra.Main.ConnectionString(ProfilesDatabase), sql);

    public Task<T> MatchingScalar<T>(string sql) => Scalar<T>(_infra.MatchingDb.ConnectionString(MatchingDatabase), sql);

    public Task<HashSet<Guid>> ProfilesIds(string sql) => Ids(_infra.Main.ConnectionString(ProfilesDatabase), sql);

    public Task<HashSet<Guid>> MatchingIds(string sql) => Ids(_infra.MatchingDb.ConnectionString(MatchingDatabase), sql);

    /// <summary>
    /// What the invariant is about: the committed set is what profiles' database holds (not what HTTP answered, since a
    /// request can commit and lose its response); the applied set is matching's read model; doubles are (message,
    /// consumer) pairs with more than one committed application.
    /// </summary>
    public async Task<Tally> TallyAsync()
    {
        var committed = await ProfilesIds("SELECT id FROM profiles");
        var applied = await MatchingIds("SELECT profile_id FROM candidate_profiles");
        return new Tally(
            committed.Count,
            applied.Count,
            committed.Except(applied).Count(),
            applied.Except(committed).Count(),
            await MatchingScalar<long>("SELECT count(*) FROM (SELECT 1 FROM inbox_applications GROUP BY message_id, consumer HAVING count(*) > 1) d"),
            await MatchingScalar<long>("SELECT count(*) FROM inbox_applications"),
            await ProfilesScalar<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"),
            await ProfilesScalar<long>("SELECT count(*) FROM outbox_messages WHERE attempts > 0"));
    }

    /// <summary>Waits (bounded) until everything committed is applied and nothing is pending; returns the last tally.</summary>
    public async Task<Tally> SettleAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Tally? tally = null;
            try
            {
                tally = await TallyAsync();
                if (tally.Lost == 0 && tally.PendingOutbox == 0 && tally.Applications == tally.Committed)
                {
                    return tally;
                }
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                return tally ?? await TallyAsync();
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// What a failing run needs to tell "still queued" from "never arrived": every queue of the virtual host with its
    /// ready, unacknowledged and consumer counts, and the last warnings and errors each service logged.
    /// </summary>
    public async Task<string> DescribeAsync()
    {
        var report = new StringBuilder();
        try
        {
            foreach (var queue in await DescribeQueuesAsync())
            {
                report.AppendLine(queue);
            }
        }
        catch (InvalidOperationException e)
        {
            report.AppendLine("queues: " + e.Message);
        }

        foreach (var service in new[] { Profiles, Matching })
        {
            var lines = File.Exists(service.LogPath) ? await File.ReadAllLinesAsync(service.LogPath) : [];
            report.AppendLine($"{service.Name} ({(service.IsRunning ? "running" : "not running")}), log {service.LogPath}, last warnings:");
            foreach (var line in lines.Where(l => l.StartsWith("warn:") || l.StartsWith("fail:") || l.StartsWith("crit:")).TakeLast(15))
            {
                report.AppendLine("  " + line);
            }
        }

        return report.ToString();
    }

    /// <summary>One tab-separated line per queue: name, type, ready, unacknowledged, consumers, state.</summary>
    public async Task<string[]> DescribeQueuesAsync() =>
        (await _infra.Main.RabbitMqCtlOutputAsync("list_queues", "-p", VirtualHost, "--no-table-headers", "--quiet",
            "name", "type", "messages_ready", "messages_unacknowledged", "consumers", "state"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public async Task<long> ErrorQueueCountAsync(string queue)
    {
        await using var client = ErrorQueue.ErrorQueueClient.Create("127.0.0.1", _infra.Main.RabbitPort, VirtualHost, "guest", "guest");
        try
        {
            return await client.CountAsync(queue);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0; // never declared: nothing was ever dead-lettered
        }
    }

    /// <summary>
    /// POSTs the bodies at about <paramref name="perSecond"/> with bounded concurrency, each with its Idempotency-Key
    /// when <paramref name="keys"/> are given; failures are counted (a 503 with Retry-After as "503+Retry-After") and
    /// listed, not retried (whether they committed is read from the database afterwards).
    /// </summary>
    public static async Task<WriteResult> WriteAsync(
        Func<HttpClient> client, IReadOnlyList<string> bodies, double perSecond, int concurrency = 32, IReadOnlyList<string>? keys = null)
    {
        var clock = Stopwatch.StartNew();
        var gate = new SemaphoreSlim(concurrency);
        var created = 0;
        var failures = new ConcurrentDictionary<string, int>();
        var failed = new ConcurrentBag<int>();
        var tasks = new List<Task>(bodies.Count);
        for (var i = 0; i < bodies.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            await gate.WaitAsync();
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles")
                    {
                        Content = new StringContent(bodies[index], Encoding.UTF8, "application/json"),
                    };
                    if (keys is not null)
                    {
                        request.Headers.Add("Idempotency-Key", keys[index]);
                    }

                    using var response = await client().SendAsync(request);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref created);
                    }
                    else
                    {
                        var status = ((int)response.StatusCode).ToString() + (response.Headers.RetryAfter is null ? "" : "+Retry-After");
                        failures.AddOrUpdate(status, 1, (_, n) => n + 1);
                        failed.Add(index);
                    }
                }
                catch (Exception e)
                {
                    failures.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
                    failed.Add(index);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        await Task.WhenAll(tasks);
        return new WriteResult(bodies.Count, created, failures.ToDictionary(), [.. failed.Order()], clock.Elapsed);
    }

    public static List<string> ProfileBodies(int count, int seed) =>
        new ProfileGenerator(seed).Generate(count).Select(p => ApiPayloads.Profile(p).ToJsonString()).ToList();

    private static async Task DropAsync(InfraInstance instance, string database)
    {
        try
        {
            await using var connection = new NpgsqlConnection(instance.ConnectionString("postgres"));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // the instance is destroyed at the end of the collection anyway
        }
    }

    private static async Task<T> Scalar<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<HashSet<Guid>> Ids(string connectionString, string sql)
    {
        var ids = new HashSet<Guid>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}

public sealed record Tally(int Committed, int Applied, int Lost, int Extra, long AppliedTwice, long Applications, long PendingOutbox, long RowsRetried)
{
    public override string ToString() =>
        $"committed {Committed}, in read model {Applied}, lost {Lost}, not committed but applied {Extra}, applied twice {AppliedTwice}, " +
        $"applications {Applications}, outbox pending {PendingOutbox}, outbox rows that needed a retry {RowsRetried}";
}

public sealed record WriteResult(int Offered, int Created, Dictionary<string, int> Failures, IReadOnlyList<int> Failed, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Offered} POSTs in {Elapsed.TotalSeconds:0.0} s: {Created} created" +
        (Failures.Count == 0 ? "" : ", failed: " + string.Join(", ", Failures.Select(f => $"{f.Key} x{f.Value}")));
}
