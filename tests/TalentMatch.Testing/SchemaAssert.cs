using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit;

namespace TalentMatch.Testing;

/// <summary>
/// Checks the migrated database itself against the model: every table and column the model maps exists with the
/// model's nullability, and the database has no column the model lacks. `dotnet ef migrations
/// has-pending-model-changes` (tests/run.sh) compares the model with the migrations' snapshot only; this catches a
/// migration whose SQL (the hand-written history, or an edited generated one) does not build what the snapshot says.
/// </summary>
public static class SchemaAssert
{
    public static async Task MigratedSchemaMatchesModel(DbContext db)
    {
        var expected = new HashSet<(string Table, string Column, bool Nullable)>();
        var jsonColumns = new HashSet<(string Table, string Column)>();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            if (entity.IsMappedToJson())
            {
                // Owned collections stored as one jsonb column: only the container column exists in the table.
                jsonColumns.Add((table, entity.GetContainerColumnName()!));
                continue;
            }

            var id = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                expected.Add((table, property.GetColumnName(id)!, property.IsColumnNullable(id)));
            }
        }

        var tables = expected.Select(e => e.Table).Distinct().ToArray();
        var actual = new HashSet<(string, string, bool)>();
        await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns " +
            "WHERE table_schema = 'public' AND table_name = ANY(@tables)", connection);
        command.Parameters.AddWithValue("tables", tables);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            actual.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        Assert.Empty(jsonColumns.Where(j => !actual.Any(a => a.Item1 == j.Table && a.Item2 == j.Column)).Select(c => $"missing jsonb column: {c}"));
        actual.RemoveWhere(a => jsonColumns.Contains((a.Item1, a.Item2)));
        Assert.Empty(expected.Except(actual).Select(c => $"missing or different in database: {c}"));
        Assert.Empty(actual.Except(expected).Select(c => $"not in the EF model: {c}"));
    }
}
