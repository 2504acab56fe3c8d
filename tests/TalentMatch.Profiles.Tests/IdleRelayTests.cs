using Microsoft.EntityFrameworkCore;
using TalentMatch.Testing;

namespace TalentMatch.Profiles.Tests;

public sealed class IdleRelayTests(ProfilesHost host) : IClassFixture<ProfilesHost>
{
    [Fact]
    public async Task An_idle_service_does_not_keep_its_database_busy()
    {
        _ = host.CreateClient(); // started, migrated, relay running
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = await CommitsAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var after = await CommitsAsync();

        // The relay polls every 200 ms in tests: about 20 transactions in 4 s. A relay woken by its own commits ran
        // thousands a second.
        Assert.InRange(after - before, 0, 200);
    }

    private Task<long> CommitsAsync() => host.WithDbAsync<ProfilesDbContext, long>(async db =>
    {
        await db.Database.ExecuteSqlRawAsync("SELECT pg_stat_clear_snapshot()");
        return await db.Database.SqlQuery<long>($"SELECT xact_commit AS \"Value\" FROM pg_stat_database WHERE datname = current_database()").SingleAsync();
    });
}
