using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace TalentMatch.Hosting.Web;

/// <summary>The stored outcome of a create request sent with an <c>Idempotency-Key</c> header.</summary>
public sealed class IdempotencyRecord
{
    public required string Scope { get; set; }

    /// <summary>Who sent the key (<see cref="IdempotentRequest.CallerOf"/>): a key replays only its own caller's answer.</summary>
    public required string Caller { get; set; }

    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public int StatusCode { get; set; }
    public string? Location { get; set; }
    public required string ResponseBody { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// <c>Idempotency-Key</c> on POST: a client that retries a create with the same key gets the first answer again
/// instead of a duplicate. The key is stored in the same transaction as the created resource, so a crash cannot
/// leave one without the other; two concurrent requests with one key serialise on its primary key. Reusing a key
/// with a different body is a client error (422). Keys belong to the caller that sent them: another account sending
/// the same key gets its own create and learns nothing of the first (the stored answer holds personal data).
/// </summary>
public sealed class IdempotentRequest
{
    public const string Header = "Idempotency-Key";
    public const string Table = "idempotency_keys";
    private const int MaxKeyLength = 200;

    private IdempotentRequest(string scope, string caller, string key, string hash)
    {
        Scope = scope;
        Caller = caller;
        Key = key;
        Hash = hash;
    }

    public string Scope { get; }
    public string Caller { get; }
    public string Key { get; }
    public string Hash { get; }

    /// <summary>Reads the header; null when absent. An unusable key yields a 400 in <paramref name="problem"/>.</summary>
    public static IdempotentRequest? From<TBody>(HttpContext context, string scope, TBody body, out IResult? problem)
    {
        problem = null;
        if (!context.Request.Headers.TryGetValue(Header, out var values))
        {
            return null;
        }

        var key = values.ToString();
        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c < 0x21 || c > 0x7e))
        {
            problem = TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [Header] = [$"Use 1 to {MaxKeyLength} visible ASCII characters, e.g. a UUID."] },
                title: "Invalid Idempotency-Key header.");
            return null;
        }

        var hash = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body, ServiceDefaults.Json)));
        return new IdempotentRequest(scope, CallerOf(context.User), key, hash);
    }

    /// <summary>
    /// The account id (<c>sub</c>), and for a machine client's token (OAuth 2 <c>client_id</c>, RFC 9068) the client as
    /// well, so two clients acting for one account keep their keys apart.
    /// </summary>
    public static string CallerOf(System.Security.Claims.ClaimsPrincipal user)
    {
        var account = user.FindFirst(Auth.PlatformClaims.Subject)?.Value ?? "";
        return user.FindFirst(Auth.PlatformClaims.ClientId)?.Value is { Length: > 0 } client ? $"{account} {client}" : account;
    }

    /// <summary>The earlier answer for this key, a 422 if the key was used for another body, or null to go ahead.</summary>
    public async Task<IResult?> TryReplayAsync(DbContext db, CancellationToken ct)
    {
        var earlier = await db.Set<IdempotencyRecord>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.Scope == Scope && r.Caller == Caller && r.Key == Key, ct);
        if (earlier is null)
        {
            return null;
        }

        if (earlier.RequestHash != Hash)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "This Idempotency-Key was already used for a different request.",
                detail: "Use a new key for a new request.");
        }

        return new ReplayedResult(earlier);
    }

    /// <summary>Adds the answer to <paramref name="db"/>, to be saved with the created resource.</summary>
    public void Record<T>(DbContext db, int statusCode, string? location, T response) =>
        db.Set<IdempotencyRecord>().Add(ToRecord(statusCode, location, response));

    /// <summary>The answer to store with the created resource.</summary>
    public IdempotencyRecord ToRecord<T>(int statusCode, string? location, T response) => new()
    {
        Scope = Scope,
        Caller = Caller,
        Key = Key,
        RequestHash = Hash,
        StatusCode = statusCode,
        Location = location,
        ResponseBody = JsonSerializer.Serialize(response, ServiceDefaults.Json),
        CreatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Stores answers with hand-written SQL, inside the caller's transaction (for writes that bypass SaveChanges).</summary>
    public static async Task InsertAsync(NpgsqlConnection connection, IReadOnlyList<IdempotencyRecord> records, CancellationToken ct)
    {
        if (records.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Table} (scope, caller, key, request_hash, status_code, location, response_body, created_at)
            SELECT * FROM unnest(@scope, @caller, @key, @hash, @status, @location, @body::jsonb[], @created)
            """, connection);
        command.Parameters.AddWithValue("scope", records.Select(r => r.Scope).ToArray());
        command.Parameters.AddWithValue("caller", records.Select(r => r.Caller).ToArray());
        command.Parameters.AddWithValue("key", records.Select(r => r.Key).ToArray());
        command.Parameters.AddWithValue("hash", records.Select(r => r.RequestHash).ToArray());
        command.Parameters.AddWithValue("status", records.Select(r => r.StatusCode).ToArray());
        command.Parameters.AddWithValue("location", records.Select(r => r.Location).ToArray());
        command.Parameters.AddWithValue("body", records.Select(r => r.ResponseBody).ToArray());
        command.Parameters.AddWithValue("created", records.Select(r => r.CreatedAt).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>True when saving failed because a concurrent request with the same key committed first.</summary>
    public static bool IsDuplicateKey(DbUpdateException e) => e.InnerException is PostgresException p && IsDuplicateKey(p);

    /// <inheritdoc cref="IsDuplicateKey(DbUpdateException)"/>
    public static bool IsDuplicateKey(PostgresException e) => e is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: Table };

    private sealed class ReplayedResult(IdempotencyRecord record) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = record.StatusCode;
            httpContext.Response.Headers["Idempotent-Replayed"] = "true";
            if (record.Location is not null)
            {
                httpContext.Response.Headers.Location = record.Location;
            }

            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await httpContext.Response.WriteAsync(record.ResponseBody, Encoding.UTF8);
        }
    }
}

public static class IdempotencyModel
{
    public static ModelBuilder AddIdempotencyKeys(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable(IdempotentRequest.Table);
            e.HasKey(r => new { r.Scope, r.Caller, r.Key });
            e.Property(r => r.ResponseBody).HasColumnType("jsonb");
        });
        return modelBuilder;
    }

    public static void CreateIdempotencyKeysTable(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"""
            CREATE TABLE {IdempotentRequest.Table} (
                scope text NOT NULL,
                key text NOT NULL,
                request_hash text NOT NULL,
                status_code integer NOT NULL,
                location text NULL,
                response_body jsonb NOT NULL,
                created_at timestamptz NOT NULL,
                CONSTRAINT pk_idempotency_keys PRIMARY KEY (scope, key)
            );
            """);

    /// <summary>
    /// Scopes stored answers to their caller. Answers stored before this had no caller: they are dropped rather than
    /// guessed at (a retry after the upgrade creates once more).
    /// </summary>
    public static void ScopeIdempotencyKeysToCaller(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"""
            DELETE FROM {IdempotentRequest.Table};
            ALTER TABLE {IdempotentRequest.Table} ADD COLUMN caller text NOT NULL;
            ALTER TABLE {IdempotentRequest.Table} DROP CONSTRAINT pk_idempotency_keys;
            ALTER TABLE {IdempotentRequest.Table} ADD CONSTRAINT pk_idempotency_keys PRIMARY KEY (scope, caller, key);
            """);
}

/// <summary>A created resource: where it lives, what the client gets back, and its version (the ETag).</summary>
public sealed record CreatedResource<TResponse>(string Location, TResponse Response, long Version);

public static class VersionedWrites
{
    /// <summary>
    /// Creates a resource, honouring <c>Idempotency-Key</c>: an earlier answer for the key is replayed; otherwise
    /// <paramref name="create"/> adds the entity and its events to <paramref name="db"/>, and the answer is stored in
    /// the same SaveChanges. A concurrent request that committed the same key first is answered as it was.
    /// </summary>
    public static async Task<IResult> CreateIdempotentlyAsync<TBody, TResponse>(
        this DbContext db, HttpContext http, string scope, TBody body,
        Func<CancellationToken, Task<CreatedResource<TResponse>>> create, CancellationToken ct)
    {
        var idempotent = IdempotentRequest.From(http, scope, body, out var badKey);
        if (badKey is not null)
        {
            return badKey;
        }

        if (idempotent is not null && await idempotent.TryReplayAsync(db, ct) is { } replay)
        {
            return replay;
        }

        CreatedResource<TResponse> created;
        var autoTransactions = db.Database.AutoTransactionBehavior;
        try
        {
            // A create only adds entities, so EF need not scan them for changes, nor snapshot them as unchanged
            // afterwards: the context is discarded with the request.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            created = await create(ct);
            idempotent?.Record(db, StatusCodes.Status201Created, created.Location, created.Response);
            // The few new rows (resource, outbox event, idempotency record) go to PostgreSQL as one batch of statements
            // with a single Sync, which it runs as one implicit transaction: atomic without EF's BEGIN/COMMIT and the
            // extra round trip the COMMIT costs.
            if (db.Database.CurrentTransaction is null && db.ChangeTracker.Entries().Count() <= 10)
            {
                db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
            }

            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, ct);
        }
        catch (DbUpdateException e) when (idempotent is not null && IdempotentRequest.IsDuplicateKey(e))
        {
            return (await idempotent.TryReplayAsync(db, ct))!;
        }
        finally
        {
            db.ChangeTracker.Clear();
            db.ChangeTracker.AutoDetectChangesEnabled = true;
            db.Database.AutoTransactionBehavior = autoTransactions;
        }

        ETags.Set(http, created.Version);
        return TypedResults.Created(created.Location, created.Response);
    }

    /// <summary>
    /// Saves a change to a versioned resource; a concurrent writer that committed first turns it into 412, the same
    /// answer a stale If-Match gets, so the client reads again and retries.
    /// </summary>
    public static async Task<IResult> SaveVersionedAsync<TResponse>(this DbContext db, HttpContext http, long version, Func<TResponse> response, string what, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed,
                title: $"The {what} was changed by another request; read it again and retry.");
        }

        ETags.Set(http, version);
        return TypedResults.Ok(response());
    }
}
