using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

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
    /// <summary>
    /// Streams a CSV or JSON Lines file to <c>POST /api/profiles/import</c> and returns the summary line.
    /// <paramref name="onSent"/> gets (bytes sent, file length) as the upload goes: the service reads the body only as
    /// fast as it stores rows, so this is the import's progress. (HttpClient over HTTP/1.1 reads no response before the
    /// body is sent, so the service's own NDJSON progress lines, which curl -N shows live, arrive here at the end.)
    /// </summary>
    public static async Task<JsonNode> BulkImportAsync(HttpClient client, string path, Action<long, long> onSent, CancellationToken ct = default)
    {
        var contentType = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : "application/x-ndjson";
        await using var file = new ProgressStream(File.OpenRead(path), onSent);
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
            if (line.Length > 0)
            {
                last = JsonNode.Parse(line)!;
            }
        }

        return last ?? throw new InvalidOperationException("The import answered nothing.");
    }

    /// <summary>A read-only file stream that reports how far it has been read.</summary>
    private sealed class ProgressStream(FileStream inner, Action<long, long> onRead) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Report(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            Report(await inner.ReadAsync(buffer, ct));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Report(int read)
        {
            onRead(inner.Position, inner.Length);
            return read;
        }
    }
}
