using System.Diagnostics;
using Xunit.Abstractions;

namespace TalentMatch.FaultTests;

/// <summary>
/// Nothing lost, nothing doubled: profile registrations over HTTP while the broker, the matching service or matching's
/// PostgreSQL crash, or profiles' own PostgreSQL (then clients retry with their Idempotency-Key); afterwards
/// matching's read model holds exactly the committed set.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class CrashAndOutageTests(FaultInfrastructure infra, ITestOutputHelper output)
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Ten_thousand_writes_survive_three_broker_kills_and_three_matching_kills()
    {
        const int writes = 10_000;
        // TM_FAULT_SEED replays a failed run's fault schedule (the seed is printed first).
        var seed = int.TryParse(Environment.GetEnvironmentVariable("TM_FAULT_SEED"), out var replay) ? replay : Environment.TickCount;
        var random = new Random(seed);
        var bodies = FaultPlatform.ProfileBodies(writes, 20261121);
        await using var platform = await FaultPlatform.StartAsync(infra);

        // ~60 s of writes; six faults at random moments within it, one after the other.
        const double rate = 170;
        var duration = writes / rate;
        var faults = Enumerable.Repeat("broker", 3).Concat(Enumerable.Repeat("matching", 3))
            .Select(kind => (At: TimeSpan.FromSeconds(duration * (0.03 + 0.8 * random.NextDouble())), Kind: kind))
            .OrderBy(f => f.At).ToList();
        Log($"seed {seed}; faults at " + string.Join(", ", faults.Select(f => $"{f.Kind}@{f.At.TotalSeconds:0.0}s")));

        var clock = Stopwatch.StartNew();
        var chaos = Task.Run(async () =>
        {
            foreach (var (at, kind) in faults)
            {
                var wait = at - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                if (kind == "broker")
                {
                    await platform.Broker.KillBrokerAsync();
                    Log($"{clock.Elapsed.TotalSeconds:0.0}s broker killed (-9)");
                    await Task.Delay(TimeSpan.FromSeconds(1 + 2 * random.NextDouble()));
                    await platform.Broker.StartBrokerAsync();
                    Log($"{clock.Elapsed.TotalSeconds:0.0}s broker restarted");
                }
                else
                {
                    await platform.Matching.KillAsync();
                    Log($"{clock.Elapsed.TotalSeconds:0.0}s matching killed (-9)");
                    await Task.Delay(TimeSpan.FromSeconds(0.5 + 1.5 * random.NextDouble()));
                    await platform.Matching.StartAsync();
                    Log($"{clock.Elapsed.TotalSeconds:0.0}s matching restarted");
                }
            }
        });

        var written = await FaultPlatform.WriteAsync(() => platform.Profiles.Client, bodies, rate);
        Log(written.ToString());
        await chaos;

        var (tally, dead) = await SettleAndReportAsync(platform);

        Assert.Equal(writes, written.Created); // profiles and its database stay up: every write is accepted
        AssertExactlyTheCommittedSet(tally, dead);
    }

    [Fact]
    public async Task Matching_postgres_stopped_immediately_mid_stream_loses_and_doubles_nothing()
    {
        const int writes = 3_000;
        var bodies = FaultPlatform.ProfileBodies(writes, 7);
        await using var platform = await FaultPlatform.StartAsync(infra);

        var clock = Stopwatch.StartNew();
        var chaos = Task.Run(async () =>
        {
            foreach (var at in new[] { 4.0, 12.0 })
            {
                await Task.Delay(TimeSpan.FromSeconds(at) - clock.Elapsed);
                await platform.MatchingPostgres.StopPostgresImmediatelyAsync();
                Log($"{clock.Elapsed.TotalSeconds:0.0}s matching's PostgreSQL stopped (pg_ctl stop -m immediate)");
                await Task.Delay(TimeSpan.FromSeconds(4));
                await platform.MatchingPostgres.StartPostgresAsync();
                Log($"{clock.Elapsed.TotalSeconds:0.0}s matching's PostgreSQL restarted (crash recovery)");
            }
        });

        var written = await FaultPlatform.WriteAsync(() => platform.Profiles.Client, bodies, 150);
        Log(written.ToString());
        await chaos;

        var (tally, dead) = await SettleAndReportAsync(platform);

        Assert.Equal(writes, written.Created);
        AssertExactlyTheCommittedSet(tally, dead);
    }

    [Fact]
    public async Task Profiles_postgres_stopped_mid_stream_answers_503_and_keyed_retries_store_each_profile_once()
    {
        const int writes = 2_000;
        var bodies = FaultPlatform.ProfileBodies(writes, 11);
        var keys = bodies.Select(_ => Guid.NewGuid().ToString()).ToArray();
        await using var platform = await FaultPlatform.StartAsync(infra);

        var chaos = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            await platform.ProfilesPostgres.StopPostgresImmediatelyAsync();
            Log("profiles' PostgreSQL stopped (pg_ctl stop -m immediate)");
            await Task.Delay(TimeSpan.FromSeconds(4));
            await platform.ProfilesPostgres.StartPostgresAsync();
            Log("profiles' PostgreSQL restarted (crash recovery)");
        });

        var written = await FaultPlatform.WriteAsync(() => platform.Profiles.Client, bodies, 150, keys: keys);
        Log(written.ToString());
        await chaos;

        // While the database was away every refused write was told to come back (503 + Retry-After), never a 500.
        Assert.NotEmpty(written.Failed);
        Assert.Equal(["503+Retry-After"], written.Failures.Keys);

        // A client retrying with its key: a write that committed before the crash is answered from its stored answer.
        var pending = written.Failed;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (pending.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var retry = await FaultPlatform.WriteAsync(() => platform.Profiles.Client, [.. pending.Select(i => bodies[i])], 200,
                keys: [.. pending.Select(i => keys[i])]);
            pending = [.. retry.Failed.Select(i => pending[i])];
        }

        Log($"retried with their keys until answered; still failing: {pending.Count}");
        Assert.Empty(pending);
        var (tally, dead) = await SettleAndReportAsync(platform);
        Assert.Equal(writes, tally.Committed); // each body stored exactly once
        AssertExactlyTheCommittedSet(tally, dead);
    }

    [Fact]
    public async Task A_service_started_before_its_database_waits_for_it_then_migrates_and_serves()
    {
        await using var platform = await FaultPlatform.StartAsync(infra);
        await platform.ProfilesPostgres.StopPostgresImmediatelyAsync();
        await using var late = platform.NewProcess("Profiles", new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = infra.Main.ConnectionString(TalentMatch.Testing.TestInfrastructure.UniqueDatabaseName("f_late")),
        });

        var starting = late.StartAsync(TimeSpan.FromSeconds(90));
        // Evidence that it tried and is waiting, rather than a sleep that an unstarted process would pass too.
        await Testing.Eventually.True(async () => File.Exists(late.LogPath) && (await File.ReadAllTextAsync(late.LogPath)).Contains("database not reachable yet"),
            TimeSpan.FromSeconds(60), "the service to report its database unreachable");
        Assert.False(starting.IsCompleted, "the service started without its database");
        await platform.ProfilesPostgres.StartPostgresAsync();
        await starting;

        var log = await File.ReadAllTextAsync(late.LogPath);
        Assert.Contains("database not reachable yet", log);
        Assert.Matches(@"applied \d+ pending migration\(s\)", log);
        var written = await FaultPlatform.WriteAsync(() => late.Client, FaultPlatform.ProfileBodies(5, 13), 50);
        Assert.Equal(5, written.Created);
    }

    [Theory]
    [InlineData("BeforePublish")]
    [InlineData("AfterPublish")]
    public async Task A_crash_between_commit_publish_and_mark_sent_still_delivers_once(string crashAt)
    {
        await using var platform = await FaultPlatform.StartAsync(infra);
        var crashing = platform.NewProcess("Profiles", new Dictionary<string, string?> { ["Outbox:CrashAt"] = crashAt });
        await platform.Profiles.StopAsync();
        platform.Profiles = crashing;
        await crashing.StartAsync();

        // The relay may kill the process before the HTTP response is written; what counts is what was committed.
        var written = await FaultPlatform.WriteAsync(() => crashing.Client, FaultPlatform.ProfileBodies(1, 99), 10);
        Log($"{crashAt}: {written}");
        await Testing.Eventually.True(() => Task.FromResult(!crashing.IsRunning), TimeSpan.FromSeconds(30), $"the relay to crash at {crashAt}");

        // The row is committed and still unsent: the crash came before it was marked.
        Assert.Equal(1L, await platform.ProfilesScalar<long>("SELECT count(*) FROM profiles"));
        Assert.Equal(1L, await platform.ProfilesScalar<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
        var appliedBeforeRestart = await platform.MatchingScalar<long>("SELECT count(*) FROM inbox_applications");
        if (crashAt == "AfterPublish")
        {
            // The broker had confirmed it, so matching applies it even though the publisher died.
            await Testing.Eventually.True(async () => await platform.MatchingScalar<long>("SELECT count(*) FROM candidate_profiles") == 1,
                TimeSpan.FromSeconds(30), "the confirmed event to be applied");
            appliedBeforeRestart = 1;
        }
        else
        {
            Assert.Equal(0L, appliedBeforeRestart);
        }

        Log($"{crashAt}: profiles crashed with the row unsent; applied before restart: {appliedBeforeRestart}");
        platform.Profiles = platform.NewProcess("Profiles");
        await platform.Profiles.StartAsync();

        // Restarted, the relay (re-)publishes the row and marks it sent; the event has exactly one effect.
        var tally = await platform.SettleAsync(TimeSpan.FromSeconds(60));
        Log(tally.ToString());
        await crashing.DisposeAsync();
        Assert.Equal(0L, await platform.ProfilesScalar<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
        Assert.Equal(1, tally.Committed);
        Assert.Equal(0, tally.Lost);
        Assert.Equal(0, tally.AppliedTwice);
        Assert.Equal(1L, tally.Applications);
    }

    /// <summary>Matching's read model holds exactly the committed profiles, each applied once, nothing dead-lettered.</summary>
    private static void AssertExactlyTheCommittedSet(Tally tally, long deadLettered)
    {
        Assert.Equal(0, tally.Lost);
        Assert.Equal(0, tally.Extra);
        Assert.Equal(0, tally.AppliedTwice);
        Assert.Equal(tally.Committed, tally.Applications);
        Assert.Equal(0, deadLettered);
    }

    private async Task<(Tally Tally, long DeadLettered)> SettleAndReportAsync(FaultPlatform platform)
    {
        var tally = await platform.SettleAsync(SettleTimeout);
        Log(tally.ToString());
        var dead = await platform.ErrorQueueCountAsync("profile-registered_error");
        Log($"dead-lettered: {dead}; restarts requested by a bus watchdog: {platform.SelfRestarts}");
        if (tally.Lost > 0 || tally.Applications != tally.Committed || dead > 0)
        {
            Log(await platform.DescribeAsync());
        }

        return (tally, dead);
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        var path = Path.Combine(Path.GetTempPath(), "talentmatch-tests", "fault-tests.log");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss} {line}{Environment.NewLine}");
    }
}
