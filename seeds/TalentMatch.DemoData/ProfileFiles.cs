using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TalentMatch.Seeds;

namespace TalentMatch.DemoData;

/// <summary>
/// Synthetic profiles as bulk-import files (the formats <c>POST /api/profiles/import</c> reads), and the client side of
/// that import. The benchmark links this file, so both write exactly the same rows for a given seed.
/// </summary>
public static class ProfileFiles
{
    public static readonly string[] CsvColumns =
    [
        "fullName", "email", "phone", "orcid", "degrees", "currentInstitution", "currentTitle", "careerStage",
        "researchFields", "skills", "yearsOfExperience", "publicationsCount", "hIndex", "grantsLed", "honours",
        "languages", "preferredCities", "employmentModes", "earliestStartDate", "consentToMatching",
    ];

    /// <summary>Writes one profile request per line (JSON Lines); returns the number written.</summary>
    public static int WriteNdjson(IEnumerable<SyntheticProfile> profiles, TextWriter writer)
    {
        var n = 0;
        foreach (var p in profiles)
        {
            writer.Write(ApiPayloads.Profile(p).ToJsonString());
            writer.Write('\n');
            n++;
        }

        return n;
    }

    /// <summary>Writes a header row and one row per profile (lists separated by ';', degrees level|field|institution|year).</summary>
    public static int WriteCsv(IEnumerable<SyntheticProfile> profiles, TextWriter writer)
    {
        writer.Write(string.Join(',', CsvColumns));
        writer.Write('\n');
        var n = 0;
        foreach (var p in profiles)
        {
            var body = ApiPayloads.Profile(p);
            var cells = CsvColumns.Select(c => Cell(c, body[c]));
            writer.Write(string.Join(',', cells));
            writer.Write('\n');
            n++;
        }

        return n;
    }

    private static string Cell(string column, JsonNode? value) => Escape(value switch
    {
        null => null,
        JsonArray items when column == "degrees" => string.Join(';', items.Select(d =>
            $"{d!["level"]}|{d["field"]}|{d["institution"]}|{d["year"]}")),
        JsonArray items when column == "honours" => string.Join(';', items.Select(h => $"{h!["tier"]}|{h["programme"]}|{h["year"]}")),
        JsonArray items => string.Join(';', items.Select(i => i!.GetValue<string>())),
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        JsonValue v => v.ToString(),
        _ => value.ToJsonString(),
    });

    private static string Escape(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    /// <summary>
    /// Streams a file to <c>POST /api/profiles/import</c> and hands every progress line to <paramref name="onLine"/> as it
    /// arrives; returns the final summary line.
    /// </summary>
    public static async Task<JsonNode> BulkImportAsync(HttpClient client, string path, Action<JsonNode> onLine, CancellationToken ct = default)
    {
        var contentType = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : "application/x-ndjson";
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles/import") { Content = content };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Import refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct), Encoding.UTF8);
        JsonNode? last = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            last = JsonNode.Parse(line)!;
            onLine(last);
        }

        return last ?? throw new InvalidOperationException("The import answered nothing.");
    }
}
