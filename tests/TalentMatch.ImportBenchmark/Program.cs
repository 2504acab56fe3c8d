using System.Diagnostics;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using TalentMatch.DemoData;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;
using TalentMatch.Testing;

// Usage: dotnet run -c Release --project tests/TalentMatch.ImportBenchmark [-- COUNT [SEED]]
// In one run on the PostgreSQL of TM_PG_PORT (default: the test instance):
//   1. generates COUNT synthetic profiles with a fixed seed and writes them as JSON Lines (timed);
//   2. starts the profiles service as a real process (Kestrel, real HTTP, its own fresh database; in-memory message
//      transport, so the relay's publishing runs but no broker is involved) and streams the file to
//      POST /api/profiles/import (timed from the first byte sent to the final summary);
//   3. reads the stored rows back (untimed) and writes the same rows with one plain Npgsql binary COPY into a bare table
//      of the same columns (no keys, no indexes, no outbox) in the same database (timed);
//   4. prints rows/s for both and their ratio, then drops the database.
var count = args.Length > 0 ? int.Parse(args[0]) : 100_000;
var seed = args.Length > 1 ? int.Parse(args[1]) : 20261121;
var database = TestInfrastructure.UniqueDatabaseName("importbench");
var file = Path.Combine(Path.GetTempPath(), $"talentmatch-import-{count}-{seed}.ndjson");
Console.WriteLine($"PostgreSQL 127.0.0.1:{TestInfrastructure.PgPort}, database {database}, {Environment.ProcessorCount} cores");

// 1. Generate.
var watch = Stopwatch.StartNew();
int written;
await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16))
{
    written = ProfileFiles.WriteNdjson(new ProfileGenerator(seed).Generate(count), writer);
}

var generation = watch.Elapsed;
Console.WriteLine($"generate: {written:N0} profiles (seed {seed}) as JSON Lines, {new FileInfo(file).Length / 1048576.0:0.0} MiB, in {generation.TotalSeconds:0.00} s ({written / generation.TotalSeconds:N0} profiles/s)");

var settings = TestInfrastructure.ServiceSettings(database);
settings["Messaging:Transport"] = "InMemory";
try
{
    // 2. Import through the endpoint.
    await using (var service = new ServiceProcess("Profiles", settings))
    {
        await service.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{service.Port}"), Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = service.Client.DefaultRequestHeaders.Authorization; // bulk import is admin-only
        watch.Restart();
        var lastPrinted = TimeSpan.Zero;
        var summary = await ProfileFiles.BulkImportAsync(client, file, (sent, length) =>
        {
            if (watch.Elapsed - lastPrinted > TimeSpan.FromSeconds(2))
            {
                lastPrinted = watch.Elapsed;
                Console.WriteLine($"  {watch.Elapsed.TotalSeconds,6:0.0} s  {100.0 * sent / length,5:0.0} % sent");
            }
        });
        var import = watch.Elapsed;
        var imported = summary["imported"]!.GetValue<long>();
        if (imported != written || summary["rejected"]!.GetValue<long>() != 0)
        {
            throw new InvalidOperationException($"Expected {written} imported and none rejected: {summary.ToJsonString()}");
        }

        Report("import (HTTP endpoint)", imported, import);
        Results.Import = imported / import.TotalSeconds;
        Console.WriteLine($"  service log: {service.LogPath}");
    }

    // 3. Plain binary COPY of the same rows.
    await using var connection = new NpgsqlConnection(TestInfrastructure.ConnectionString(database));
    await connection.OpenAsync();
    var (profiles, outbox) = ((long)(await Scalar(connection, "SELECT count(*) FROM profiles"))!, (long)(await Scalar(connection, "SELECT count(*) FROM outbox_messages"))!);
    Console.WriteLine($"  stored: {profiles:N0} profile rows, {outbox:N0} outbox rows");
    var rows = new List<object?[]>(written);
    await using (var command = new NpgsqlCommand($"SELECT {string.Join(", ", Columns.Select(c => c.Name))} FROM profiles", connection))
    await using (var reader = await command.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            var row = new object?[Columns.Length];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }
    }

    await using (var create = new NpgsqlCommand("CREATE TABLE bench_copy (LIKE profiles)", connection))
    {
        await create.ExecuteNonQueryAsync();
    }

    watch.Restart();
    await using (var transaction = await connection.BeginTransactionAsync())
    {
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY bench_copy ({string.Join(", ", Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync();
                for (var i = 0; i < row.Length; i++)
                {
                    if (row[i] is null)
                    {
                        await copy.WriteNullAsync();
                    }
                    else
                    {
                        await copy.WriteAsync(row[i], Columns[i].Type);
                    }
                }
            }

            await copy.CompleteAsync();
        }

        await transaction.CommitAsync();
    }

    var plain = watch.Elapsed;
    Report("plain binary COPY", rows.Count, plain);
    Results.Copy = rows.Count / plain.TotalSeconds;
    Console.WriteLine($"ratio: the endpoint imports at {Results.Import / Results.Copy:P0} of plain COPY's rate (COPY is {Results.Copy / Results.Import:0.0}x faster)");
}
finally
{
    await TestInfrastructure.DropDatabaseAsync(database);
    File.Delete(file);
}

return 0;

static void Report(string what, long rows, TimeSpan elapsed) =>
    Console.WriteLine($"{what}: {rows:N0} rows in {elapsed.TotalSeconds:0.00} s = {rows / elapsed.TotalSeconds:N0} rows/s");

static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    return await command.ExecuteScalarAsync();
}

internal static class Results
{
    public static double Import { get; set; }
    public static double Copy { get; set; }
}

internal partial class Program
{
    /// <summary>The profiles table's columns with the types to write them as.</summary>
    internal static readonly (string Name, NpgsqlDbType Type)[] Columns =
    [
        ("id", NpgsqlDbType.Uuid), ("version", NpgsqlDbType.Bigint), ("status", NpgsqlDbType.Integer),
        ("full_name", NpgsqlDbType.Varchar), ("email", NpgsqlDbType.Varchar), ("phone", NpgsqlDbType.Varchar),
        ("orcid", NpgsqlDbType.Varchar), ("degrees", NpgsqlDbType.Jsonb), ("highest_degree", NpgsqlDbType.Integer),
        ("current_institution", NpgsqlDbType.Varchar), ("current_title", NpgsqlDbType.Varchar), ("career_stage", NpgsqlDbType.Integer),
        ("research_fields", NpgsqlDbType.Array | NpgsqlDbType.Text), ("skills", NpgsqlDbType.Array | NpgsqlDbType.Text),
        ("years_of_experience", NpgsqlDbType.Double), ("publications_count", NpgsqlDbType.Integer), ("h_index", NpgsqlDbType.Integer),
        ("grants_led", NpgsqlDbType.Integer), ("honours", NpgsqlDbType.Jsonb), ("languages", NpgsqlDbType.Array | NpgsqlDbType.Text),
        ("preferred_cities", NpgsqlDbType.Array | NpgsqlDbType.Text), ("employment_modes", NpgsqlDbType.Integer),
        ("earliest_start_date", NpgsqlDbType.Date), ("consent_to_matching", NpgsqlDbType.Boolean),
        ("consent_given_at", NpgsqlDbType.TimestampTz), ("created_at", NpgsqlDbType.TimestampTz), ("updated_at", NpgsqlDbType.TimestampTz),
    ];
}
