using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TalentMatch.Hosting.Persistence;
using TalentMatch.Testing;

namespace TalentMatch.Hosting.Tests;

/// <summary>A database of its own with one table whose rows record the transaction that wrote them.</summary>
public sealed class ItemsDatabase : IAsyncLifetime
{
    public string Name { get; } = TestInfrastructure.UniqueDatabaseName("hosting");

    public string ConnectionString => TestInfrastructure.ConnectionString(Name);

    public async Task InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(TestInfrastructure.ConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", admin).ExecuteNonQueryAsync();
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand("CREATE TABLE items (id integer PRIMARY KEY, tx bigint NOT NULL DEFAULT txid_current())", connection).ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => TestInfrastructure.DropDatabaseAsync(Name);
}

public sealed class GroupCommitTests(ItemsDatabase database) : IClassFixture<ItemsDatabase>
{
    private static int _nextId = 1;

    private static int[] NextIds(int count) => Enumerable.Range(0, count).Select(_ => Interlocked.Increment(ref _nextId)).ToArray();

    /// <summary>The callback a user of group commit writes: all items in one transaction, committed.</summary>
    private Func<IReadOnlyList<int>, CancellationToken, Task> Insert(string? connectionString = null) => async (items, ct) =>
    {
        await using var connection = new NpgsqlConnection(connectionString ?? database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("INSERT INTO items (id) SELECT unnest(@ids)", connection, transaction);
        command.Parameters.AddWithValue("ids", items.ToArray());
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    };

    private async Task<(long Rows, long Transactions)> StoredAsync(int[] ids)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT tx) FROM items WHERE id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    [Fact]
    public async Task Concurrent_callers_share_transactions_and_each_returns_after_its_commit()
    {
        await using var commit = new GroupCommit<int>(Insert(), new GroupCommitOptions(), NullLogger.Instance);
        var ids = NextIds(300);
        await Task.WhenAll(ids.Select(id => commit.WriteAsync(id, CancellationToken.None)));

        // Every await has returned, so every row is committed; far fewer transactions than rows wrote them.
        var (rows, transactions) = await StoredAsync(ids);
        Assert.Equal(300, rows);
        Assert.InRange(transactions, 1, 100);
    }

    [Fact]
    public async Task An_item_that_fails_on_its_own_data_fails_alone()
    {
        var taken = NextIds(1)[0];
        await using var commit = new GroupCommit<int>(Insert(), new GroupCommitOptions { Writers = 1 }, NullLogger.Instance);
        await commit.WriteAsync(taken, CancellationToken.None);

        // The duplicate shares a batch with good items: the batch fails on it, then each is written alone.
        var good = NextIds(50);
        var writes = good.Select(id => commit.WriteAsync(id, CancellationToken.None)).Append(commit.WriteAsync(taken, CancellationToken.None)).ToList();
        var failure = await Assert.ThrowsAsync<PostgresException>(() => writes[^1]);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, failure.SqlState);
        await Task.WhenAll(writes.Take(good.Length));
        Assert.Equal(50, (await StoredAsync(good)).Rows);
    }

    [Fact]
    public async Task When_the_database_is_unreachable_every_caller_of_the_batch_gets_the_error_and_nothing_is_stored()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        await using var commit = new GroupCommit<int>(Insert(unreachable), new GroupCommitOptions(), NullLogger.Instance);
        var ids = NextIds(20);
        var writes = ids.Select(id => commit.WriteAsync(id, CancellationToken.None)).ToList();
        foreach (var write in writes)
        {
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => write);
        }

        Assert.Equal(0, (await StoredAsync(ids)).Rows);
    }

    [Fact]
    public async Task Disposing_writes_what_is_already_queued()
    {
        var ids = NextIds(100);
        var commit = new GroupCommit<int>(Insert(), new GroupCommitOptions { Writers = 1, MaxBatch = 10 }, NullLogger.Instance);
        var writes = ids.Select(id => commit.WriteAsync(id, CancellationToken.None)).ToList();
        await commit.DisposeAsync();

        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        Assert.Equal(100, (await StoredAsync(ids)).Rows);
        await Assert.ThrowsAsync<InvalidOperationException>(() => commit.WriteAsync(NextIds(1)[0], CancellationToken.None));
    }
}
