using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TalentMatch.Seeds;

// Usage: TalentMatch.DemoData [--profiles URL] [--positions URL] [--count N] [--seed N]
// Posts the open seed positions and N generated researcher profiles through the services' own APIs, so the demo
// exercises the same validation, outbox and events as real use. A service that already holds data is left alone.
var options = ParseArgs(args);
using var profiles = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("profiles", "http://127.0.0.1:5101")) };
using var positions = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("positions", "http://127.0.0.1:5102")) };
var count = int.Parse(options.GetValueOrDefault("count", "300"));
var seed = int.Parse(options.GetValueOrDefault("seed", "20261121"));

if (await IsEmpty(positions, "/api/positions"))
{
    var open = SeedPositions.Load().Open;
    await PostAll(positions, "/api/positions", open.Select(ApiPayloads.Position).ToList(), "positions");
}
else
{
    Console.WriteLine("positions: already loaded, skipped");
}

if (await IsEmpty(profiles, "/api/profiles"))
{
    var generated = new ProfileGenerator(seed).Generate(count).Select(ApiPayloads.Profile).ToList();
    await PostAll(profiles, "/api/profiles", generated, "profiles");
}
else
{
    Console.WriteLine("profiles: already loaded, skipped");
}

return 0;

static async Task<bool> IsEmpty(HttpClient client, string path)
{
    var page = await client.GetFromJsonAsync<JsonObject>(path + "?pageSize=1");
    return page!["total"]!.GetValue<long>() == 0;
}

static async Task PostAll(HttpClient client, string path, List<JsonObject> bodies, string what)
{
    var watch = Stopwatch.StartNew();
    var done = 0;
    var failed = 0;
    await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (body, ct) =>
    {
        var response = await client.PostAsJsonAsync(path, body, ct);
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref failed);
            Console.Error.WriteLine($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        var n = Interlocked.Increment(ref done);
        if (n % 100 == 0 || n == bodies.Count)
        {
            Console.WriteLine($"{what}: {n}/{bodies.Count}");
        }
    });
    Console.WriteLine($"{what}: {bodies.Count - failed} created, {failed} rejected in {watch.Elapsed.TotalSeconds:0.0} s");
    if (failed > 0)
    {
        throw new InvalidOperationException($"{failed} {what} were rejected; see the messages above.");
    }
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Expected --name value pairs, got '{args[i]}'.");
        }

        result[args[i][2..]] = args[i + 1];
    }

    return result;
}
