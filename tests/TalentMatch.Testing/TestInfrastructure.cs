using Npgsql;

namespace TalentMatch.Testing;

/// <summary>
/// Where the test PostgreSQL and RabbitMQ run. <c>tests/run.sh</c> starts them (instance "test") and exports these
/// variables; the defaults match that script so a test can also be run alone from an IDE.
/// </summary>
public static class TestInfrastructure
{
    public static string PgHost => Env("TM_PG_HOST", "127.0.0.1");
    public static int PgPort => int.Parse(Env("TM_PG_PORT", "54339"));
    public static string PgUser => Env("TM_PG_USER", "postgres");
    public static string PgPassword => Env("TM_PG_PASSWORD", "postgres");
    public static string RabbitHost => Env("TM_RABBIT_HOST", "127.0.0.1");
    public static int RabbitPort => int.Parse(Env("TM_RABBIT_PORT", "35682"));
    public static string RabbitUser => Env("TM_RABBIT_USER", "guest");
    public static string RabbitPassword => Env("TM_RABBIT_PASSWORD", "guest");

    public static string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = PgHost,
        Port = PgPort,
        Username = PgUser,
        Password = PgPassword,
        Database = database,
        // Test classes run in parallel, each with its own pools; keep each pool small.
        MaxPoolSize = 20,
        Timeout = 15,
    }.ConnectionString;

    /// <summary>Settings a service needs to reach the test infrastructure, as configuration keys.</summary>
    public static Dictionary<string, string?> ServiceSettings(string database)
    {
        var settings = new Dictionary<string, string?>
        {
        ["ConnectionStrings:Database"] = ConnectionString(database),
        ["RabbitMq:Host"] = RabbitHost,
        ["RabbitMq:Port"] = RabbitPort.ToString(),
        ["RabbitMq:Username"] = RabbitUser,
        ["RabbitMq:Password"] = RabbitPassword,
        ["Outbox:PollInterval"] = "00:00:00.200",
        ["Outbox:MaxBackoff"] = "00:00:02",
        };
        foreach (var (key, value) in TestTokens.ServiceSettings())
        {
            settings[key] = value;
        }

        return settings;
    }

    public static string UniqueDatabaseName(string prefix) => $"tm_{prefix}_{Guid.NewGuid():N}"[..40];

    public static async Task DropDatabaseAsync(string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
