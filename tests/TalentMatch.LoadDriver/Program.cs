using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;
using TalentMatch.Testing;

// Pipeline load driver: profile registrations, HTTP POST to profiles → visible in matching's read model.
//
//   export TM_INSTANCE=load TM_PG_PORT=54849 TM_RABBIT_PORT=36192 && bash deploy/infra.sh start
//   dotnet run -c Release --project tests/TalentMatch.LoadDriver -- [--rate 500] [--seconds 20] [--max 20000]
//        [--concurrency 64] [--warmup 20000] [--pool 16] [--modes outbox,direct] [--json results.json] [--no-settle] [--no-floor]
//
// For each mode it starts profiles and matching as real processes (fresh databases, fresh virtual host, the TM_*
// infrastructure) and runs:
//   fixed  open-loop arrivals at --rate per second for --seconds: p50/p95/p99 of POST sent → visible, and of
//          POST accepted (201 received) → visible;
//   max    --max registrations from --concurrency closed-loop clients: sustained end-to-end throughput
//          (registrations / time from the first POST to the last one visible in matching), HTTP accept rate, and
//          the CPU time the phase cost per registration: whole machine, profiles, matching, PostgreSQL, RabbitMQ, driver.
// "Visible" is the read-model row's updated_at (set by now() in matching's consumer transaction, i.e. just before
// its commit), read from matching's database once at the end, so measuring adds no load while the run is on.
// outbox = the transactional outbox and relay (production set-up); direct = Outbox:Mode=Direct, publishing right
// after commit with no outbox (the comparison baseline). The ratio outbox/direct is of the same run.
// The fixed-rate phase also reports where a registration's time went: POST sent → its outbox row written (profiles'
// group commit), → claimed by the relay (the relay transaction's start), → visible in matching.
// Then the floor (Floor.cs): --max rows by batched COPY and --max messages with confirms and acks on the same
// PostgreSQL and RabbitMQ alone; each mode's maximum rate is reported as a share of it, its CPU as a multiple.
//
//   dotnet run -c Release --project tests/TalentMatch.LoadDriver -- --freshness [--rate 500] [--seconds 20] [--burst 1000]
//        [--warmup 20000] [--drain-minutes 10]
//
// Freshness: profiles, positions and matching as real processes (outbox mode). After the seed positions are posted
// and the warm-up registrations ranked, it measures the time from POST to the item being where it belongs:
//   burst   --burst positions POSTed by --concurrency clients at once: POST sent → the position's shortlist is stored
//           (ranked, top K), p50/p95/p99, and the time until every position of the burst has its shortlist (drained);
//   steady  registrations at --rate per second for --seconds, with every position open: POST sent → the profile's
//           recommendations are stored. Its shortlist entries are written in the same transaction as its
//           recommendations, so that is also the moment it is in every shortlist it enters.
// "Stored" is first seen by a poll of matching's database every 50 ms (a read-only query over the pending ids), so a
// figure is late by at most the poll period. Positions with no eligible candidate get no shortlist and profiles
// eligible for no open position get no recommendations: they are counted and left out of the percentiles.
var options = Args.Parse(args);
var rate = options.Double("rate", 500);
var seconds = options.Double("seconds", 20);
var max = options.Int("max", 20_000);
var concurrency = options.Int("concurrency", 64);
var warmup = options.Int("warmup", 20_000);
var modes = options.String("modes", "outbox,direct").Split(',', StringSplitOptions.RemoveEmptyEntries);
var settle = !options.Has("no-settle");
Pipeline.PoolSize = options.Int("pool", Pipeline.PoolSize);

if (options.Has("freshness"))
{
    return await Freshness.RunAsync(options);
}

var fixedCount = (int)(rate * seconds);
Console.Error.WriteLine($"generating {fixedCount + max + warmup} profiles…");
var bodies = new ProfileGenerator(20261121).Generate(fixedCount + max + warmup).Select(p => ApiPayloads.Profile(p).ToJsonString()).ToArray();
var results = new List<ModeResult>();
foreach (var mode in modes)
{
    await using var pipeline = await Pipeline.StartAsync(mode);
    var cursor = 0;
    // Warm-up: long enough for tiered compilation to finish moving the hot paths to optimised code, as in a service
    // that has been up for a while. Measured: after 500 warm-up requests the fixed-rate phase ran at half the
    // steady-state throughput; after 5,000 it held 500/s with p95 0.6 s; after 20,000, p95 72 ms.
    Console.Error.WriteLine($"[{mode}] warm-up: {warmup} registrations");
    var expected = (await ClosedLoop(pipeline, bodies.AsMemory(cursor, warmup), concurrency)).Count(s => s.Id is not null);
    cursor += warmup;
    await pipeline.WaitVisibleAsync(expected, TimeSpan.FromMinutes(2));
    if (settle)
    {
        // The JIT's tier-1 recompilations (dynamic PGO) of the warm-up's hot paths run on one background thread and
        // lag behind under load; measured with dotnet-counters, profiles was still compiling 0.5-0.9 s of every second
        // for ~8 s into the fixed rate, which is where its slow seconds were. Let them finish first.
        Console.Error.WriteLine($"[{mode}] services quiet (JIT backlog compiled) after {(await pipeline.WaitQuietAsync()).TotalSeconds:0.0} s");
    }

    Console.Error.WriteLine($"[{mode}] fixed rate {rate}/s for {seconds} s");
    // Whatever matching's shortlist worker still has queued from the warm-up is ranked while the fixed rate runs.
    var queueDrained = pipeline.TimeUntilRankedAsync();
    var cpuWindows = pipeline.CpuWindowsAsync(TimeSpan.FromSeconds(5), (int)Math.Ceiling(seconds / 5));
    var fixedRun = await OpenLoop(pipeline, bodies.AsMemory(cursor, fixedCount), rate);
    Console.Error.WriteLine($"[{mode}] fixed-rate CPU per 5 s window, % of one core: {await cpuWindows}");
    Console.Error.WriteLine($"[{mode}] shortlist worker's queue first empty {(await queueDrained).TotalSeconds:0.0} s after the fixed rate started");
    cursor += fixedCount;
    expected += fixedRun.Count(s => s.Id is not null); // a refused or timed-out POST is reported, not waited for
    await pipeline.WaitVisibleAsync(expected, TimeSpan.FromMinutes(5));
    var fixedStats = await pipeline.LatencyAsync(fixedRun);
    var stages = await pipeline.StagesAsync(fixedRun);
    Console.Error.WriteLine($"[{mode}] fixed-rate stages: {stages}");
    Console.Error.WriteLine($"[{mode}] fixed-rate worst sent→visible per 500 ms of sending: {await pipeline.TimelineAsync(fixedRun)}");

    Console.Error.WriteLine($"[{mode}] max rate: {max} registrations, {concurrency} clients");
    var cpuBefore = pipeline.Cpu();
    var maxRun = await ClosedLoop(pipeline, bodies.AsMemory(cursor, max), concurrency);
    cursor += max;
    expected += maxRun.Count(s => s.Id is not null);
    await pipeline.WaitVisibleAsync(expected, TimeSpan.FromMinutes(10));
    var cpu = pipeline.Cpu().PerRegistration(cpuBefore, maxRun.Count(s => s.Id is not null));
    var maxStats = await pipeline.LatencyAsync(maxRun);
    results.Add(new ModeResult(mode, fixedStats, stages, maxStats, cpu));
    Console.Error.WriteLine($"[{mode}] fixed: {fixedStats}");
    Console.Error.WriteLine($"[{mode}] max:   {maxStats}");
    Console.Error.WriteLine($"[{mode}] CPU per registration at max rate: {cpu}");
}

// The floor (--floor, default on): the same number of rows and messages through PostgreSQL and RabbitMQ alone.
Floor.Result? floor = null;
if (!options.Has("no-floor"))
{
    Console.Error.WriteLine($"[floor] {max} rows by COPY + {max} messages with confirms and acks, same PostgreSQL and RabbitMQ");
    floor = await Floor.RunAsync(bodies.AsMemory(0, max).ToArray());
    Console.Error.WriteLine($"[floor] {floor}");
    foreach (var r in results)
    {
        Console.Error.WriteLine($"[{r.Mode}] end to end {r.Max.EndToEndPerSecond / floor.PerSecond:P0} of the floor's rate; CPU per registration {r.MaxCpu.Machine / floor.Cpu.Machine:0.0}× the floor's");
    }
}

var report = new
{
    machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null },
    offeredRate = rate,
    fixedSeconds = seconds,
    maxRegistrations = max,
    concurrency,
    modes = results,
    floor = floor is null ? null : new { floor.Count, floor.Seconds, floor.PerSecond, cpu = floor.Cpu },
    shareOfFloor = floor is null ? null : results.ToDictionary(r => r.Mode, r => Math.Round(r.Max.EndToEndPerSecond / floor.PerSecond, 3)),
    outboxToDirectThroughputRatio = results.Count == 2 && results[1].Max.EndToEndPerSecond > 0
        ? Math.Round(results[0].Max.EndToEndPerSecond / results[1].Max.EndToEndPerSecond, 3) : (double?)null,
};
var json = JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
Console.WriteLine(json);
if (options.Has("json"))
{
    File.WriteAllText(options.String("json", ""), json);
}

Console.WriteLine();
Console.WriteLine("| mode | fixed-rate achieved/s | p50 ms | p95 ms | p99 ms | max-rate end-to-end/s | max-rate HTTP accepted/s | max-rate p95 ms | CPU µs per registration |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var r in results)
{
    Console.WriteLine($"| {r.Mode} | {r.Fixed.EndToEndPerSecond:0} | {r.Fixed.SentToVisible.P50:0} | {r.Fixed.SentToVisible.P95:0} | {r.Fixed.SentToVisible.P99:0} | " +
                      $"{r.Max.EndToEndPerSecond:0} | {r.Max.AcceptedPerSecond:0} | {r.Max.SentToVisible.P95:0} | {r.MaxCpu} |");
}

if (report.outboxToDirectThroughputRatio is { } ratio)
{
    Console.WriteLine($"\noutbox / direct end-to-end throughput: {ratio:0.00}");
}

return 0;

static Task<List<Sample>> OpenLoop(Pipeline pipeline, ReadOnlyMemory<string> bodies, double perSecond) =>
    Load.OpenLoop(bodies, perSecond, pipeline.PostAsync, null);

static Task<List<Sample>> ClosedLoop(Pipeline pipeline, ReadOnlyMemory<string> bodies, int clients) =>
    Load.ClosedLoop(bodies, clients, pipeline.PostAsync, null);

internal static class Load
{
/// <summary>Open-loop arrivals at <paramref name="perSecond"/>; <paramref name="created"/> sees each answer as it comes.</summary>
public static async Task<List<Sample>> OpenLoop(ReadOnlyMemory<string> bodies, double perSecond, Func<string, Task<Sample>> post, Action<Sample>? created)
{
    var samples = new ConcurrentBag<Sample>();
    var inFlight = new List<Task>(bodies.Length);
    var clock = Stopwatch.StartNew();
    var sent = 0;
    while (sent < bodies.Length)
    {
        var due = Math.Min(bodies.Length, (int)(clock.Elapsed.TotalSeconds * perSecond) + 1);
        for (; sent < due; sent++)
        {
            var body = bodies.Span[sent];
            inFlight.Add(Task.Run(async () =>
            {
                var sample = await post(body);
                created?.Invoke(sample);
                samples.Add(sample);
            }));
        }

        await Task.Delay(2);
    }

    await Task.WhenAll(inFlight);
    return samples.ToList();
}

/// <summary><paramref name="clients"/> closed-loop clients, each sending the next body when its last one was answered.</summary>
public static async Task<List<Sample>> ClosedLoop(ReadOnlyMemory<string> bodies, int clients, Func<string, Task<Sample>> post, Action<Sample>? created)
{
    var samples = new ConcurrentBag<Sample>();
    var next = -1;
    var array = bodies.ToArray();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < array.Length)
        {
            var sample = await post(array[i]);
            created?.Invoke(sample);
            samples.Add(sample);
        }
    })));
    return samples.ToList();
}
}

internal sealed record Sample(Guid? Id, DateTime Sent, DateTime Accepted, int Status);

internal sealed record Percentiles(double P50, double P95, double P99, double Max);

internal sealed record RunStats(int Posted, int Created, int Failed, double EndToEndPerSecond, double AcceptedPerSecond, Percentiles SentToVisible, Percentiles AcceptedToVisible)
{
    public override string ToString() =>
        $"{Created}/{Posted} created, end-to-end {EndToEndPerSecond:0}/s, HTTP {AcceptedPerSecond:0}/s, sent→visible p50 {SentToVisible.P50:0} p95 {SentToVisible.P95:0} p99 {SentToVisible.P99:0} ms";
}

internal sealed record ModeResult(string Mode, RunStats Fixed, Stages FixedStages, RunStats Max, CpuCost MaxCpu);

/// <summary>Where the fixed-rate registrations' time went, each stage's p50/p95/p99 (ms); null stages are not measured in direct mode.</summary>
internal sealed record Stages(Percentiles? SentToOutboxRow, Percentiles? OutboxRowToClaimed, Percentiles? ClaimedToVisible)
{
    public override string ToString() => SentToOutboxRow is null
        ? "(direct mode: no outbox rows)"
        : $"sent→outbox row p50/p95/p99 {Fmt(SentToOutboxRow)}, →relay claimed {Fmt(OutboxRowToClaimed!)}, →visible in matching {Fmt(ClaimedToVisible!)} ms";

    private static string Fmt(Percentiles p) => $"{p.P50:0}/{p.P95:0}/{p.P99:0}";
}

/// <summary>
/// CPU used so far (Linux /proc, in USER_HZ ticks of 10 ms): the whole machine's busy time, the two services, this
/// driver, and every PostgreSQL and RabbitMQ (beam.smp) process of the machine, which serve only this run while it is on.
/// </summary>
internal sealed record CpuSnapshot(TimeSpan Machine, TimeSpan Profiles, TimeSpan Matching, TimeSpan Driver, TimeSpan Postgres, TimeSpan RabbitMq)
{
    public static TimeSpan MachineBusy()
    {
        // cpu  user nice system idle iowait irq softirq steal …
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        return Ticks(fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]);
    }

    /// <summary>User + system time of the running processes per command name, in one pass over /proc (a backend that exited meanwhile is missed).</summary>
    public static Dictionary<string, TimeSpan> OfProcesses(params string[] commands)
    {
        var ticks = commands.ToDictionary(c => c, _ => 0L);
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                var command = stat[(open + 1)..close];
                if (!ticks.ContainsKey(command))
                {
                    continue;
                }

                var rest = stat[(close + 2)..].Split(' '); // state ppid … utime is the 12th field after the name
                ticks[command] += long.Parse(rest[11]) + long.Parse(rest[12]);
            }
            catch (IOException)
            {
                // the process exited while we read
            }
        }

        return ticks.ToDictionary(t => t.Key, t => Ticks(t.Value));
    }

    private static TimeSpan Ticks(long ticks) => TimeSpan.FromSeconds(ticks / 100.0);

    public CpuCost PerRegistration(CpuSnapshot before, int registrations)
    {
        double Us(TimeSpan t) => Math.Round(t.TotalMicroseconds / Math.Max(1, registrations));
        var machine = Machine - before.Machine;
        var parts = new[] { Profiles - before.Profiles, Matching - before.Matching, Driver - before.Driver, Postgres - before.Postgres, RabbitMq - before.RabbitMq };
        var rest = parts.Aggregate(machine, (left, part) => left - part);
        return new CpuCost(Us(machine), Us(parts[0]), Us(parts[1]), Us(parts[2]), Us(parts[3]), Us(parts[4]), Us(rest));
    }
}

/// <summary>Microseconds of CPU per registration; Rest is everything else the machine did meanwhile (kernel threads, other programs).</summary>
internal sealed record CpuCost(double Machine, double Profiles, double Matching, double Driver, double Postgres, double RabbitMq, double Rest)
{
    public override string ToString() =>
        $"{Machine:0} µs (profiles {Profiles:0}, matching {Matching:0}, PostgreSQL {Postgres:0}, RabbitMQ {RabbitMq:0}, driver {Driver:0}, rest {Rest:0})";
}

/// <summary>Profiles + matching (and, for freshness, positions) as real processes on fresh databases and a fresh virtual host.</summary>
internal sealed class Pipeline : IAsyncDisposable
{
    /// <summary>Each service's Npgsql pool (--pool): more connections than cores only adds contention in PostgreSQL.</summary>
    public static int PoolSize { get; set; } = 16;

    private readonly string _vhost = "load-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _profilesDb = TestInfrastructure.UniqueDatabaseName("load_profiles");
    private readonly string _matchingDb = TestInfrastructure.UniqueDatabaseName("load_matching");
    private readonly string _positionsDb = TestInfrastructure.UniqueDatabaseName("load_positions");
    private ServiceProcess _profiles = null!;
    private ServiceProcess _matching = null!;
    private ServiceProcess? _positions;
    private HttpClient? _positionsHttp;

    /// <summary>Matching's database, for read-only probes.</summary>
    public string MatchingConnectionString => TestInfrastructure.ConnectionString(_matchingDb);
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    public static async Task<Pipeline> StartAsync(string mode, bool withPositions = false)
    {
        var p = new Pipeline();
        await Platform.RabbitMqCtl("add_vhost", p._vhost);
        await Platform.RabbitMqCtl("set_permissions", "-p", p._vhost, TestInfrastructure.RabbitUser, ".*", ".*", ".*");
        p._matching = new ServiceProcess("Matching", p.Settings(p._matchingDb, mode));
        p._profiles = new ServiceProcess("Profiles", p.Settings(p._profilesDb, mode));
        await p._matching.StartAsync();
        await p._profiles.StartAsync();
        p._http.BaseAddress = p._profiles.Client.BaseAddress;
        p._http.DefaultRequestHeaders.Authorization = p._profiles.Client.DefaultRequestHeaders.Authorization; // admin test token
        var services = new List<ServiceProcess> { p._matching, p._profiles };
        if (withPositions)
        {
            p._positions = new ServiceProcess("Positions", p.Settings(p._positionsDb, mode));
            await p._positions.StartAsync();
            p._positionsHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
            {
                BaseAddress = p._positions.Client.BaseAddress,
                Timeout = TimeSpan.FromSeconds(60),
            };
            p._positionsHttp.DefaultRequestHeaders.Authorization = p._positions.Client.DefaultRequestHeaders.Authorization;
            services.Add(p._positions);
        }

        // Every service ready (database and broker) before the clock starts, and matching's cold-start model trained:
        // training takes both cores for a while and would otherwise be measured as pipeline latency.
        foreach (var s in services)
        {
            await Eventually.True(async () => (await s.Client.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), s.Name + " ready");
        }

        await Eventually.True(async () => (await p._matching.Client.GetAsync("/api/models/champion")).IsSuccessStatusCode, TimeSpan.FromMinutes(5), "champion model");

        return p;
    }

    private Dictionary<string, string?> Settings(string database, string mode)
    {
        var settings = TestInfrastructure.ServiceSettings(database);
        settings["ConnectionStrings:Database"] = new NpgsqlConnectionStringBuilder(TestInfrastructure.ConnectionString(database)) { MaxPoolSize = PoolSize }.ConnectionString;
        settings["RabbitMq:VirtualHost"] = _vhost;
        settings["Outbox:Mode"] = mode.Equals("direct", StringComparison.OrdinalIgnoreCase) ? "Direct" : "Relay";
        settings["Logging:LogLevel:Default"] = "Warning";
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("TM_LOAD_SET_", StringComparison.Ordinal)))
        {
            // e.g. TM_LOAD_SET_RabbitMq__PrefetchCount=64 passes RabbitMq:PrefetchCount=64 to both services
            settings[key["TM_LOAD_SET_".Length..].Replace("__", ":")] = Environment.GetEnvironmentVariable(key);
        }

        return settings;
    }

    public CpuSnapshot Cpu()
    {
        var infrastructure = CpuSnapshot.OfProcesses("postgres", "beam.smp");
        return new(CpuSnapshot.MachineBusy(), _profiles.CpuTime, _matching.CpuTime, System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime,
            infrastructure["postgres"], infrastructure["beam.smp"]);
    }

    /// <summary>CPU of each process (% of one core) in consecutive windows: which one is busy when latency rises.</summary>
    public async Task<string> CpuWindowsAsync(TimeSpan window, int count)
    {
        var parts = new List<string>();
        var before = Cpu();
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(window);
            var now = Cpu();
            double Pct(TimeSpan a, TimeSpan b) => Math.Round(100 * (a - b).TotalSeconds / window.TotalSeconds);
            parts.Add($"[machine {Pct(now.Machine, before.Machine)} profiles {Pct(now.Profiles, before.Profiles)} matching {Pct(now.Matching, before.Matching)} " +
                      $"postgres {Pct(now.Postgres, before.Postgres)} rabbitmq {Pct(now.RabbitMq, before.RabbitMq)}]");
            before = now;
        }

        return string.Join(' ', parts);
    }

    public Task<Sample> PostAsync(string body) => PostAsync(_http, "/api/profiles", body);

    public Task<Sample> PostPositionAsync(string body) =>
        PostAsync(_positionsHttp ?? throw new InvalidOperationException("started without positions"), "/api/positions", body);

    private static async Task<Sample> PostAsync(HttpClient http, string path, string body)
    {
        var sent = DateTime.UtcNow;
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(path, content);
            var accepted = DateTime.UtcNow;
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return new Sample(null, sent, accepted, (int)response.StatusCode);
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            return new Sample(doc.RootElement.GetProperty("id").GetGuid(), sent, accepted, 201);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Sample(null, sent, DateTime.UtcNow, 0); // refused or timed out: counted as failed
        }
    }

    public async Task WaitVisibleAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = new NpgsqlConnection(TestInfrastructure.ConnectionString(_matchingDb));
        await connection.OpenAsync();
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM candidate_profiles", connection);
            var visible = (long)(await command.ExecuteScalarAsync())!;
            if (visible >= count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {visible} of {count} profiles visible in matching after {timeout}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// The stages of the samples' registrations: the outbox row's created_at (written by profiles' group commit just
    /// before its commit) and sent_at (now() of the relay transaction that claimed and published it), then the
    /// read-model row's updated_at in matching. All clocks are this machine's.
    /// </summary>
    public async Task<Stages> StagesAsync(List<Sample> samples)
    {
        var rows = new Dictionary<Guid, (DateTime Created, DateTime Claimed)>();
        await using (var connection = new NpgsqlConnection(TestInfrastructure.ConnectionString(_profilesDb)))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT (payload->>'aggregateId')::uuid, created_at, sent_at FROM outbox_messages " +
                "WHERE message_type = 'TalentMatch.Contracts.Profiles.ProfileRegistered' AND sent_at IS NOT NULL", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows[reader.GetGuid(0)] = (reader.GetFieldValue<DateTime>(1).ToUniversalTime(), reader.GetFieldValue<DateTime>(2).ToUniversalTime());
            }
        }

        if (rows.Count == 0)
        {
            return new Stages(null, null, null);
        }

        var visible = await VisibleAsync(samples);
        var measured = samples.Where(s => s.Id is { } id && rows.ContainsKey(id) && visible.ContainsKey(id)).ToList();
        double Ms(TimeSpan t) => Math.Max(0, t.TotalMilliseconds);
        return new Stages(
            Stats(measured.Select(s => Ms(rows[s.Id!.Value].Created - s.Sent)).ToList()),
            Stats(measured.Select(s => Ms(rows[s.Id!.Value].Claimed - rows[s.Id!.Value].Created)).ToList()),
            Stats(measured.Select(s => Ms(visible[s.Id!.Value] - rows[s.Id!.Value].Claimed)).ToList()));
    }

    /// <summary>The slowest sent → visible of each half second of sending, in ms: shows whether stalls come at a period.</summary>
    public async Task<string> TimelineAsync(List<Sample> samples)
    {
        var visible = await VisibleAsync(samples);
        var first = samples.Min(s => s.Sent);
        var worst = samples.Where(s => s.Id is { } id && visible.ContainsKey(id))
            .GroupBy(s => (int)((s.Sent - first).TotalMilliseconds / 500))
            .OrderBy(g => g.Key)
            .Select(g => g.Max(s => (visible[s.Id!.Value] - s.Sent).TotalMilliseconds));
        return string.Join(' ', worst.Select(ms => ms.ToString("0")));
    }

    private async Task<Dictionary<Guid, DateTime>> VisibleAsync(List<Sample> samples)
    {
        var visible = new Dictionary<Guid, DateTime>();
        await using var connection = new NpgsqlConnection(TestInfrastructure.ConnectionString(_matchingDb));
        await connection.OpenAsync();
        var ids = samples.Where(s => s.Id is not null).Select(s => s.Id!.Value).ToArray();
        await using var command = new NpgsqlCommand("SELECT profile_id, updated_at FROM candidate_profiles WHERE profile_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            visible[reader.GetGuid(0)] = reader.GetFieldValue<DateTime>(1).ToUniversalTime();
        }

        return visible;
    }

    /// <summary>
    /// Waits (at most a minute) until profiles and matching each use under 10 % of a core for two seconds running:
    /// with no requests, what they still burn is the JIT's backlog and the shortlist worker's queue.
    /// </summary>
    public async Task<TimeSpan> WaitQuietAsync()
    {
        var clock = Stopwatch.StartNew();
        var quiet = 0;
        var before = Cpu();
        while (quiet < 2 && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(1000);
            var now = Cpu();
            quiet = (now.Profiles - before.Profiles).TotalSeconds < 0.1 && (now.Matching - before.Matching).TotalSeconds < 0.1 ? quiet + 1 : 0;
            before = now;
        }

        return clock.Elapsed;
    }

    /// <summary>How long from now until matching's ranking queue is first seen empty (polled every 100 ms).</summary>
    public async Task<TimeSpan> TimeUntilRankedAsync()
    {
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(MatchingConnectionString);
        await connection.OpenAsync();
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM ranking_queue)", connection);
            if (!(bool)(await command.ExecuteScalarAsync())! || clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                return clock.Elapsed;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until matching's shortlist worker has nothing queued (every queued change ranked and committed).</summary>
    public async Task WaitRankedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = new NpgsqlConnection(MatchingConnectionString);
        await connection.OpenAsync();
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM ranking_queue", connection);
            var queued = (long)(await command.ExecuteScalarAsync())!;
            if (queued == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{queued} change(s) still queued for ranking after {timeout}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Waits until matching's read model holds <paramref name="count"/> open positions.</summary>
    public async Task WaitPositionsVisibleAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = new NpgsqlConnection(MatchingConnectionString);
        await connection.OpenAsync();
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM positions WHERE NOT closed", connection);
            var visible = (long)(await command.ExecuteScalarAsync())!;
            if (visible >= count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {visible} of {count} positions visible in matching after {timeout}");
            }

            await Task.Delay(250);
        }
    }

    public async Task<RunStats> LatencyAsync(List<Sample> samples)
    {
        var visible = new Dictionary<Guid, DateTime>();
        await using (var connection = new NpgsqlConnection(TestInfrastructure.ConnectionString(_matchingDb)))
        {
            await connection.OpenAsync();
            var ids = samples.Where(s => s.Id is not null).Select(s => s.Id!.Value).ToArray();
            await using var command = new NpgsqlCommand("SELECT profile_id, updated_at FROM candidate_profiles WHERE profile_id = ANY(@ids)", connection);
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                visible[reader.GetGuid(0)] = reader.GetFieldValue<DateTime>(1).ToUniversalTime();
            }
        }

        var created = samples.Where(s => s.Id is not null && visible.ContainsKey(s.Id.Value)).ToList();
        var sentToVisible = created.Select(s => Math.Max(0, (visible[s.Id!.Value] - s.Sent).TotalMilliseconds)).ToList();
        var acceptedToVisible = created.Select(s => Math.Max(0, (visible[s.Id!.Value] - s.Accepted).TotalMilliseconds)).ToList();
        var first = samples.Min(s => s.Sent);
        var lastVisible = created.Count == 0 ? first : created.Max(s => visible[s.Id!.Value]);
        var lastAccepted = samples.Max(s => s.Accepted);
        return new RunStats(samples.Count, created.Count, samples.Count(s => s.Id is null),
            Math.Round(created.Count / (lastVisible - first).TotalSeconds, 1),
            Math.Round(samples.Count(s => s.Id is not null) / (lastAccepted - first).TotalSeconds, 1),
            Stats(sentToVisible), Stats(acceptedToVisible));
    }

    public static Percentiles Stats(List<double> values)
    {
        if (values.Count == 0)
        {
            return new Percentiles(0, 0, 0, 0);
        }

        values.Sort();
        double At(double q) => Math.Round(values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)], 1);
        return new Percentiles(At(0.50), At(0.95), At(0.99), Math.Round(values[^1], 1));
    }

    public async ValueTask DisposeAsync()
    {
        await _profiles.DisposeAsync();
        await _matching.DisposeAsync();
        if (_positions is not null)
        {
            await _positions.DisposeAsync();
            await TestInfrastructure.DropDatabaseAsync(_positionsDb);
        }

        _http.Dispose();
        _positionsHttp?.Dispose();
        await TestInfrastructure.DropDatabaseAsync(_profilesDb);
        await TestInfrastructure.DropDatabaseAsync(_matchingDb);
        await Platform.RabbitMqCtl("delete_vhost", _vhost);
    }
}

internal sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            values[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }

        return new Args(values);
    }

    public bool Has(string name) => values.ContainsKey(name);
    public string String(string name, string fallback) => values.GetValueOrDefault(name, fallback);
    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v) : fallback;
    public double Double(string name, double fallback) => values.TryGetValue(name, out var v) ? double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
