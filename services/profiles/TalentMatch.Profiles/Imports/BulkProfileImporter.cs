using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Profiles.Imports;

public sealed class BulkImportOptions
{
    /// <summary>Rows written per transaction (profile rows and their outbox rows together).</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>Per-line errors listed in the summary; the counts always cover every line.</summary>
    public int MaxListedErrors { get; set; } = 1000;

    /// <summary>Longest line accepted, in characters.</summary>
    public int MaxLineChars { get; set; } = 64 * 1024;
}

/// <summary>
/// Streams a CSV or JSON Lines body into the profiles table. Each line is parsed and validated with the same validator
/// as <c>POST /api/profiles</c> and turned into a profile by the same <see cref="ProfilesApi.Apply"/>; valid rows are
/// written in batches, each batch in one transaction holding the profile rows and their <see cref="ProfileRegistered"/>
/// outbox rows (binary COPY), so a row is stored with its event or not at all. Parsing the next batch overlaps with
/// writing the previous one. The response is JSON Lines: a progress line per committed batch and a final summary.
/// <para>Why not the group commit: the rows are one caller's, validated before batching and given fresh ids, so no row
/// can fail a batch on its own; a batch that fails (database gone) ends the import, and the summary says how far it got.</para>
/// </summary>
public sealed partial class BulkProfileImporter(
    ProfilesDbContext db,
    IValidator<ProfileRequest> validator,
    IOptions<JsonOptions> json,
    IOptions<BulkImportOptions> options,
    OutboxSignal outboxSignal,
    ILogger<BulkProfileImporter> logger)
{
    private static readonly JsonSerializerOptions ResponseJson = new(JsonSerializerDefaults.Web);

    public async Task RunAsync(HttpContext http, CancellationToken ct)
    {
        var format = FormatOf(http.Request.ContentType);
        if (format is null)
        {
            await Problem(http, StatusCodes.Status415UnsupportedMediaType, "Unsupported content type.",
                new() { ["Content-Type"] = ["Send text/csv or application/x-ndjson (UTF-8)."] });
            return;
        }

        var reader = new LineReader(http.Request.Body, options.Value.MaxLineChars);
        ProfileCsv? csv = null;
        if (format == "csv")
        {
            string? header;
            bool tooLong;
            try
            {
                (header, tooLong) = await reader.ReadLineAsync(ct);
            }
            catch (DecoderFallbackException)
            {
                // The first block is decoded with the header: invalid UTF-8 there stops the import before it starts.
                await Problem(http, 400, "The body is not valid UTF-8; nothing was imported.", new() { ["body"] = ["Send the CSV encoded as UTF-8."] });
                return;
            }

            if (header is null || tooLong)
            {
                await Problem(http, 400, "The CSV has no header row.", new() { ["line 1"] = ["The first line must name the columns: " + string.Join(",", ProfileCsv.Columns) + "."] });
                return;
            }

            csv = ProfileCsv.FromHeader(header, out var headerErrors);
            if (csv is null)
            {
                await Problem(http, 400, "The CSV header is invalid; nothing was imported.", new() { ["line 1"] = [.. headerErrors] });
                return;
            }
        }

        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/x-ndjson; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.StartAsync(ct);

        var importId = Guid.NewGuid().ToString("N")[..12];
        LogStarted(logger, importId, format);
        var watch = Stopwatch.StartNew();
        var state = new ImportState(options.Value.MaxListedErrors);
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var writer = WriteBatchesAsync(batches, state, http, importId, ct);
        string? fatal = null;
        try
        {
            fatal = await ReadRowsAsync(reader, csv, state, batches.Writer, ct);
        }
        catch (ChannelClosedException)
        {
            // The writer failed and closed the channel; its exception is reported below.
        }
        finally
        {
            batches.Writer.TryComplete();
        }

        try
        {
            await writer;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whatever stopped the writer, the answer still ends with a summary saying what was stored.
            LogFailed(logger, e, importId);
            fatal = "Storing a batch failed; rows counted as imported in the last progress line are stored, later rows are not. Re-send the lines after that point.";
        }

        var summary = new
        {
            done = fatal is null,
            processed = state.Processed,
            imported = state.Imported,
            rejected = state.Rejected,
            elapsedMs = watch.ElapsedMilliseconds,
            error = fatal,
            errors = state.Errors,
            errorsTruncated = state.Rejected > state.Errors.Count,
        };
        LogFinished(logger, importId, state.Processed, state.Imported, state.Rejected, watch.ElapsedMilliseconds);
        await WriteLineAsync(http, summary, CancellationToken.None);
    }

    /// <summary>Reads, parses and validates every line; returns an error that stopped reading (bad encoding), if any.</summary>
    private async Task<string?> ReadRowsAsync(LineReader reader, ProfileCsv? csv, ImportState state, ChannelWriter<Batch> output, CancellationToken ct)
    {
        var jsonOptions = json.Value.SerializerOptions;
        var fields = new List<string?>();
        var batch = new Batch(options.Value.BatchSize);
        while (true)
        {
            string? line;
            bool tooLong;
            try
            {
                (line, tooLong) = await reader.ReadLineAsync(ct);
            }
            catch (DecoderFallbackException)
            {
                var at = reader.LineNumber + 1;
                state.Reject(at, new() { ["row"] = ["The body is not valid UTF-8 here; the import stopped at this line."] });
                await FlushAsync();
                return $"The body is not valid UTF-8 at line {at}; lines after it were not read.";
            }

            if (line is null)
            {
                break;
            }

            if (!tooLong && string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            state.Processed++;
            var errors = new Dictionary<string, string[]>();
            ProfileRequest? request = null;
            if (tooLong)
            {
                errors["row"] = [$"The line is longer than {options.Value.MaxLineChars} characters."];
            }
            else if (csv is not null)
            {
                // The JSON lines get these rules from the serializer; a CSV cell is checked here.
                if (TextRules.Problem(line) is { } textProblem)
                {
                    errors["row"] = [textProblem];
                }
                else
                {
                    request = csv.Parse(line, fields, errors);
                }
            }
            else
            {
                try
                {
                    request = JsonSerializer.Deserialize<ProfileRequest>(line, jsonOptions);
                    if (request is null)
                    {
                        errors["row"] = ["Each line must be a JSON object."];
                    }
                }
                catch (JsonException e)
                {
                    var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "row" : e.Path.TrimStart('$', '.');
                    errors[path] = [e.Message.Split(" Path:", 2)[0]];
                }
            }

            if (request is not null && NullEntries.Find(request) is { } nullEntry)
            {
                errors[nullEntry] = NullEntries.Errors(nullEntry)[nullEntry];
            }
            else if (request is not null)
            {
                var result = validator.Validate(request);
                foreach (var (field, messages) in result.ToDictionary())
                {
                    errors.TryAdd(field, messages);
                }
            }

            if (errors.Count > 0 || request is null)
            {
                state.Reject(reader.LineNumber, errors);
            }
            else
            {
                batch.Requests.Add(request);
            }

            if (batch.Requests.Count >= options.Value.BatchSize)
            {
                await FlushAsync();
            }
        }

        await FlushAsync();
        return null;

        async Task FlushAsync()
        {
            batch.ProcessedUpTo = state.Processed;
            batch.RejectedUpTo = state.Rejected;
            await output.WriteAsync(batch, ct);
            batch = new Batch(options.Value.BatchSize);
        }
    }

    private async Task WriteBatchesAsync(Channel<Batch> channel, ImportState state, HttpContext http, string importId, CancellationToken ct)
    {
        await Task.Yield();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        try
        {
            await db.Database.OpenConnectionAsync(ct);
            await foreach (var batch in channel.Reader.ReadAllAsync(ct))
            {
                if (batch.Requests.Count > 0)
                {
                    await WriteAsync(connection, batch.Requests, ct);
                    state.Imported += batch.Requests.Count;
                }

                var progress = new { processed = batch.ProcessedUpTo, imported = state.Imported, rejected = batch.RejectedUpTo };
                LogProgress(logger, importId, progress.processed, progress.imported, progress.rejected);
                await WriteLineAsync(http, progress, ct);
            }
        }
        catch
        {
            // Stop the reader: nothing more can be stored.
            channel.Writer.TryComplete();
            throw;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>One transaction: the profile rows and their outbox rows, both by binary COPY.</summary>
    private async Task WriteAsync(NpgsqlConnection connection, List<ProfileRequest> requests, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var profiles = new List<Profile>(requests.Count);
        foreach (var request in requests)
        {
            var profile = new Profile { Id = Guid.CreateVersion7(), Version = 1, FullName = "", Email = "", CreatedAt = now };
            ProfilesApi.Apply(profile, request, now);
            profiles.Add(profile);
        }

        var events = profiles.Select(p => TracedEvent.Current(new ProfileRegistered(Guid.NewGuid(), now, p.Id, p.Version, p.ToMatchingView()))).ToList();
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ProfileRows.CopyAsync(connection, profiles, ct);
        await Outbox.CopyAsync(connection, outboxSignal, events, ct);
        await transaction.CommitAsync(ct);
        await Outbox.CommittedAsync(outboxSignal, events, ct);
    }

    internal static string? FormatOf(string? contentType)
    {
        if (contentType is null || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return null;
        }

        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return media.MediaType.Value?.ToLowerInvariant() switch
        {
            "text/csv" => "csv",
            "application/x-ndjson" or "application/jsonl" or "application/x-jsonlines" or "application/jsonlines" => "ndjson",
            _ => null,
        };
    }

    private static async Task WriteLineAsync(HttpContext http, object line, CancellationToken ct)
    {
        try
        {
            await http.Response.WriteAsync(JsonSerializer.Serialize(line, ResponseJson) + "\n", ct);
            await http.Response.Body.FlushAsync(ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the import still finishes what it has read.
        }
    }

    private static async Task Problem(HttpContext http, int status, string title, Dictionary<string, string[]> errors)
    {
        await Results.ValidationProblem(errors, title: title, statusCode: status).ExecuteAsync(http);
    }

    private sealed class Batch(int capacity)
    {
        public List<ProfileRequest> Requests { get; } = new(capacity);
        public long ProcessedUpTo { get; set; }
        public long RejectedUpTo { get; set; }
    }

    private sealed class ImportState(int maxListed)
    {
        public long Processed { get; set; }
        public long Imported { get; set; }
        public long Rejected { get; private set; }
        public List<RowError> Errors { get; } = [];

        public void Reject(int line, Dictionary<string, string[]> errors)
        {
            Rejected++;
            if (Errors.Count < maxListed)
            {
                Errors.Add(new RowError(line, errors));
            }
        }
    }

    private sealed record RowError(int Line, Dictionary<string, string[]> Errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk import {ImportId} ({Format}) started")]
    private static partial void LogStarted(ILogger logger, string importId, string format);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk import {ImportId}: {Processed} processed, {Imported} imported, {Rejected} rejected")]
    private static partial void LogProgress(ILogger logger, string importId, long processed, long imported, long rejected);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk import {ImportId} finished: {Processed} processed, {Imported} imported, {Rejected} rejected in {ElapsedMs} ms")]
    private static partial void LogFinished(ILogger logger, string importId, long processed, long imported, long rejected, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bulk import {ImportId}: storing a batch failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string importId);
}
