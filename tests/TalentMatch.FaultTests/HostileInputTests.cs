using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using TalentMatch.Hosting.Auth;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;
using TalentMatch.Testing;
using Xunit.Abstractions;

namespace TalentMatch.FaultTests;

/// <summary>
/// Hostile requests generated from every service's own OpenAPI document: for every operation, every parameter and every
/// member of a valid body (nested objects and array entries included) gets every mutation class that applies to it
/// (see <see cref="HostileGenerator"/>), and every declared content type gets odd charsets and a lying type. A new
/// endpoint gets cases without anyone writing them, and the test fails if an operation gets none. Every request must be
/// answered 4xx with problem details, and no table of any service may change.
/// Valid bodies are aimed where they cannot succeed (a researcher who already has a profile, an HR office of another
/// institution, a stale If-Match, a taken e-mail address, a match that does not exist), so a mutation the server
/// rightly finds harmless (a missing optional member) is answered 4xx too and changes nothing.
/// The seed is fixed (CI); set TM_HOSTILE_SEED to any number, or to "random", for other values; it is printed.
/// </summary>
public sealed class HostileInputTests(Platform platform, ITestOutputHelper output) : IClassFixture<Platform>
{
    private const int FixedSeed = 20261202;

    [Fact]
    public async Task Every_endpoint_answers_hostile_input_with_4xx_problem_details_and_nothing_changes()
    {
        var seed = Environment.GetEnvironmentVariable("TM_HOSTILE_SEED") switch
        {
            null or "" => FixedSeed,
            "random" => Random.Shared.Next(),
            var s => int.Parse(s),
        };
        var services = new[] { platform.Profiles, platform.Positions, platform.Matching, platform.Identity };
        foreach (var s in services)
        {
            await Eventually.True(async () => (await s.Client.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), $"{s.Name} ready");
        }

        // Real data to aim at, applied by matching before the snapshot: a researcher's own profile and an open position.
        var researcher = Guid.CreateVersion7();
        var researcherClient = platform.Profiles.NewClient(TestTokens.Researcher(researcher));
        var validProfile = ApiPayloads.Profile(new ProfileGenerator(3).Generate(1).Single());
        var seedPosition = SeedPositions.Load().Open.First();
        var validPosition = ApiPayloads.Position(seedPosition);
        validPosition["description"] = "Single-cell immunology group; <b>two</b> posts.";
        validPosition["languages"] = new JsonArray("en", "zh");
        validPosition["talentTierSought"] = "young";
        validPosition["salaryBand"] = new JsonObject { ["minCny"] = 300000, ["maxCny"] = 450000 };
        validPosition["startupFundingCny"] = 1000000;
        var positionId = await Create(platform.Positions.Client, "/api/positions", validPosition);
        var profileId = await Create(researcherClient, "/api/profiles", validProfile);
        Assert.Equal(researcher, profileId);
        await Eventually.True(async () => (await platform.Matching.Client.GetAsync($"/api/positions/{positionId}/candidates")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), "the position to reach matching");
        await Eventually.True(async () => await MatchingHas(profileId), TimeSpan.FromSeconds(60), "the profile to reach matching");
        await Eventually.True(async () => await Settled(), TimeSpan.FromSeconds(60), "outboxes and matching's ranking queue to drain");
        // The identity administrator's token is issued (and its entry stored by the provider) before the snapshot.
        var identityAdminToken = await platform.AdminTokenAsync();
        var before = await SnapshotAsync([]);

        var targets = new TargetBook(platform, profileId, positionId, validProfile, validPosition, seedPosition.InstitutionId, researcherClient, identityAdminToken);
        var generator = new HostileGenerator(seed);
        var cases = new List<HostileCase>();
        var perOperation = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var baseChecks = new List<HostileCase>();
        foreach (var service in services)
        {
            var doc = JsonNode.Parse(await service.Client.GetStringAsync("/openapi/v1.json"))!.AsObject();
            foreach (var (path, operations) in doc["paths"]!.AsObject())
            {
                foreach (var (method, operation) in operations!.AsObject())
                {
                    var op = new Operation(service, method.ToUpperInvariant(), path, operation!.AsObject(), doc);
                    var target = targets.For(op);
                    var generated = generator.For(op, target).ToList();
                    perOperation[op.ToString()] = generated.Count;
                    cases.AddRange(generated);
                    // (A bulk import's valid line would be stored: its cases are all-hostile bodies, checked by their answer.)
                    if (target.ValidBody is not null && !target.Bulk)
                    {
                        baseChecks.Add(generator.Unmutated(op, target));
                    }
                }
            }
        }

        // The valid bodies are valid (their answer is the refusal they are aimed at, never 400): otherwise every mutation
        // would be refused for the base body's fault and prove nothing.
        foreach (var check in baseChecks)
        {
            using var response = await check.Send();
            var status = (int)response.StatusCode;
            Assert.True(check.AimedAt.Contains(status), $"{check}: the unmutated body got {status} {Truncate(await response.Content.ReadAsStringAsync())}, expected one of {string.Join("/", check.AimedAt)}");
        }

        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var serverErrors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            HttpResponseMessage response;
            try
            {
                response = await c.Send(ct);
            }
            catch (HttpRequestException e)
            {
                lock (failures)
                {
                    failures.Add($"{c}: no answer ({e.Message} {e.InnerException?.Message})");
                }

                return;
            }

            using var _ = response;
            var status = (int)response.StatusCode;
            var contentType = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsStringAsync(ct);
            var problem = c.Check(status, contentType, body);
            lock (failures)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500)
                {
                    serverErrors[c.Class] = serverErrors.GetValueOrDefault(c.Class) + 1;
                }

                if (problem is not null)
                {
                    failures.Add($"{c}: {problem}");
                }
            }
        });

        // Evidence instead of a pause: a valid profile and position sent after the burst travel the same path (outbox,
        // relay, broker, matching's consumers and ranking worker). Once both are in matching's read model and nothing is
        // pending anywhere, whatever a wrongly accepted request set off has landed too.
        var sentinelPosition = validPosition.DeepClone().AsObject();
        sentinelPosition["title"] = "Sentinel " + Guid.NewGuid().ToString("N")[..8];
        var sentinelPositionId = await Create(platform.Positions.Client, "/api/positions", sentinelPosition);
        var sentinelProfile = ApiPayloads.Profile(new ProfileGenerator(seed).Generate(1).Single());
        var sentinelProfileId = await Create(platform.Profiles.Client, "/api/profiles", sentinelProfile);
        await Eventually.True(async () => await MatchingHas(sentinelProfileId) && await MatchingHasPosition(sentinelPositionId) && await Settled(),
            TimeSpan.FromSeconds(90), "the sentinel profile and position to reach matching and every queue to drain");
        var after = await SnapshotAsync(await SentinelTokens(sentinelProfileId, sentinelPositionId));

        output.WriteLine($"seed {seed} (TM_HOSTILE_SEED); {cases.Count} hostile requests over {perOperation.Count} operations; statuses: " +
                         string.Join(", ", statuses.Select(s => $"{s.Key} x{s.Value}")));
        output.WriteLine("5xx by mutation class: " + (serverErrors.Count == 0 ? "none" : string.Join(", ", serverErrors.Select(e => $"{e.Key} x{e.Value}"))));
        output.WriteLine("cases by mutation class: " + string.Join(", ", cases.GroupBy(c => c.Class).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Count()}")));
        foreach (var (operation, count) in perOperation)
        {
            output.WriteLine($"  {count,5}  {operation}");
        }

        foreach (var group in failures.GroupBy(f => f.Split(" @ ")[0] + "]").OrderBy(g => g.Key))
        {
            output.WriteLine($"FAILED x{group.Count(),-4} {group.Key}");
        }

        if (Environment.GetEnvironmentVariable("TM_HOSTILE_REPORT") is { Length: > 0 } report)
        {
            await File.WriteAllLinesAsync(report, failures.Order());
        }

        foreach (var f in failures.Order().DistinctBy(f => f.Split(" @ ")[0]).Take(80))
        {
            output.WriteLine("FAIL " + f);
        }

        Assert.Empty(perOperation.Where(e => e.Value == 0).Select(e => $"no hostile cases for {e.Key}"));
        Assert.True(failures.Count == 0, $"{failures.Count} hostile requests answered wrongly (seed {seed}); first: {failures.Order().FirstOrDefault()}");
        Assert.True(before == after, $"rejected requests changed data (seed {seed}):\n{Diff(before, after)}");
    }

    [Fact]
    public async Task The_web_servers_own_limits_answer_with_problem_details_to_anyone()
    {
        // Real Kestrel (the in-process test server has none of its limits): a URL over 8 KiB, headers over 32 KiB, in one
        // header or many, are 414/431 problem details rather than Kestrel's empty answers, and anonymously so.
        foreach (var service in new[] { platform.Profiles, platform.Positions, platform.Matching, platform.Identity })
        {
            await Eventually.True(async () => (await service.Client.GetAsync("/health/live")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), $"{service.Name} live");
            using var anonymous = service.NewClient(null);
            await AssertProblem(await anonymous.GetAsync("/health/live?q=" + new string('x', 16 * 1024)), 414, service.Name + " long URL");
            await AssertProblem(await anonymous.GetAsync("/api/" + new string('a', 12 * 1024)), 414, service.Name + " long path");

            using var big = new HttpRequestMessage(HttpMethod.Get, "/health/live");
            big.Headers.TryAddWithoutValidation("X-Padding", new string('x', 40 * 1024));
            await AssertProblem(await anonymous.SendAsync(big), 431, service.Name + " one large header");

            using var many = new HttpRequestMessage(HttpMethod.Get, "/health/live");
            for (var i = 0; i < 90; i++)
            {
                many.Headers.TryAddWithoutValidation($"X-Padding-{i}", new string('y', 500));
            }

            await AssertProblem(await anonymous.SendAsync(many), 431, service.Name + " many headers");
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live?q=" + new string('x', 4 * 1024))).StatusCode);
        }
    }

    private static async Task AssertProblem(HttpResponseMessage response, int status, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{what}: {(int)response.StatusCode}, expected {status} {Truncate(body)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, JsonNode.Parse(body)!["status"]!.GetValue<int>());
    }

    private static async Task<Guid> Create(HttpClient client, string path, JsonObject body)
    {
        var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
    }

    private async Task<bool> MatchingHas(Guid profileId) =>
        await Scalar<long>("Matching", $"SELECT count(*) FROM candidate_profiles WHERE profile_id = '{profileId}'") == 1;

    private async Task<bool> MatchingHasPosition(Guid positionId) =>
        await Scalar<long>("Matching", $"SELECT count(*) FROM positions WHERE position_id = '{positionId}'") == 1;

    private async Task<bool> Settled() =>
        await Scalar<long>("Profiles", "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL") == 0
        && await Scalar<long>("Positions", "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL") == 0
        && await Scalar<long>("Matching", "SELECT count(*) FROM ranking_queue") == 0;

    /// <summary>What identifies the sentinels' rows: their ids and the ids of the messages that carried them.</summary>
    private async Task<List<string>> SentinelTokens(Guid profileId, Guid positionId)
    {
        var tokens = new List<string> { profileId.ToString(), positionId.ToString() };
        foreach (var service in new[] { "Profiles", "Positions" })
        {
            await using var connection = new NpgsqlConnection(platform.ConnectionString(service));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT id::text FROM outbox_messages t WHERE position(@a in t::text) > 0 OR position(@b in t::text) > 0", connection);
            command.Parameters.AddWithValue("a", tokens[0]);
            command.Parameters.AddWithValue("b", tokens[1]);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tokens.Add(reader.GetString(0));
            }
        }

        return tokens;
    }

    private async Task<T> Scalar<T>(string service, string sql)
    {
        await using var connection = new NpgsqlConnection(platform.ConnectionString(service));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Row count and an order-independent checksum of every table of every service's database, leaving out the rows that
    /// mention one of <paramref name="exclude"/> (the sentinels).
    /// </summary>
    private async Task<string> SnapshotAsync(IReadOnlyList<string> exclude)
    {
        var lines = new List<string>();
        foreach (var service in new[] { "Profiles", "Positions", "Matching", "Identity" })
        {
            await using var connection = new NpgsqlConnection(platform.ConnectionString(service));
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            var filter = exclude.Count == 0 ? "" : " WHERE " + string.Join(" AND ", exclude.Select((_, i) => $"position(@t{i} in t::text) = 0"));
            // A refused sign-in is meant to count towards its address's lock-out: that table is the one rejected
            // requests are supposed to change.
            foreach (var table in tables.Where(t => !(service == "Identity" && t == "sign_in_failures")))
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT count(*) || ' ' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '-') FROM \"{table}\" t{filter}", connection);
                for (var i = 0; i < exclude.Count; i++)
                {
                    command.Parameters.AddWithValue($"t{i}", exclude[i]);
                }

                lines.Add($"{service}.{table}: {await command.ExecuteScalarAsync()}");
            }
        }

        return string.Join('\n', lines);
    }

    private static string Diff(string before, string after)
    {
        var a = before.Split('\n').ToHashSet();
        var b = after.Split('\n').ToHashSet();
        return string.Join('\n', before.Split('\n').Where(l => !b.Contains(l)).Select(l => "before: " + l)
            .Concat(after.Split('\n').Where(l => !a.Contains(l)).Select(l => "after:  " + l)));
    }

    internal static string Truncate(string s) => s.Length <= 300 ? s : s[..300] + "…";
}

/// <summary>One operation of a service's OpenAPI document.</summary>
public sealed record Operation(ServiceProcess Service, string Method, string Path, JsonObject Spec, JsonObject Doc)
{
    public string? Id => (string?)Spec["operationId"];
    public override string ToString() => $"{Service.Name} {Method} {Path}";
}

/// <summary>
/// How to aim one operation: the client, a path to a real resource, a valid body with its content type, extra query
/// parameters the operation reads without declaring them, headers, and the refusal a valid body gets.
/// </summary>
public sealed record Target(
    HttpClient Client,
    string RealPath,
    string? ValidBody = null,
    string ContentType = "application/json",
    IReadOnlyDictionary<string, string>? Query = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    int[]? AimedAt = null,
    bool Bulk = false);

/// <summary>The valid bodies and aims of the platform's operations; an operation with a body and no entry fails the test.</summary>
internal sealed class TargetBook(
    Platform platform, Guid profileId, Guid positionId, JsonObject validProfile, JsonObject validPosition, Guid institutionId, HttpClient researcher,
    string identityAdminToken)
{
    private static readonly string StaleIfMatch = "\"0\"";

    public Target For(Operation op)
    {
        var pathIds = Ids(op);
        string Fill(Guid id) => pathIds.Aggregate(op.Path, (p, name) => p.Replace("{" + name + "}", (name == "institutionId" ? institutionId : id).ToString()));
        var realPath = op.Path.StartsWith("/api/positions", StringComparison.Ordinal) && op.Service == platform.Positions ? Fill(positionId)
            : op.Path.StartsWith("/api/profiles", StringComparison.Ordinal) && op.Service == platform.Profiles ? Fill(profileId)
            : op.Path.StartsWith("/api/positions/{id}", StringComparison.Ordinal) ? Fill(positionId)
            : Fill(Guid.NewGuid());
        // The identity service trusts only its own tokens: its administrator is the tests' machine client.
        var admin = op.Service == platform.Identity ? platform.Identity.NewClient(identityAdminToken) : op.Service.Client;
        var otherHr = op.Service.NewClient(TestTokens.Hr(Guid.NewGuid()));
        return op.Id switch
        {
            // The researcher already has a profile: a valid registration is 409.
            "RegisterProfile" => new Target(researcher, realPath, validProfile.ToJsonString(), AimedAt: [409]),
            "ImportJsonResume" => new Target(researcher, realPath, Fixture("TalentMatch.Profiles.Tests", "json-resume-researcher.json"),
                Query: new Dictionary<string, string>
                {
                    ["consentToMatching"] = "true", ["employmentModes"] = "full-time", ["researchFields"] = "MED.IMMUNO",
                    ["careerStage"] = "R3", ["degreeField"] = "MED.IMMUNO", ["preferredCities"] = "Chongqing", ["earliestStartDate"] = "2027-01-01",
                }, AimedAt: [409]),
            "UpdateProfile" => new Target(admin, realPath, validProfile.ToJsonString(), Headers: new Dictionary<string, string> { ["If-Match"] = StaleIfMatch }, AimedAt: [412]),
            // Every line hostile: the answer is a complete summary that stored nothing.
            "BulkImportProfiles" => new Target(admin, realPath, validProfile.ToJsonString(), "application/x-ndjson", Bulk: true, AimedAt: [200]),
            // An HR office of another institution: a valid position is 403.
            "CreatePosition" => new Target(otherHr, realPath, validPosition.ToJsonString(), AimedAt: [403]),
            "ImportJobPosting" => new Target(otherHr, realPath, Fixture("TalentMatch.Positions.Tests", "job-posting-shenzhen-bay.jsonld"), "application/ld+json",
                Query: new Dictionary<string, string> { ["researchFields"] = "MED.IMMUNO", ["careerStageMin"] = "R2", ["careerStageMax"] = "R3" }, AimedAt: [403]),
            "UpdatePosition" => new Target(admin, realPath, validPosition.ToJsonString(), Headers: new Dictionary<string, string> { ["If-Match"] = StaleIfMatch }, AimedAt: [412]),
            // Matches that do not exist.
            "DecideMatch" => new Target(admin, realPath, new JsonObject { ["decision"] = "reject", ["reason"] = "location", ["reasonText"] = "Too far." }.ToJsonString(), AimedAt: [404]),
            "RecordOutcome" => new Target(admin, realPath, new JsonObject { ["outcome"] = "interviewed" }.ToJsonString(), AimedAt: [404]),
            // The administrator's address is taken; an unknown address cannot sign in.
            "SignUp" => new Target(op.Service.NewClient(null), realPath, new JsonObject { ["email"] = Platform.AdminEmail, ["password"] = "a-long-enough-password-1" }.ToJsonString(), AimedAt: [409, 202, 201, 200]),
            // An address without an account: the answer is 202 and nothing is sent or stored.
            "RequestPasswordReset" => new Target(op.Service.NewClient(null), realPath, new JsonObject { ["email"] = "nobody.hostile@example.org" }.ToJsonString(), AimedAt: [202]),
            "ChangeAccountRole" => new Target(admin, realPath, new JsonObject { ["role"] = Roles.Ambassador, ["institutionIds"] = new JsonArray(institutionId.ToString()) }.ToJsonString(), AimedAt: [404]),
            "CreateAccount" => new Target(admin, realPath, new JsonObject { ["email"] = Platform.AdminEmail, ["password"] = "a-long-enough-password-1", ["role"] = Roles.Hr, ["institutionIds"] = new JsonArray(institutionId.ToString()) }.ToJsonString(), AimedAt: [409]),
            // A campaign organised by an institution the caller's HR office is not: 403. Unknown campaigns: 404.
            "CreateCampaign" => new Target(otherHr, realPath, ValidCampaign(institutionId), AimedAt: [403]),
            "UpdateCampaign" => new Target(admin, realPath, ValidCampaign(institutionId), Headers: new Dictionary<string, string> { ["If-Match"] = StaleIfMatch }, AimedAt: [404]),
            "AppointAmbassador" => new Target(admin, realPath, new JsonObject { ["appointedOn"] = "2025-03-27", ["letterReference"] = "MY-TIA-2025-001" }.ToJsonString(), AimedAt: [404]),
            // No recommendation of that profile, no position of that id: 404.
            "AnswerRecommendation" => new Target(admin, realPath, new JsonObject { ["answer"] = "not-interested", ["reason"] = "location" }.ToJsonString(), AimedAt: [404]),
            "ReorderEndorsedCandidates" => new Target(admin, $"/api/positions/{Guid.NewGuid()}/endorsed/order",
                new JsonObject { ["profileIds"] = new JsonArray(Guid.NewGuid().ToString()) }.ToJsonString(), AimedAt: [404]),
            // The defaults for an account that never changed them: 200, and nothing is stored.
            "UpdateNoticeSettings" => new Target(admin, realPath, new JsonObject { ["recommendations"] = true, ["proposals"] = true, ["endorsements"] = true }.ToJsonString(), AimedAt: [200]),
            _ when op.Spec["requestBody"] is not null => throw new InvalidOperationException($"No valid body known for {op} ({op.Id}); add one to the hostile-input test."),
            _ => new Target(admin, realPath),
        };
    }

    private static string ValidCampaign(Guid institution) => new JsonObject
    {
        ["nameEn"] = "Talent Introduction 2026", ["nameZh"] = "人才引进2026",
        ["organiser"] = new JsonObject { ["nameEn"] = "Organisation Department", ["nameZh"] = "组织部", ["institutionId"] = institution.ToString() },
        ["institutionIds"] = new JsonArray(institution.ToString()), ["opensOn"] = "2026-01-01", ["closesOn"] = "2027-06-30", ["targetHires"] = 5,
    }.ToJsonString();

    public static List<string> Ids(Operation op) =>
        (op.Spec["parameters"]?.AsArray() ?? []).Where(p => (string?)p!["in"] == "path").Select(p => (string)p!["name"]!).ToList();

    private static string Fixture(string project, string name) => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", project, "Fixtures", name));
}

public sealed record HostileCase(Operation Op, Target Target, string Class, string Where, string Url, string? Body, string? ContentType,
    string Method, byte[]? RawBody = null, bool Anonymous = false, int[]? Exactly = null)
{
    public int[] AimedAt => Target.AimedAt ?? [];

    /// <summary>
    /// Sends the request; once more on a fresh connection when the server closed a kept-alive connection the request was
    /// sent on (it does so after refusing a body it did not read: "response ended", "broken pipe"), which is a transport
    /// race, not an answer. A request that really brings no answer fails on the fresh connection too.
    /// </summary>
    public async Task<HttpResponseMessage> Send(CancellationToken ct = default)
    {
        try
        {
            return await SendOnce(Target.Client, ct);
        }
        catch (HttpRequestException)
        {
            using var fresh = Op.Service.NewClient(null);
            fresh.DefaultRequestHeaders.Authorization = Target.Client.DefaultRequestHeaders.Authorization;
            return await SendOnce(fresh, ct, fresh);
        }
    }

    private async Task<HttpResponseMessage> SendOnce(HttpClient client, CancellationToken ct, HttpClient? only = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(Method), Url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in Target.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (RawBody is not null || Body is not null)
        {
            request.Content = RawBody is not null ? new ByteArrayContent(RawBody) : new ByteArrayContent(Encoding.UTF8.GetBytes(Body!));
            if (RawBody is { Length: > 200 * 1024 })
            {
                // As a well-behaved client sends a large body: the server can refuse it (413) before it is transmitted.
                request.Headers.ExpectContinue = true;
            }

            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        if (Anonymous)
        {
            using var anonymous = Op.Service.NewClient(null);
            return await anonymous.SendAsync(request, ct);
        }

        return await (only ?? client).SendAsync(request, ct);
    }

    /// <summary>Null when the answer is right: 4xx problem details, or for a bulk import a complete summary that stored nothing.</summary>
    public string? Check(int status, string? contentType, string body)
    {
        if (Exactly is not null && !Exactly.Contains(status))
        {
            return $"{status}, expected {string.Join("/", Exactly)} {HostileInputTests.Truncate(body)}";
        }

        if (Target.Bulk && status == 200 && Method == "POST" && Exactly is null)
        {
            var last = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            try
            {
                var summary = last is null ? null : JsonNode.Parse(last) as JsonObject;
                if (summary is not null && summary["done"] is not null && (long?)summary["imported"] == 0 && (long?)summary["rejected"] == (long?)summary["processed"])
                {
                    return null;
                }

                // Name the lines that were taken, so the mutation that passed for valid is visible.
                var rejected = (summary?["errors"] as JsonArray ?? []).Select(e => (int?)e?["line"]).ToHashSet();
                var lines = (Body ?? "").Split('\n');
                var taken = Enumerable.Range(1, lines.Length).Where(n => !rejected.Contains(n) && lines[n - 1].Length > 0 && !(ContentType?.StartsWith("text/csv") == true && n == 1))
                    .Select(n => $"line {n}: {HostileInputTests.Truncate(lines[n - 1])}");
                return $"bulk answer incomplete or something imported: {HostileInputTests.Truncate(last ?? "(empty body)")}; not rejected: {string.Join(" | ", taken.Take(3))}";
            }
            catch (JsonException)
            {
                return $"bulk answer's last line is not JSON: {HostileInputTests.Truncate(last ?? "")}";
            }
        }

        if (status is < 400 or >= 500)
        {
            return $"{status} {HostileInputTests.Truncate(body)}";
        }

        if (contentType != "application/problem+json" || !IsProblem(body, status))
        {
            return $"{status} without problem details ({contentType}) {HostileInputTests.Truncate(body)}";
        }

        return null;
    }

    private static bool IsProblem(string body, int status)
    {
        try
        {
            var json = JsonNode.Parse(body)!.AsObject();
            return json["status"]?.GetValue<int>() == status && json["title"] is not null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    public override string ToString() =>
        $"{Op} [{Class} @ {Where}] {Method} {(Url.Length > 100 ? Url[..100] + "…" : Url)}";
}

/// <summary>
/// Makes the hostile cases of one operation. Mutation classes (each applied to every location where it applies):
/// for a body member or array entry — null, missing, empty, wrong type, string/number/array where an object is
/// expected and an object where a scalar is, nested arrays where a string is, null as an array entry, huge, negative,
/// overflowing number (beyond double, int64 and decimal), very long string, control characters, NUL, lone surrogate
/// (JSON escape \ud800), unknown member, duplicate member; for a parameter — the same where a query string can carry it;
/// paging overflow on list endpoints; for the body as a whole — malformed JSON, a body over the limit, every declared
/// content type with charset=foo, utf-7, "" and utf-16 (lying), other content types, and a lying content type; and the
/// wrong method, an unknown route and a wrong content type anonymously (404/405/415, not 401).
/// </summary>
public sealed class HostileGenerator(int seed)
{
    private const string Injection = "'; DROP TABLE profiles; -- <script>alert(1)</script> ${jndi:ldap://x/a} {{7*7}} ../../etc/passwd ";
    private const string SurrogateMarker = "\u0001LONE-SURROGATE\u0001";
    private const string DuplicatePrefix = "\u0001DUPLICATE\u0001";

    private readonly Random _random = new(seed);

    private static readonly string[] BadIds =
    [
        "not-a-guid", "1%20OR%201%3D1", "'%3B%20DROP%20TABLE%20profiles%3B--", "..%2F..%2Fetc%2Fpasswd", "%01", "%7F%1B",
        "12345678-1234-1234-1234-1234567890123", new string('a', 3000), "%3Cscript%3E", "-1", "99999999999999999999999999999",
        "00000000-0000-0000-0000-000000000000", "%5B%5D", "%7B%7D", "null", "%ED%A0%80",
    ];

    public HostileCase Unmutated(Operation op, Target target) =>
        Case(op, target, "unmutated", "body", Url(target.RealPath, target.Query), target.ValidBody, target.ContentType);

    public IEnumerable<HostileCase> For(Operation op, Target target)
    {
        var parameters = op.Spec["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        var pathParams = TargetBook.Ids(op);
        var query = target.Query ?? new Dictionary<string, string>();
        var baseUrl = Url(target.RealPath, query);
        var methods = op.Doc["paths"]![op.Path]!.AsObject().Select(m => m.Key.ToUpperInvariant()).ToHashSet();

        // Path parameters: malformed, injection-shaped and unknown ids (never a real one, so body-less actions such as
        // withdraw or close cannot succeed).
        foreach (var name in pathParams)
        {
            foreach (var id in BadIds.Append(Guid.NewGuid().ToString()))
            {
                var path = TargetBook.Ids(op).Aggregate(op.Path, (p, n) => p.Replace("{" + n + "}", n == name ? id : Guid.NewGuid().ToString()));
                yield return Case(op, target, "path id", name + "=" + Short(id), Url(path, query), target.ValidBody, target.ValidBody is null ? null : target.ContentType);
            }
        }

        // Declared query parameters and the ones an import reads: every class a query string can carry.
        var queryParams = parameters.Where(p => (string?)p["in"] == "query")
            .Select(p => ((string)p["name"]!, Kind: QueryKind(op.Doc, Resolve(op.Doc, p["schema"]?.AsObject() ?? []))))
            .Concat(query.Keys.Select(k => (k, Kind: "typed")))
            .DistinctBy(p => p.Item1).ToList();
        foreach (var (name, kind) in queryParams)
        {
            foreach (var (cls, value) in QueryValues(kind))
            {
                var q = new Dictionary<string, string>(query) { [name] = value };
                yield return Case(op, target, cls, "query " + name, Url(target.RealPath, q, raw: name), target.ValidBody, target.ValidBody is null ? null : target.ContentType);
            }

            if (kind == "text")
            {
                continue;
            }

            yield return Case(op, target, "array where a scalar is expected", "query " + name,
                Url(target.RealPath, query) + (query.Count == 0 && !target.RealPath.Contains('?') ? "?" : "&") + $"{name}=1&{name}=2&{name}[]=3", target.ValidBody, target.ValidBody is null ? null : target.ContentType);
        }

        // Paging that overflows: a page so far out that page × pageSize does not fit the offset.
        if (queryParams.Any(p => p.Item1 == "page"))
        {
            foreach (var paging in new[] { "page=2147483647", "page=2147483647&pageSize=200", "page=1073741825&pageSize=2", "page=10737419&pageSize=200", "page=2147483648" })
            {
                yield return Case(op, target, "paging overflow", paging, $"{target.RealPath}?{paging}", null, null, exactly: [400]);
            }
        }

        // Any operation: a body over the size limit (413), the wrong method (405, also anonymously), an unknown route
        // below it (404 anonymously: signing in would not help).
        yield return Case(op, target, "huge body", "body", baseUrl, null, "application/json", raw: Encoding.UTF8.GetBytes("{\"x\":\"" + new string('x', 300 * 1024) + "\"}"));
        var wrongMethod = new[] { "PATCH", "DELETE", "PUT" }.First(m => !methods.Contains(m));
        yield return Case(op, target, "wrong method", "method", baseUrl, "{}", "application/json", method: wrongMethod, exactly: [405]);
        yield return Case(op, target, "wrong method", "method (anonymous)", baseUrl, "{}", "application/json", method: wrongMethod, anonymous: true, exactly: [405]);
        yield return Case(op, target, "unknown route", "path (anonymous)", target.RealPath.TrimEnd('/') + "/no-such-thing/" + Guid.NewGuid(), null, null, anonymous: true, exactly: [404]);

        if (target.ValidBody is null)
        {
            yield break;
        }

        // Content types: each declared one with odd charsets; undeclared ones; the declared one over a body of another
        // format (a lying type); anonymously, an undeclared type is 415 before authentication is asked for.
        var declared = op.Spec["requestBody"]?["content"]?.AsObject().Select(c => c.Key).ToList() ?? [target.ContentType];
        foreach (var type in declared)
        {
            foreach (var charset in new[] { "foo", "utf-7", "\"\"", "utf-16", "iso-8859-1\"; x=\"", "utf-8, utf-8" })
            {
                yield return Case(op, target, "odd charset", $"Content-Type {type}", baseUrl, target.ValidBody, $"{type}; charset={charset}");
            }

            yield return Case(op, target, "lying content type", $"Content-Type {type}", baseUrl,
                target.Bulk ? "<profiles><profile/></profiles>" : "fullName,email\nA,a@example.org\n", type);
        }

        foreach (var type in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/x-unknown", "application/json+evil", "*/*", "application/" })
        {
            if (!declared.Contains(type))
            {
                yield return Case(op, target, "unsupported content type", $"Content-Type {type}", baseUrl, target.ValidBody, type);
            }
        }

        yield return Case(op, target, "unsupported content type", "Content-Type text/plain (anonymous)", baseUrl, target.ValidBody, "text/plain", anonymous: true, exactly: [415]);
        yield return Case(op, target, "missing content type", "Content-Type", baseUrl, target.ValidBody, null);

        if (target.Bulk)
        {
            foreach (var c in BulkCases(op, target, baseUrl))
            {
                yield return c;
            }

            yield break;
        }

        // The body as a whole: malformed, not an object, deeply nested.
        string[] malformed = ["", "{", "{\"fullName\": }", "not json", "[]", "null", "\"text\"", "123", "true", "{\"a\":1,}", "\u0000\u0001", "{'a':1}",
            "\uFEFF{}", "{\"a\":\"\\ud800\"}", "{\"\\ud800\":1}", "{\"a\":NaN}", "{\"a\":01}", "{\"a\":1}{\"b\":2}", "{\"a\":\"\\x41\"}",
            new string('[', 5000) + new string(']', 5000), string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000)];
        foreach (var body in malformed)
        {
            yield return Case(op, target, "malformed body", Short(body), baseUrl, body, target.ContentType);
        }

        yield return Case(op, target, "malformed body", "invalid UTF-8", baseUrl, null, target.ContentType, raw: [.. "{\"a\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8]);

        // Every member and array entry of the valid body.
        var valid = JsonNode.Parse(target.ValidBody)!;
        var schema = op.Spec["requestBody"]?["content"]?[target.ContentType]?["schema"] is JsonObject s ? Resolve(op.Doc, s) : [];
        foreach (var (path, node) in Locations(valid, []))
        {
            foreach (var (cls, text) in Mutations(valid, path, node))
            {
                yield return Case(op, target, cls, Display(path), baseUrl, text, target.ContentType);
            }
        }

        // Members the schema declares that the valid body leaves out.
        foreach (var (name, _) in schema["properties"]?.AsObject() ?? [])
        {
            if (valid is JsonObject o && !o.ContainsKey(name))
            {
                foreach (var (cls, value) in new (string, JsonNode?)[] { ("wrong type", new JsonArray(new JsonObject())), ("null as an array entry", new JsonArray((JsonNode?)null)), ("NUL", "a\u0000b") })
                {
                    var copy = valid.DeepClone().AsObject();
                    copy[name] = value;
                    yield return Case(op, target, cls, name, baseUrl, copy.ToJsonString(), target.ContentType);
                }
            }
        }
    }

    /// <summary>Bulk import bodies of hostile lines only (each class one body): all rejected, nothing stored, the answer complete.</summary>
    private IEnumerable<HostileCase> BulkCases(Operation op, Target target, string url)
    {
        var valid = JsonNode.Parse(target.ValidBody!)!;
        var byClass = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (path, node) in Locations(valid, []))
        {
            // A missing, empty or null member (or 1.5e-400, which is 0) can make a valid line; the single-request endpoints test those.
            foreach (var (cls, text) in Mutations(valid, path, node).Where(m => m.Class is not ("missing" or "empty" or "null" or "underflowing number" or "very long string")))
            {
                (byClass.TryGetValue(cls, out var lines) ? lines : byClass[cls] = []).Add(text);
            }
        }

        foreach (var (cls, lines) in byClass)
        {
            yield return Case(op, target, cls, $"{lines.Count} NDJSON lines", url, string.Join("\n", lines) + "\n", "application/x-ndjson");
        }

        yield return Case(op, target, "null as an array entry", "NDJSON line null", url, "null\n[null]\n{\"languages\":[null]}\n", "application/x-ndjson");

        const string header = "fullName,email,careerStage,researchFields,skills,yearsOfExperience,employmentModes,consentToMatching,degrees,honours,languages,preferredCities,earliestStartDate,phone";
        string[] row = ["Wang Fang", "csv-hostile@example.org", "R2", "MED.IMMUNO", "flow cytometry", "6", "full-time", "true", "doctorate|MED.IMMUNO|Sichuan University|2018", "young|Chongqing Young Talents|2023", "zh", "Chongqing", "2027-01-01", "+86 23 1234 5678"];
        var cells = new (string Class, string Value)[]
        {
            ("NUL", "a\u0000b"), ("control characters", "a\u0001\u001b[2Jb"), ("wrong type", "abc"), ("negative", "-1"), ("overflowing number", "1e400"),
            ("overflowing number", "79228162514264337593543950336"), ("nested arrays where a string is expected", "a|b|c|d|e;f"), ("malformed body", "\"unclosed"),
            ("empty", "|||"), ("huge", "99999999999"),
        };
        var csv = new StringBuilder(header).Append('\n');
        var count = 0;
        for (var column = 0; column < row.Length; column++)
        {
            foreach (var (cls, value) in cells)
            {
                var cellsOfRow = (string[])row.Clone();
                cellsOfRow[column] = value;
                // A valid value can hide among hostile ones only where the column is free text; keep the line invalid.
                if (column is 0 or 1 or 4 or 10 or 11 or 13 && cls is not ("NUL" or "control characters"))
                {
                    cellsOfRow[5] = "-5";
                }

                csv.Append(string.Join(",", cellsOfRow)).Append('\n');
                count++;
            }
        }

        yield return Case(op, target, "hostile CSV", $"{count} CSV lines", url, csv.ToString(), "text/csv");
        yield return Case(op, target, "malformed body", "CSV with invalid UTF-8", url, null, "text/csv",
            raw: [.. Encoding.UTF8.GetBytes(header + "\nWang "), 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes("," + string.Join(",", row[1..]) + "\n")]);
    }

    private IEnumerable<(string Class, string Text)> Mutations(JsonNode root, object[] path, JsonNode? node)
    {
        var kind = node switch
        {
            JsonObject => "object",
            JsonArray => "array",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => "string",
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => "number",
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };

        if (path.Length > 0)
        {
            yield return ("missing", Remove(root, path));
            yield return ("null", Set(root, path, null));
        }

        switch (kind)
        {
            case "object":
                if (path.Length > 0)
                {
                    yield return ("empty", Set(root, path, new JsonObject()));
                    yield return ("string where an object is expected", Set(root, path, Pick("Shenzhen Bay Laboratory", Injection, "")));
                    yield return ("number where an object is expected", Set(root, path, Pick<JsonNode>(42, -1, 1e300)));
                    yield return ("array where an object is expected", Set(root, path, new JsonArray(node!.DeepClone())));
                    yield return ("boolean where an object is expected", Set(root, path, true));
                }

                yield return ("unknown member", Set(root, path, With(node!.AsObject(), Pick("isAdmin", "__proto__", "$where", "unknownMember"), true)));
                yield return ("unknown member", Set(root, path, With(node!.AsObject(), SurrogateMarker, 1)));
                break;
            case "array":
                yield return ("empty", Set(root, path, new JsonArray()));
                yield return ("null as an array entry", Set(root, path, new JsonArray((JsonNode?)null)));
                yield return ("null as an array entry", Set(root, path, Append(node!.AsArray(), null)));
                yield return ("string where an array is expected", Set(root, path, Pick("text", "a,b")));
                yield return ("object where an array is expected", Set(root, path, new JsonObject { ["0"] = "a" }));
                yield return ("number where an array is expected", Set(root, path, 1));
                yield return ("nested arrays where a string is expected", Set(root, path, new JsonArray(new JsonArray("a"), new JsonArray(new JsonArray()))));
                yield return ("huge", Set(root, path, new JsonArray(Enumerable.Range(0, 10_000).Select(i => (JsonNode)JsonValue.Create("x" + i)!).ToArray())));
                break;
            case "string":
                var text = node!.GetValue<string>();
                yield return ("empty", Set(root, path, Pick("", " ", "\t")));
                yield return ("wrong type", Set(root, path, Pick<JsonNode>(12345, true, -0.5)));
                yield return ("object where a string is expected", Set(root, path, new JsonObject { ["$ne"] = "", ["@value"] = text }));
                yield return ("array where a string is expected", Set(root, path, new JsonArray(text)));
                yield return ("nested arrays where a string is expected", Set(root, path, new JsonArray(new JsonArray(text))));
                yield return ("very long string", Set(root, path, Overlong()));
                yield return ("control characters", Set(root, path, text + Pick("\u0001", "\u001b[2J", "\u0008\u0007", "\u007f", "\u009b")));
                yield return ("NUL", Set(root, path, text + "\u0000"));
                yield return ("NUL", Set(root, path, "\u0000"));
                yield return ("lone surrogate", Set(root, path, SurrogateMarker));
                if (Guid.TryParse(text, out _) || DateOnly.TryParse(text, out _) || DateTime.TryParse(text, out _))
                {
                    yield return ("wrong type", Set(root, path, Injection));
                    yield return ("huge", Set(root, path, Pick("99999-12-31", "ffffffff-ffff-ffff-ffff-ffffffffffffff")));
                }

                break;
            case "number":
                // (A number in quotes is read as the number: the web defaults of System.Text.Json, on purpose.)
                yield return ("wrong type", Set(root, path, Pick("abc", "1 2", "")));
                yield return ("negative", Set(root, path, Pick<JsonNode>(-1, -0.5, -2147483648)));
                yield return ("huge", Set(root, path, Pick<JsonNode>(1e308, 2147483648L, 9007199254740993L)));
                yield return ("overflowing number", Set(root, path, JsonNode.Parse("1e400")));
                yield return ("overflowing number", Set(root, path, JsonNode.Parse("99999999999999999999999")));
                yield return ("overflowing number", Set(root, path, JsonNode.Parse("79228162514264337593543950336")));
                yield return ("overflowing number", Set(root, path, JsonNode.Parse("-1e400")));
                yield return ("object where a number is expected", Set(root, path, new JsonObject { ["value"] = 1 }));
                yield return ("array where a number is expected", Set(root, path, new JsonArray(1)));
                yield return ("underflowing number", Set(root, path, JsonNode.Parse("1.5e-400")));
                break;
            case "boolean":
                yield return ("wrong type", Set(root, path, Pick<JsonNode>("yes", 1, "true")));
                yield return ("object where a boolean is expected", Set(root, path, new JsonObject()));
                yield return ("array where a boolean is expected", Set(root, path, new JsonArray(true)));
                break;
            default:
                yield return ("wrong type", Set(root, path, new JsonArray(new JsonObject())));
                break;
        }

        if (path.Length > 0 && path[^1] is string member)
        {
            yield return ("duplicate member", Duplicate(root, path, member));
        }
    }

    /// <summary>Every member and array entry, depth first; an array's entries are its first two (the rest are alike).</summary>
    private static IEnumerable<(object[] Path, JsonNode? Node)> Locations(JsonNode? node, object[] path)
    {
        yield return (path, node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    foreach (var l in Locations(child, [.. path, name]))
                    {
                        yield return l;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < Math.Min(a.Count, 2); i++)
                {
                    foreach (var l in Locations(a[i], [.. path, i]))
                    {
                        yield return l;
                    }
                }

                break;
        }
    }

    private static string Set(JsonNode root, object[] path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return Serialize(value);
        }

        var copy = root.DeepClone();
        var parent = Navigate(copy, path[..^1]);
        switch (path[^1])
        {
            case string name:
                parent!.AsObject()[name] = value?.DeepClone();
                break;
            case int index:
                parent!.AsArray()[index] = value?.DeepClone();
                break;
        }

        return Serialize(copy);
    }

    private static string Remove(JsonNode root, object[] path)
    {
        var copy = root.DeepClone();
        var parent = Navigate(copy, path[..^1]);
        switch (path[^1])
        {
            case string name:
                parent!.AsObject().Remove(name);
                break;
            case int index:
                parent!.AsArray().RemoveAt(index);
                break;
        }

        return Serialize(copy);
    }

    /// <summary>The member twice, the second time with a different value where one can be told apart.</summary>
    private string Duplicate(JsonNode root, object[] path, string member)
    {
        var copy = root.DeepClone();
        var parent = Navigate(copy, path[..^1])!.AsObject();
        var rebuilt = new JsonObject();
        foreach (var (name, value) in parent.ToList())
        {
            parent.Remove(name);
            rebuilt[name] = value;
            if (name == member)
            {
                rebuilt[DuplicatePrefix + name] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Pick<JsonNode>(v.GetValue<string>(), "other") : value?.DeepClone();
            }
        }

        var text = path.Length == 1 ? Serialize(rebuilt) : Set(copy, path[..^1], rebuilt);
        return text.Replace(JsonSerializer.Serialize(DuplicatePrefix)[..^1], "\"");
    }

    private static JsonNode? Navigate(JsonNode? node, object[] path)
    {
        foreach (var segment in path)
        {
            node = segment is string name ? node![name] : node![(int)segment];
        }

        return node;
    }

    private static string Serialize(JsonNode? node) =>
        (node?.ToJsonString() ?? "null").Replace(JsonSerializer.Serialize(SurrogateMarker), "\"a\\ud800b\"");

    private static JsonObject With(JsonObject o, string name, JsonNode? value)
    {
        var copy = o.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    private static JsonArray Append(JsonArray a, JsonNode? value)
    {
        var copy = a.DeepClone().AsArray();
        copy.Add(value);
        return copy;
    }

    private static string Display(object[] path) =>
        path.Length == 0 ? "body" : string.Concat(path.Select((s, i) => s is int n ? $"[{n}]" : (i == 0 ? "" : ".") + s));

    private IEnumerable<(string Class, string Value)> QueryValues(string kind)
    {
        // A free-text filter has no wrong value except what PostgreSQL cannot store or compare (NUL) and what is not text.
        // (Invalid UTF-8 in a query string decodes to U+FFFD, a character like any other.)
        var text = new (string, string)[] { ("NUL", "%00"), ("NUL", "a%00b") };
        if (kind == "text")
        {
            return text;
        }

        return text.Concat(new (string, string)[]
        {
            ("lone surrogate", "%ED%A0%80"), ("malformed body", "%FF%FE"),
            // "true" is a wrong type for every typed parameter but a boolean.
            ("wrong type", kind == "boolean" ? Pick("abc", "yes", "%7B%7D") : Pick("abc", "true", "%7B%7D")), ("empty", ""), ("negative", "-1"), ("huge", "2147483648"),
            ("overflowing number", "99999999999999999999"), ("overflowing number", "1e400"), ("wrong type", "1.5"), ("wrong type", "0x10"),
            ("very long string", new string('9', 5000)), ("control characters", "%01%1B"), ("wrong type", "%27%20OR%20%271%27%3D%271"),
            ("nested arrays where a string is expected", "%5B%5B%22a%22%5D%5D"), ("object where a string is expected", "%7B%22%24ne%22%3A1%7D"),
        });
    }

    private static string QueryKind(JsonObject doc, JsonObject schema)
    {
        var types = Types(doc, schema);
        return types.Count == 0 && schema["format"] is null && schema["enum"] is null ? "text" : types.Contains("boolean") ? "boolean" : "typed";
    }

    private static HashSet<string> Types(JsonObject doc, JsonObject schema)
    {
        var result = new HashSet<string>();
        if (schema["enum"] is not null)
        {
            result.Add("enum");
        }

        switch (schema["type"])
        {
            case JsonValue v:
                result.Add(v.GetValue<string>());
                break;
            case JsonArray a:
                foreach (var t in a)
                {
                    result.Add(t!.GetValue<string>());
                }

                break;
        }

        foreach (var key in new[] { "oneOf", "anyOf", "allOf" })
        {
            foreach (var inner in schema[key]?.AsArray() ?? [])
            {
                result.UnionWith(Types(doc, Resolve(doc, inner!.AsObject())));
            }
        }

        result.Remove("null");
        // Free text is "string" (or untyped) without a format; the sort and status parameters are typed by their code.
        if (result.SetEquals(["string"]) && schema["format"] is null)
        {
            result.Clear();
        }

        return result;
    }

    private static JsonObject Resolve(JsonObject doc, JsonObject schema)
    {
        while (schema["$ref"] is JsonValue reference)
        {
            var name = reference.GetValue<string>().Split('/').Last();
            schema = doc["components"]!["schemas"]![name]!.AsObject();
        }

        return schema;
    }

    private static string Url(string path, IReadOnlyDictionary<string, string>? query, string? raw = null)
    {
        if (query is null || query.Count == 0)
        {
            return path;
        }

        return path + "?" + string.Join("&", query.Select(q => $"{q.Key}={(q.Key == raw ? q.Value : Uri.EscapeDataString(q.Value))}"));
    }

    private HostileCase Case(Operation op, Target target, string cls, string where, string url, string? body, string? contentType,
        string? method = null, byte[]? raw = null, bool anonymous = false, int[]? exactly = null) =>
        new(op, target, cls, where, url, body, contentType, method ?? op.Method, raw, anonymous, exactly);

    private string Overlong() => string.Concat(Enumerable.Repeat(Pick(Injection, "x", "长"), 100_000))[..100_000];

    private T Pick<T>(params T[] options) => options[_random.Next(options.Length)];

    private static string Short(string s) => s.Length <= 24 ? s.Replace("\u0000", "\\0") : s[..24] + "…";
}
