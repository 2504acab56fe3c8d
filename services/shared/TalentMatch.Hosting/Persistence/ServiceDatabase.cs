using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Hosting.Persistence;

public static class ServiceDatabase
{
    public const string ConnectionStringName = "Database";

    /// <summary>
    /// Registers the service's own PostgreSQL database: the DbContext, a readiness check, and a start-up step that
    /// applies the checked-in migrations (creating the database if needed) before anything else runs.
    /// </summary>
    public static WebApplicationBuilder AddServiceDatabase<TContext>(this WebApplicationBuilder builder)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not configured; set ConnectionStrings__{ConnectionStringName}.");

        var tuned = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (tuned.MaxAutoPrepare == 0)
        {
            // A service runs the same few dozen statements all day; prepared once per connection, PostgreSQL stops
            // parsing and planning them on every call (the 28-column profile insert most of all).
            tuned.MaxAutoPrepare = 64;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            // The services keep no session state (no SET, only transaction-scoped advisory locks), so a connection
            // returned to the pool needs no reset: that was five statements per request.
            tuned.NoResetOnClose = true;
        }

        connectionString = tuned.ConnectionString;
        builder.Services.AddSingleton<OutboxSignal>();
        // Pooled: contexts are reset and reused rather than built per request, which matters at thousands of writes a second.
        builder.Services.AddDbContextPool<TContext>((sp, options) => options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            // A model change without its migration makes MigrateAsync throw (EF's PendingModelChangesWarning is an
            // error by default); tests/run.sh catches it earlier with `dotnet ef migrations has-pending-model-changes`.
            .AddInterceptors(new OutboxCommitInterceptor(sp.GetRequiredService<OutboxSignal>())));

        builder.Services.AddHostedService<DatabaseMigrator<TContext>>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck<TContext>>("database", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>
    /// Records a column default that a hand-written migration left in the schema (<c>ADD COLUMN ... DEFAULT</c>), so
    /// that the model, and so the generated snapshot, describes the table as it is. EF still writes the column on
    /// every insert (no RETURNING): the default only serves rows written before the column existed.
    /// </summary>
    public static PropertyBuilder<T> HasLegacyDefault<T>(this PropertyBuilder<T> property, string sql) =>
        property.HasDefaultValueSql(sql).ValueGeneratedNever();

    /// <summary>Names every table and column in snake_case so hand-written SQL reads like PostgreSQL.</summary>
    /// <param name="only">Which entities to rename (default all), for a model that keeps a library's own names.</param>
    public static void UseSnakeCaseNames(this ModelBuilder modelBuilder, Func<Type, bool>? only = null)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => only is null || only(e.ClrType)))
        {
            if (entity.IsMappedToJson())
            {
                // An owned collection stored as one jsonb column: snake_case column, camelCase members inside.
                if (entity.FindOwnership() is { } ownership && entity.GetContainerColumnName() is not null)
                {
                    entity.SetContainerColumnName(ToSnakeCase(ownership.PrincipalToDependent!.Name));
                }

                foreach (var property in entity.GetProperties().Where(p => !p.IsShadowProperty()))
                {
                    property.SetJsonPropertyName(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name));
                }

                continue;
            }

            if (entity.GetTableName() is { } table && entity.GetViewName() is null)
            {
                entity.SetTableName(ToSnakeCase(table));
            }

            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName()!));
            }
        }
    }

    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}

/// <summary>Applies migrations at start-up, waiting a bounded time for PostgreSQL to accept connections.</summary>
internal sealed partial class DatabaseMigrator<TContext>(IServiceProvider services, ILogger<DatabaseMigrator<TContext>> logger)
    : IHostedService where TContext : DbContext
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                // The database and EF's history table are created first, each asked for in the way EF expects a "no":
                // otherwise the migrator finds them missing by failing to connect and to query, and logs both as
                // errors on every first start.
                var creator = db.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>();
                if (!await creator.ExistsAsync(cancellationToken))
                {
                    await creator.CreateAsync(cancellationToken);
                }

                await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);

                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                await db.Database.MigrateAsync(cancellationToken);
                LogMigrated(logger, typeof(TContext).Name, pending.Count, string.Join(", ", pending));
                return;
            }
            // EF's execution strategy wraps a connection failure in an InvalidOperationException ("likely due to a
            // transient failure"), so the whole chain is searched.
            catch (Exception e) when (Unreachable(e) is { } cause && DateTimeOffset.UtcNow - started < MaxWait)
            {
                LogWaiting(logger, typeof(TContext).Name, attempt, cause.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static Exception? Unreachable(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException or TimeoutException)
            {
                return e;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Context}: applied {Count} pending migration(s) {Names}")]
    private static partial void LogMigrated(ILogger logger, string context, int count, string names);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Context}: database not reachable yet (attempt {Attempt}): {Reason}")]
    private static partial void LogWaiting(ILogger logger, string context, int attempt, string reason);
}

internal sealed class DatabaseHealthCheck<TContext>(TContext db) : IHealthCheck where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("PostgreSQL reachable")
                : HealthCheckResult.Unhealthy("PostgreSQL not reachable");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL not reachable", e);
        }
    }
}
