using Microsoft.EntityFrameworkCore;
using TalentMatch.Testing;
using Xunit.Abstractions;

namespace TalentMatch.Profiles.Tests;

public sealed class IdleRelayTests(ProfilesHost host, ITestOutputHelper output) : IClassFixture<ProfilesHost>
{
    [Fact]
    public async Task An_idle_service_does_not_keep_its_database_busy()
    {
        _ = host.CreateClient(); // started, migrated, relay running
        await Task.Delay(TimeSpan.FromSeconds(2)); // past start-up's own transactions
        var before = await CommitsAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var after = await CommitsAsync();
        var polls = clock.Elapsed / TimeSpan.FromMilliseconds(200); // the tests' Outbox:PollInterval

        // The relay's polls are its transactions: some must be seen (a stopped relay would pass an upper bound alone),
        // and not many more than its schedule (a relay woken by its own commits ran thousands a second).
        output.WriteLine($"{after - before} commits in {clock.Elapsed.TotalSeconds:F1} s; the poll schedule makes {polls:F0}");
        Assert.InRange(after - before, polls / 4, polls * 2 + 5);
    }

    private Task<long> CommitsAsync() => host.WithDbAsync<ProfilesDbContext, long>(async db =>
    {
        await db.Database.ExecuteSqlRawAsync("SELECT pg_stat_clear_snapshot()");
        return await db.Database.SqlQuery<long>($"SELECT xact_commit AS \"Value\" FROM pg_stat_database WHERE datname = current_database()").SingleAsync();
    });
}
