using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TalentMatch.Contracts.Identity;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Hosting.Auth;

/// <summary>An account whose tokens issued up to <see cref="RevokedAt"/> are no longer accepted.</summary>
public sealed class RevokedToken
{
    public required string AccountId { get; set; }
    public DateTimeOffset RevokedAt { get; set; }

    /// <summary>When this service stored the row (the refresh of other instances reads rows by it).</summary>
    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>
/// The revocation list every request's token is checked against, in memory. Tokens are self-contained (HMAC JWTs),
/// so without it a deleted account's token would keep working until it expires. The list is filled from the
/// service's <c>revoked_tokens</c> table at start-up, by <see cref="AccountDeleted"/> events, and by a short refresh
/// of the table (another instance of the service may have consumed the event).
/// </summary>
public sealed class TokenRevocations
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);

    /// <summary>True when the account's tokens issued at or before its revocation time are revoked (iat has whole seconds).</summary>
    public bool IsRevoked(string subject, DateTime issuedAtUtc) =>
        !_revoked.IsEmpty && _revoked.TryGetValue(subject, out var at) && issuedAtUtc <= at.UtcDateTime;

    public void Add(string subject, DateTimeOffset revokedAt) =>
        _revoked.AddOrUpdate(subject, revokedAt, (_, earlier) => earlier > revokedAt ? earlier : revokedAt);

    /// <summary>Forgets revocations older than <paramref name="cutoff"/>: every token they covered has expired.</summary>
    public void Prune(DateTimeOffset cutoff)
    {
        foreach (var (subject, at) in _revoked)
        {
            if (at < cutoff)
            {
                _revoked.TryRemove(new KeyValuePair<string, DateTimeOffset>(subject, at));
            }
        }
    }
}

public static class TokenRevocationStore
{
    public const string Table = "revoked_tokens";

    public static ModelBuilder AddTokenRevocations(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RevokedToken>(e =>
        {
            e.ToTable(Table);
            e.HasKey(r => r.AccountId);
            e.Property(r => r.AccountId).HasMaxLength(100);
            e.HasIndex(r => r.RecordedAt);
        });
        return modelBuilder;
    }

    public static void CreateRevokedTokensTable(this MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql($"""
            CREATE TABLE {Table} (
                account_id character varying(100) NOT NULL,
                revoked_at timestamp with time zone NOT NULL,
                recorded_at timestamp with time zone NOT NULL,
                CONSTRAINT pk_revoked_tokens PRIMARY KEY (account_id)
            );
            CREATE INDEX ix_revoked_tokens_recorded_at ON {Table} (recorded_at);
            """);

    /// <summary>Stores a revocation (idempotent: a redelivered event changes nothing), in the caller's transaction if any.</summary>
    public static Task RecordAsync(DbContext db, string accountId, DateTimeOffset revokedAt, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO revoked_tokens (account_id, revoked_at, recorded_at) VALUES ({accountId}, {revokedAt}, now())
            ON CONFLICT (account_id) DO UPDATE SET revoked_at = GREATEST(revoked_tokens.revoked_at, EXCLUDED.revoked_at), recorded_at = now()
            """, ct);

    /// <summary>
    /// Every service learns of deleted accounts from the broker, on a queue of its own (named after the service, so
    /// the services do not compete for one queue), and checks tokens against the list.
    /// </summary>
    internal static void AddTokenRevocationConsumer<TContext>(this IBusRegistrationConfigurator bus, string serviceName) where TContext : DbContext =>
        bus.AddConsumer<TokenRevocationConsumer<TContext>, TokenRevocationConsumerDefinition<TContext>>()
            .Endpoint(e => e.Name = $"{serviceName}-token-revocations");
}

/// <summary>Records a deleted account's revocation in this service's table and its in-memory list.</summary>
public sealed class TokenRevocationConsumer<TContext>(TContext db, TokenRevocations revocations) : IConsumer<AccountDeleted>
    where TContext : DbContext
{
    public async Task Consume(ConsumeContext<AccountDeleted> context)
    {
        var m = context.Message;
        await TokenRevocationStore.RecordAsync(db, m.AggregateId.ToString(), m.OccurredAt, context.CancellationToken);
        revocations.Add(m.AggregateId.ToString(), m.OccurredAt);
    }
}

public sealed class TokenRevocationConsumerDefinition<TContext> : RetryingConsumerDefinition<TokenRevocationConsumer<TContext>>
    where TContext : DbContext;

/// <summary>
/// Loads the revocation list before the service takes requests, then re-reads what other instances stored every
/// <see cref="AuthOptions.RevocationRefreshInterval"/> and forgets revocations older than the longest token lifetime.
/// </summary>
internal sealed partial class TokenRevocationRefresher<TContext>(
    IServiceScopeFactory scopes, TokenRevocations revocations, AuthOptions options, ILogger<TokenRevocationRefresher<TContext>> logger)
    : BackgroundService where TContext : DbContext
{
    // A row committed by a transaction that started before the previous read is still found by the next one.
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(1);
    private DateTimeOffset _since = DateTimeOffset.MinValue;
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshAsync(cancellationToken); // after the migrations (registered earlier), before requests
        }
        catch (Exception e) when (TransientFaults.IsTransient(e))
        {
            LogRefreshFailed(logger, e);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.RevocationRefreshInterval, stoppingToken);
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRefreshFailed(logger, e);
            }
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var started = DateTimeOffset.UtcNow;
        var cutoff = started - options.RevocationRetention;
        var since = _since == DateTimeOffset.MinValue ? cutoff : _since - Overlap;
        foreach (var row in await db.Set<RevokedToken>().AsNoTracking().Where(r => r.RecordedAt >= since && r.RevokedAt >= cutoff).ToListAsync(ct))
        {
            revocations.Add(row.AccountId, row.RevokedAt);
        }

        _since = started;
        if (started - _lastPrune > TimeSpan.FromHours(1))
        {
            await db.Set<RevokedToken>().Where(r => r.RevokedAt < cutoff).ExecuteDeleteAsync(ct);
            revocations.Prune(cutoff);
            _lastPrune = started;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the token revocation list failed; retrying")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
