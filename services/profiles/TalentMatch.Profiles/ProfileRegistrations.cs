using Microsoft.EntityFrameworkCore;
using Npgsql;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Hosting.Observability;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Profiles;

/// <summary>A new profile with everything stored with it: its event and, for a request with an Idempotency-Key, the answer.</summary>
internal sealed record Registration(Profile Profile, ProfileRegistered Event, IdempotencyRecord? Answer)
{
    /// <summary>The request's trace, taken where the registration is made: the batch that writes it runs elsewhere.</summary>
    public string? TraceParent { get; init; } = PlatformTelemetry.CurrentTraceParent();
}

/// <summary>
/// Stores registrations by group commit: the registrations of concurrent requests go to PostgreSQL together, profile rows
/// and their outbox rows by binary COPY and stored answers by one INSERT, in one transaction, so a profile is never
/// stored without its event. Registration is the platform's hottest write (thousands a second during a campaign); a
/// SaveChanges and a commit per profile cost more than the row itself, in the service and in PostgreSQL.
/// </summary>
internal sealed class ProfileRegistrations : IAsyncDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly OutboxSignal _outbox;
    private readonly GroupCommit<Registration> _commit;

    public ProfileRegistrations(IServiceScopeFactory scopes, OutboxSignal outbox, IConfiguration configuration, ILogger<ProfileRegistrations> logger)
    {
        _scopes = scopes;
        _outbox = outbox;
        var options = configuration.GetSection("Registrations").Get<GroupCommitOptions>() ?? new GroupCommitOptions();
        _commit = new GroupCommit<Registration>(WriteAsync, options, logger);
    }

    /// <summary>Completes once the registration is committed; a duplicate id or idempotency key throws its <see cref="PostgresException"/>.</summary>
    public Task AddAsync(Registration registration, CancellationToken ct) => _commit.WriteAsync(registration, ct);

    private async Task WriteAsync(IReadOnlyList<Registration> batch, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProfilesDbContext>();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var events = batch.Select(r => new TracedEvent(r.Event, r.TraceParent)).ToList();
            await using (var transaction = await connection.BeginTransactionAsync(ct))
            {
                await ProfileRows.CopyAsync(connection, batch.Select(r => r.Profile).ToList(), ct);
                await Outbox.CopyAsync(connection, _outbox, events, ct);
                await IdempotentRequest.InsertAsync(connection, batch.Where(r => r.Answer is not null).Select(r => r.Answer!).ToList(), ct);
                await transaction.CommitAsync(ct);
            }

            await Outbox.CommittedAsync(_outbox, events, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public ValueTask DisposeAsync() => _commit.DisposeAsync();
}
