using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

/// <summary>
/// Freshness: time from POST to the item being in the shortlists and recommendations it belongs to (see Program.cs).
/// </summary>
internal static class Freshness
{
    private static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(Args options)
    {
        var rate = options.Double("rate", 500);
        var seconds = options.Double("seconds", 20);
        var burst = options.Int("burst", 1000);
        var warmup = options.Int("warmup", 20_000);
        var concurrency = options.Int("concurrency", 64);
        var drainTimeout = TimeSpan.FromMinutes(options.Double("drain-minutes", 10));
        Pipeline.PoolSize = options.Int("pool", Pipeline.PoolSize);
        var steadyCount = (int)(rate * seconds);

        Console.Error.WriteLine($"generating {warmup + steadyCount} profiles and {burst} positions…");
        var profiles = new ProfileGenerator(20261121).Generate(warmup + steadyCount).Select(p => ApiPayloads.Profile(p).ToJsonString()).ToArray();
        var seeds = SeedPositions.Load().Open.ToList();
        var deadline = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(120)).ToString("yyyy-MM-dd");
        string PositionBody(int i)
        {
            var body = ApiPayloads.Position(seeds[i % seeds.Count]);
            body["title"] = $"{body["title"]} ({i})";
            body["applicationDeadline"] = deadline;
            return body.ToJsonString();
        }

        await using var pipeline = await Pipeline.StartAsync("outbox", withPositions: true);

        // The seed positions, then the warm-up registrations, all ranked before the clock starts.
        Console.Error.WriteLine($"opening {seeds.Count} seed positions; warm-up: {warmup} registrations");
        var opened = (await Load.ClosedLoop(Enumerable.Range(burst, seeds.Count).Select(PositionBody).ToArray(), 8, pipeline.PostPositionAsync, null))
            .Count(s => s.Id is not null);
        var registered = (await Load.ClosedLoop(profiles.AsMemory(0, warmup), concurrency, pipeline.PostAsync, null)).Count(s => s.Id is not null);
        await pipeline.WaitVisibleAsync(registered, TimeSpan.FromMinutes(5));
        await pipeline.WaitPositionsVisibleAsync(opened, TimeSpan.FromMinutes(2));
        await pipeline.WaitRankedAsync(TimeSpan.FromMinutes(10));
        await pipeline.WaitQuietAsync(); // the JIT's backlog from the warm-up compiled (see Program.cs)

        // (b) a burst of positions: POST → shortlist stored, and the time until the last one has it.
        Console.Error.WriteLine($"burst: {burst} positions from {concurrency} clients");
        var shortlists = new Probe(pipeline.MatchingConnectionString, "SELECT DISTINCT position_id FROM shortlist_entries WHERE position_id = ANY(@ids)");
        var burstRun = await Load.ClosedLoop(Enumerable.Range(0, burst).Select(PositionBody).ToArray(), concurrency, pipeline.PostPositionAsync, shortlists.Add);
        await pipeline.WaitPositionsVisibleAsync(opened + burstRun.Count(s => s.Id is not null), TimeSpan.FromMinutes(5));
        await WaitRankedAsync(pipeline, drainTimeout);
        var burstResult = await shortlists.FinishAsync(burstRun);
        Console.Error.WriteLine($"burst: {burstResult}");

        // (a) steady registrations with every position open: POST → recommendations (and shortlist entries) stored.
        Console.Error.WriteLine($"steady: {rate}/s registrations for {seconds} s");
        var recommendations = new Probe(pipeline.MatchingConnectionString, "SELECT DISTINCT profile_id FROM recommendations WHERE profile_id = ANY(@ids)");
        var steadyRun = await Load.OpenLoop(profiles.AsMemory(warmup, steadyCount), rate, pipeline.PostAsync, recommendations.Add);
        await pipeline.WaitVisibleAsync(registered + steadyRun.Count(s => s.Id is not null), TimeSpan.FromMinutes(5));
        await WaitRankedAsync(pipeline, drainTimeout);
        var steadyResult = await recommendations.FinishAsync(steadyRun);
        var readModel = await pipeline.LatencyAsync(steadyRun);
        Console.Error.WriteLine($"steady: {steadyResult}");
        Console.Error.WriteLine($"steady, same run, POST → read model: {readModel}");

        var report = new
        {
            machine = new { Environment.ProcessorCount, loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null },
            pollMilliseconds = PollPeriod.TotalMilliseconds,
            openPositions = opened + burstRun.Count(s => s.Id is not null),
            warmupProfiles = registered,
            burst = burstResult,
            steady = new { offeredRate = rate, seconds, freshness = steadyResult, postToReadModel = readModel },
        };
        var json = JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
        Console.WriteLine(json);
        if (options.Has("json"))
        {
            File.WriteAllText(options.String("json", ""), json);
        }

        Console.WriteLine();
        Console.WriteLine("| phase | items | with a place | p50 ms | p95 ms | p99 ms | drained s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine($"| burst of positions → shortlist | {burstResult.Created} | {burstResult.Placed} | {burstResult.Latency.P50:0} | {burstResult.Latency.P95:0} | {burstResult.Latency.P99:0} | {burstResult.DrainedSeconds:0.0} |");
        Console.WriteLine($"| steady {rate:0}/s registrations → recommendations | {steadyResult.Created} | {steadyResult.Placed} | {steadyResult.Latency.P50:0} | {steadyResult.Latency.P95:0} | {steadyResult.Latency.P99:0} | {steadyResult.DrainedSeconds:0.0} |");
        return 0;
    }

    /// <summary>A worker that has not drained by then is reported as such (items not yet placed are left out), not waited for.</summary>
    private static async Task WaitRankedAsync(Pipeline pipeline, TimeSpan timeout)
    {
        try
        {
            await pipeline.WaitRankedAsync(timeout);
        }
        catch (TimeoutException e)
        {
            Console.Error.WriteLine($"NOT DRAINED: {e.Message}; reporting what was placed so far");
        }
    }

    internal sealed record Result(int Posted, int Created, int Placed, Percentiles Latency, double DrainedSeconds)
    {
        public override string ToString() =>
            $"{Created}/{Posted} created, {Placed} placed (the others have no eligible counterpart), POST → stored p50 {Latency.P50:0} p95 {Latency.P95:0} p99 {Latency.P99:0} max {Latency.Max:0} ms; last one stored {DrainedSeconds:0.0} s after the first POST";
    }

    /// <summary>
    /// Polls matching's database for created items that have reached their place, recording when each was first seen.
    /// Runs from the first created item until <see cref="FinishAsync"/>, which is called once the worker has drained.
    /// </summary>
    private sealed class Probe
    {
        private readonly string _connectionString;
        private readonly string _sql;
        private readonly ConcurrentDictionary<Guid, DateTime> _pending = new();
        private readonly ConcurrentDictionary<Guid, DateTime> _seen = new();
        private readonly CancellationTokenSource _stop = new();
        private Task? _loop;

        public Probe(string connectionString, string sql)
        {
            _connectionString = connectionString;
            _sql = sql;
        }

        public void Add(Sample sample)
        {
            if (sample.Id is { } id)
            {
                _pending[id] = sample.Sent;
                lock (_pending)
                {
                    _loop ??= Task.Run(LoopAsync);
                }
            }
        }

        private async Task LoopAsync()
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            while (!_stop.IsCancellationRequested)
            {
                await PollAsync(connection);
                try
                {
                    await Task.Delay(PollPeriod, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        private async Task PollAsync(NpgsqlConnection connection)
        {
            var ids = _pending.Keys.ToArray();
            if (ids.Length == 0)
            {
                return;
            }

            await using var command = new NpgsqlCommand(_sql, connection);
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync();
            var now = DateTime.UtcNow;
            while (await reader.ReadAsync())
            {
                var id = reader.GetGuid(0);
                if (_pending.TryRemove(id, out _))
                {
                    _seen[id] = now;
                }
            }
        }

        /// <summary>After the worker drained: one last poll, then what was never seen has no place to be.</summary>
        public async Task<Result> FinishAsync(List<Sample> samples)
        {
            await _stop.CancelAsync();
            if (_loop is not null)
            {
                await _loop;
            }

            await using (var connection = new NpgsqlConnection(_connectionString))
            {
                await connection.OpenAsync();
                await PollAsync(connection); // seen only now: counted as late as the drain
            }

            var placed = samples.Where(s => s.Id is { } id && _seen.ContainsKey(id)).ToList();
            var latency = Pipeline.Stats(placed.Select(s => (_seen[s.Id!.Value] - s.Sent).TotalMilliseconds).ToList());
            var first = samples.Min(s => s.Sent);
            var drained = placed.Count == 0 ? 0 : (placed.Max(s => _seen[s.Id!.Value]) - first).TotalSeconds;
            return new Result(samples.Count, samples.Count(s => s.Id is not null), placed.Count, latency, Math.Round(drained, 1));
        }
    }
}
