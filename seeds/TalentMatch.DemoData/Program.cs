using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

// Usage: TalentMatch.DemoData [--profiles URL] [--positions URL] [--count N] [--seed N] [--identity URL]
//        (acts as the administrator through the machine client TM_CLIENT_ID / TM_CLIENT_SECRET, client credentials;
//        also creates one demo account per role, password TM_DEMO_PASSWORD)
//        TalentMatch.DemoData --generate N --out FILE.csv|FILE.ndjson [--seed N]
//        TalentMatch.DemoData --bulk FILE.csv|FILE.ndjson [--profiles URL]
// Posts the open seed positions and N generated researcher profiles through the services' own APIs, so the demo
// exercises the same validation, outbox and events as real use. A service that already holds data is left alone.
var options = ParseArgs(args);

// --generate N --out FILE[.csv|.ndjson] [--seed S]: writes N synthetic profiles as a bulk-import file (fixed seed, so
// the same command always writes the same file).
if (options.TryGetValue("generate", out var generateCount))
{
    var path = options.GetValueOrDefault("out", "profiles.ndjson");
    var watch = Stopwatch.StartNew();
    var generator = new ProfileGenerator(int.Parse(options.GetValueOrDefault("seed", "20261121"))).Generate(int.Parse(generateCount));
    await using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 16);
    var written = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
        ? TalentMatch.DemoData.ProfileFiles.WriteCsv(generator, writer)
        : TalentMatch.DemoData.ProfileFiles.WriteNdjson(generator, writer);
    Console.WriteLine($"{written} profiles written to {path} in {watch.Elapsed.TotalSeconds:0.00} s");
    return 0;
}

// --bulk FILE [--profiles URL]: streams a CSV or JSON Lines file to POST /api/profiles/import, printing progress.
if (options.TryGetValue("bulk", out var bulkPath))
{
    using var importClient = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("profiles", "http://127.0.0.1:5101")), Timeout = Timeout.InfiniteTimeSpan };
    importClient.DefaultRequestHeaders.Authorization = await AdminTokenAsync(options);
    var watch = Stopwatch.StartNew();
    var lastPrinted = TimeSpan.Zero;
    var summary = await TalentMatch.DemoData.ProfileFiles.BulkImportAsync(importClient, bulkPath, (sent, length) =>
    {
        if (watch.Elapsed - lastPrinted >= TimeSpan.FromSeconds(2) || sent == length)
        {
            lastPrinted = watch.Elapsed;
            Console.WriteLine($"{watch.Elapsed.TotalSeconds,7:0.0} s  {100.0 * sent / Math.Max(1, length),5:0.0} % of the file taken by the service");
        }
    });
    Console.WriteLine($"imported {summary["imported"]} of {summary["processed"]} in {watch.Elapsed.TotalSeconds:0.0} s; {summary["rejected"]} rejected");
    foreach (var error in summary["errors"]!.AsArray().Take(20))
    {
        Console.WriteLine($"  line {error!["line"]}: {error["errors"]!.ToJsonString()}");
    }

    return summary["done"]!.GetValue<bool>() && summary["rejected"]!.GetValue<long>() == 0 ? 0 : 1;
}
using var profiles = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("profiles", "http://127.0.0.1:5101")) };
using var positions = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("positions", "http://127.0.0.1:5102")) };
var adminToken = await AdminTokenAsync(options);
profiles.DefaultRequestHeaders.Authorization = adminToken;
positions.DefaultRequestHeaders.Authorization = adminToken;
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

var ambassador = await DemoAccountsAsync(options, adminToken);
await CampaignsAsync(positions, ambassador);
return 0;

// The campaigns of the seed documents, with their seed positions (found by institution and title, as posted above),
// and the demo ambassador appointed to the one whose letter the seeds give. A service that has campaigns is left alone.
static async Task CampaignsAsync(HttpClient positions, Guid ambassador)
{
    if (!await IsEmpty(positions, "/api/campaigns"))
    {
        Console.WriteLine("campaigns: already loaded, skipped");
        return;
    }

    var seeds = SeedPositions.Load();
    foreach (var campaign in SeedCampaigns.All)
    {
        var created = await positions.PostAsJsonAsync("/api/campaigns", new
        {
            nameEn = campaign.NameEn, nameZh = campaign.NameZh,
            organiser = new { nameEn = campaign.Organiser.NameEn, nameZh = campaign.Organiser.NameZh, institutionId = campaign.Organiser.InstitutionId },
            institutionIds = campaign.InstitutionIds, opensOn = campaign.OpensOn, closesOn = campaign.ClosesOn, targetHires = campaign.TargetHires,
        });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating campaign {campaign.Key} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        }

        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var attached = 0;
        foreach (var institution in campaign.InstitutionIds)
        {
            var posted = (await positions.GetFromJsonAsync<JsonObject>($"/api/positions?institution={institution}&status=open&pageSize=100"))!["items"]!.AsArray();
            foreach (var seedId in campaign.PositionIds.Where(p => seeds.TryGet(p, out var s) && s.InstitutionId == institution))
            {
                seeds.TryGet(seedId, out var seed);
                var match = posted.FirstOrDefault(p => p!["title"]!.GetValue<string>() == seed!.Title);
                if (match is not null && (await positions.PutAsync($"/api/campaigns/{id}/positions/{match["id"]}", null)).IsSuccessStatusCode)
                {
                    attached++;
                }
            }
        }

        if (campaign.AmbassadorLetter is { } letter)
        {
            (await positions.PutAsJsonAsync($"/api/campaigns/{id}/ambassadors/{ambassador}",
                new { appointedOn = letter.AppointedOn, letterReference = letter.LetterReference })).EnsureSuccessStatusCode();
        }

        Console.WriteLine($"campaign {campaign.Key}: created with {attached} positions" + (campaign.AmbassadorLetter is null ? "" : ", demo ambassador appointed"));
    }
}

// One account per role to sign in to the web app with: the HR office of the institution with the most open seed
// positions, an ambassador for the three institutions with the most, and a researcher who has not built a profile yet.
// Returns the ambassador's account id.
static async Task<Guid> DemoAccountsAsync(Dictionary<string, string> options, System.Net.Http.Headers.AuthenticationHeaderValue adminToken)
{
    using var identity = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("identity", "http://127.0.0.1:5100")) };
    identity.DefaultRequestHeaders.Authorization = adminToken;
    var password = Environment.GetEnvironmentVariable("TM_DEMO_PASSWORD") is { Length: >= 12 } p ? p : "demo-password-2026";
    var busiest = SeedPositions.Load().Open.GroupBy(x => x.InstitutionId).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => g.Key).Take(3).ToList();
    var institutions = Institutions.Load();
    var hrName = institutions.TryGet(busiest[0], out var hrInstitution) ? $"HR office, {hrInstitution!.NameEn}" : "HR office";
    var accounts = new (string Email, string Role, Guid[] Institutions, string Name)[]
    {
        ("hr@demo.talentmatch.local", "hr", [busiest[0]], hrName),
        ("ambassador@demo.talentmatch.local", "ambassador", busiest.ToArray(), "Prof. Demo Ambassador"),
    };
    foreach (var (email, role, scope, name) in accounts)
    {
        var created = await identity.PostAsJsonAsync("/api/accounts", new { email, password, role, institutionIds = scope, displayName = name });
        Console.WriteLine(created.StatusCode switch
        {
            System.Net.HttpStatusCode.Created => $"demo account {email} ({role}): created",
            System.Net.HttpStatusCode.Conflict => $"demo account {email} ({role}): already there",
            _ => throw new InvalidOperationException($"creating {email} answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}"),
        });
    }

    // Researchers sign up themselves (202 whether or not the address is taken).
    var signUp = await identity.PostAsJsonAsync("/api/auth/signup", new { email = "researcher@demo.talentmatch.local", password, displayName = "Demo Researcher" });
    signUp.EnsureSuccessStatusCode();
    Console.WriteLine("demo account researcher@demo.talentmatch.local (researcher): signed up");
    var found = await identity.GetFromJsonAsync<JsonObject>("/api/accounts?role=ambassador&search=ambassador@demo.talentmatch.local");
    return Guid.Parse(found!["items"]![0]!["userId"]!.GetValue<string>());
}

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

// The services accept only authenticated callers: the loader is a machine client acting as an administrator
// (client credentials at the identity provider's token endpoint).
static async Task<System.Net.Http.Headers.AuthenticationHeaderValue> AdminTokenAsync(Dictionary<string, string> options)
{
    using var identity = new HttpClient { BaseAddress = new Uri(options.GetValueOrDefault("identity", "http://127.0.0.1:5100")) };
    var response = await identity.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = Environment.GetEnvironmentVariable("TM_CLIENT_ID") ?? "talentmatch-cli",
        ["client_secret"] = Environment.GetEnvironmentVariable("TM_CLIENT_SECRET")
            ?? throw new InvalidOperationException("Set TM_CLIENT_SECRET (deploy/up.sh passes the installation's; bash deploy/signing-key.sh secret cli prints it)."),
        ["scope"] = "api",
    }));
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"The token endpoint answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    return new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
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
