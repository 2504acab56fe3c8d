using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using TalentMatch.Seeds;
using TalentMatch.Testing;
using Xunit.Abstractions;

namespace TalentMatch.FaultTests;

/// <summary>
/// Malformed, oversized, wrongly typed and injection-shaped requests against every endpoint of every service, the
/// endpoint list read from each service's own OpenAPI document (so a new endpoint is covered automatically, and the
/// test fails if one gets no hostile case). Every request must be answered 4xx with problem details, none 5xx, and no
/// table of any service may change.
/// </summary>
public sealed class HostileInputTests(Platform platform, ITestOutputHelper output) : IClassFixture<Platform>
{

    [Fact]
    public async Task Every_endpoint_answers_hostile_input_with_4xx_problem_details_and_nothing_changes()
    {
        var services = new[] { platform.Profiles, platform.Positions, platform.Matching };
        foreach (var s in services)
        {
            await Eventually.True(async () => (await s.Client.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), $"{s.Name} ready");
        }

        // Real data to aim at: one position and one profile, applied by matching, before the snapshot.
        var validProfile = ApiPayloads.Profile(new ProfileGenerator(3).Generate(1).Single());
        var validPosition = ApiPayloads.Position(SeedPositions.Load().Open.First());
        var positionId = await Create(platform.Positions.Client, "/api/positions", validPosition);
        var profileId = await Create(platform.Profiles.Client, "/api/profiles", validProfile);
        await Eventually.True(async () => (await platform.Matching.Client.GetAsync($"/api/positions/{positionId}/candidates")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), "the position to reach matching");
        await Eventually.True(async () => await Pending("Profiles") == 0 && await Pending("Positions") == 0, TimeSpan.FromSeconds(60), "outboxes to drain");
        await Task.Delay(1000);
        var before = await SnapshotAsync();

        // Reviews and outcomes are aimed at a match id that does not exist: a valid body there could change data.
        var existing = new Dictionary<string, Guid>
        {
            ["/api/profiles"] = profileId, ["/api/positions"] = positionId, ["/api/reviews"] = Guid.NewGuid(), ["/api/matches"] = Guid.NewGuid(),
        };
        var bodies = new Dictionary<string, JsonObject>
        {
            ["/api/profiles"] = validProfile,
            ["/api/positions"] = validPosition,
            ["/api/reviews"] = new() { ["decision"] = "reject", ["reason"] = "location", ["reviewer"] = "ambassador-1" },
            ["/api/matches"] = new() { ["outcome"] = "interviewed", ["recordedBy"] = "hr-1" },
        };
        var cases = new List<HostileCase>();
        var perEndpoint = new Dictionary<string, int>();
        foreach (var service in services)
        {
            var doc = JsonNode.Parse(await service.Client.GetStringAsync("/openapi/v1.json"))!.AsObject();
            foreach (var (path, operations) in doc["paths"]!.AsObject())
            {
                foreach (var (method, operation) in operations!.AsObject())
                {
                    var endpoint = $"{service.Name} {method.ToUpperInvariant()} {path}";
                    var generated = HostileCases.For(service, method.ToUpperInvariant(), path, operation!.AsObject(), doc, existing, bodies).ToList();
                    perEndpoint[endpoint] = generated.Count;
                    cases.AddRange(generated);
                }
            }
        }

        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            using var request = c.Build();
            HttpResponseMessage response;
            try
            {
                response = await c.Service.Client.SendAsync(request, ct);
            }
            catch (HttpRequestException e)
            {
                lock (statuses)
                {
                    failures.Add($"{c}: no answer ({e.Message} {e.InnerException?.Message})");
                }

                return;
            }

            using var _ = response;
            var status = (int)response.StatusCode;
            var contentType = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsStringAsync(ct);
            lock (statuses)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status is < 400 or >= 500)
                {
                    failures.Add($"{c}: {status} {Truncate(body)}");
                }
                else if (contentType != "application/problem+json" || !IsProblem(body, status))
                {
                    failures.Add($"{c}: {status} without problem details ({contentType}) {Truncate(body)}");
                }
            }
        });

        await Task.Delay(1500); // anything wrongly accepted would have reached the outbox, relay and matching by now
        var after = await SnapshotAsync();
        output.WriteLine($"{cases.Count} hostile requests over {perEndpoint.Count} endpoints; statuses: " +
                         string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
        foreach (var (endpoint, count) in perEndpoint.OrderBy(e => e.Key))
        {
            output.WriteLine($"  {count,4}  {endpoint}");
        }

        foreach (var f in failures.Take(40))
        {
            output.WriteLine("FAIL " + f);
        }

        Assert.Empty(perEndpoint.Where(e => e.Value == 0).Select(e => $"no hostile cases for {e.Key}"));
        Assert.True(cases.Count >= 300, $"only {cases.Count} hostile cases");
        Assert.Empty(failures);
        Assert.Equal(before, after);
    }

    private async Task<Guid> Create(HttpClient client, string path, JsonObject body)
    {
        var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
    }

    private async Task<long> Pending(string service)
    {
        await using var connection = new NpgsqlConnection(platform.ConnectionString(service));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Row count and an order-independent checksum of every table of every service's database.</summary>
    private async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        foreach (var service in new[] { "Profiles", "Positions", "Matching" })
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

            foreach (var table in tables)
            {
                await using var command = new NpgsqlCommand(
                    $"SELECT count(*) || ' ' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '-') FROM \"{table}\" t", connection);
                lines.Add($"{service}.{table}: {await command.ExecuteScalarAsync()}");
            }
        }

        return string.Join('\n', lines);
    }

    private static bool IsProblem(string body, int status)
    {
        try
        {
            var json = JsonNode.Parse(body)!.AsObject();
            return json["status"]?.GetValue<int>() == status && json["title"] is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Truncate(string s) => s.Length <= 300 ? s : s[..300] + "…";
}

public sealed record HostileCase(ServiceProcess Service, string Method, string Url, string What, string? Body = null, string ContentType = "application/json", byte[]? RawBody = null)
{
    public HttpRequestMessage Build()
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), Url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (RawBody is not null)
        {
            // As a well-behaved client sends a large body: the server can refuse it (413) before it is transmitted.
            request.Headers.ExpectContinue = true;
            request.Content = new ByteArrayContent(RawBody);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        }
        else if (Body is not null)
        {
            request.Content = new StringContent(Body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        }

        return request;
    }

    public override string ToString() => $"{Service.Name} {Method} {(Url.Length > 120 ? Url[..120] + "…" : Url)} [{What}]";
}

/// <summary>Generates hostile requests for one OpenAPI operation.</summary>
internal static class HostileCases
{
    private const string Injection = "'; DROP TABLE profiles; -- <script>alert(1)</script> ${jndi:ldap://x/a} {{7*7}} ../../etc/passwd ";

    private static readonly string[] BadIds =
    [
        // (%00 in the path is refused by Kestrel itself, 400 before any middleware runs, so it is not an endpoint case.)
        "not-a-guid", "1%20OR%201%3D1", "'%3B%20DROP%20TABLE%20profiles%3B--", "..%2F..%2Fetc%2Fpasswd", "%01",
        "12345678-1234-1234-1234-1234567890123", new string('a', 3000), "%3Cscript%3E", "-1", "00000000-0000-0000-0000-000000000000",
    ];

    private static readonly string[] BadIntegers = ["abc", "-1", "0", "99999999999999999999", "1.5", "1e3", "%27%20OR%20%271%27%3D%271", "NaN", "0x10", "%00"];

    public static IEnumerable<HostileCase> For(ServiceProcess service, string method, string path, JsonObject operation, JsonObject doc,
        IReadOnlyDictionary<string, Guid> existing, IReadOnlyDictionary<string, JsonObject> bodies)
    {
        var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        var hasBody = operation["requestBody"] is not null;
        var collection = existing.Keys.FirstOrDefault(k => path.StartsWith(k + "/", StringComparison.Ordinal) || path == k);
        var pathParams = parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!).ToList();
        var queryParams = parameters.Where(p => (string?)p["in"] == "query").Select(p => ((string)p["name"]!, Types(doc, Resolve(doc, p["schema"]!.AsObject())), (string?)p["schema"]?["format"])).ToList();

        // A path to a real resource (where the path has ids) — only used where the body or query is what is hostile.
        string Fill(string id) => pathParams.Aggregate(path, (p, name) => p.Replace("{" + name + "}", id));
        var realPath = collection is not null && existing.TryGetValue(collection, out var real) ? Fill(real.ToString()) : Fill(Guid.NewGuid().ToString());

        // 1. Path parameters: malformed, injection-shaped and unknown ids (never a real one, so body-less actions
        //    such as withdraw/close cannot succeed).
        foreach (var id in pathParams.Count > 0 ? BadIds.Append(Guid.NewGuid().ToString()) : [])
        {
            yield return new HostileCase(service, method, Fill(id), $"path id {Short(id)}",
                hasBody && bodies.TryGetValue(collection ?? "", out var b) ? b.ToJsonString() : null);
        }

        // 2. Query parameters: wrong types, out of range, injection-shaped.
        //    A free-text filter has no wrong value except one PostgreSQL cannot store or compare (NUL): an injection-shaped
        //    city is a legitimate search that finds nothing, so it is not sent as a hostile case.
        foreach (var (name, types, format) in queryParams)
        {
            var values = types.Contains("integer") || types.Contains("number") ? BadIntegers
                : format == "uuid" ? ["not-a-guid", "%27%20OR%20%271%27%3D%271", "-1", "%00"]
                : types.Contains("enum") ? ["not-a-value", "%27%20OR%20%271%27%3D%271", "%00"]
                : ["%00", "a%00b"];
            foreach (var value in values)
            {
                yield return new HostileCase(service, method, $"{realPath}?{name}={value}", $"query {name}={value}");
            }
        }

        // 3. Any operation: a declared body over the size limit (413), and the wrong method on its path (405).
        yield return new HostileCase(service, method, realPath, "oversized body", RawBody: Encoding.UTF8.GetBytes("{\"x\":\"" + new string('x', 300 * 1024) + "\"}"));
        // A method the path does not have (DELETE is a real one on some paths, e.g. erasing a profile).
        var methods = doc["paths"]![path]!.AsObject().Select(m => m.Key.ToUpperInvariant()).ToHashSet();
        var wrongMethod = new[] { "DELETE", "PATCH" }.First(m => !methods.Contains(m));
        yield return new HostileCase(service, wrongMethod, realPath, $"{wrongMethod} instead of {method}", "{}");

        if (!hasBody)
        {
            yield break;
        }

        if (collection is null || !bodies.TryGetValue(collection, out var valid))
        {
            throw new InvalidOperationException($"No valid base body known for {method} {path}; add one to the hostile-input test.");
        }

        // 4. Malformed bodies and wrong content types.
        string[] malformed = ["", "{", "{\"fullName\": }", "not json", "[]", "null", "\"text\"", "123", "{\"a\":1,}", "\u0000\u0001",
            new string('[', 5000) + new string(']', 5000), string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000)];
        foreach (var body in malformed)
        {
            yield return new HostileCase(service, method, realPath, $"malformed body {Short(body)}", body);
        }

        foreach (var type in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x" })
        {
            yield return new HostileCase(service, method, realPath, $"content type {type}", valid.ToJsonString(), type);
        }

        yield return new HostileCase(service, method, realPath, "unknown member", With(valid, "isAdmin", true));
        yield return new HostileCase(service, method, realPath, "unknown injection member", With(valid, Injection, Injection));

        // 5. Every property of the request schema: wrong types, out-of-range values, overlong injection-shaped strings.
        // (A body that is not an object, e.g. an array for a bulk import, gets the generic cases above only.)
        var content = operation["requestBody"]!["content"]?.AsObject();
        var schema = content?["application/json"]?["schema"] is JsonObject s ? Resolve(doc, s) : new JsonObject();
        foreach (var (name, propertySchema) in schema["properties"]?.AsObject() ?? new JsonObject())
        {
            var property = Resolve(doc, propertySchema!.AsObject());
            var types = Types(doc, property);
            foreach (var (what, value) in WrongValues(types, property, doc))
            {
                yield return new HostileCase(service, method, realPath, $"{name}: {what}", With(valid, name, value));
            }
        }
    }

    private static IEnumerable<(string What, JsonNode? Value)> WrongValues(HashSet<string> types, JsonObject property, JsonObject doc)
    {
        // 100,000 characters: longer than any field may sensibly be, still well inside the 256 KiB body limit.
        var overlong = string.Concat(Enumerable.Repeat(Injection, 100_000 / Injection.Length + 1))[..100_000];
        if (types.Contains("array"))
        {
            yield return ("string instead of array", "text");
            yield return ("object instead of array", new JsonObject { ["a"] = 1 });
            yield return ("numbers in array", new JsonArray(1, 2));
            yield return ("nested arrays", new JsonArray(new JsonArray("a")));
            yield return ("overlong injection entry", new JsonArray(overlong));
            yield return ("blank entry", new JsonArray(""));
            yield return ("10,000 entries", new JsonArray(Enumerable.Range(0, 10_000).Select(i => (JsonNode)JsonValue.Create("x" + i)!).ToArray()));
        }
        else if (types.Contains("boolean"))
        {
            yield return ("string instead of boolean", "yes");
            yield return ("number instead of boolean", 1);
            yield return ("array instead of boolean", new JsonArray(true));
        }
        else if (types.Contains("integer") || types.Contains("number"))
        {
            yield return ("text instead of number", "abc");
            yield return ("negative", -1);
            yield return ("huge", JsonNode.Parse("1e400"));
            yield return ("beyond int64", JsonNode.Parse("99999999999999999999999"));
            yield return ("boolean instead of number", true);
            yield return ("object instead of number", new JsonObject());
            yield return ("injection instead of number", Injection);
        }
        else if (property["enum"] is not null || types.Contains("enum"))
        {
            yield return ("unknown enum value", "not-a-value");
            yield return ("integer instead of enum name", 3);
            yield return ("injection instead of enum", Injection);
            yield return ("array instead of enum", new JsonArray("a"));
        }
        else if (types.Contains("string"))
        {
            yield return ("number instead of string", 12345);
            yield return ("object instead of string", new JsonObject { ["$ne"] = "" });
            yield return ("array instead of string", new JsonArray("a"));
            yield return ("overlong injection string", overlong);
            if ((string?)property["format"] is "uuid" or "date" or "date-time")
            {
                yield return ($"injection instead of {property["format"]}", Injection);
            }
        }
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
        // Numbers are typed ["integer","string"] with a pattern in .NET's documents: a number, not free text.
        if (result.Contains("integer") || result.Contains("number"))
        {
            result.Remove("string");
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

    private static string With(JsonObject valid, string name, JsonNode? value)
    {
        var copy = valid.DeepClone().AsObject();
        copy[name] = value?.DeepClone();
        return copy.ToJsonString();
    }

    private static string Short(string s) => s.Length <= 24 ? s.Replace("\u0000", "\\0") : s[..24] + "…";
}
