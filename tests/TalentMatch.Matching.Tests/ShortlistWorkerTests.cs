using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Contracts.Positions;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Matching.Shortlists;
using TalentMatch.Testing;

namespace TalentMatch.Matching.Tests;

/// <summary>
/// What the shortlist worker does with many positions: a burst is drained with every shortlist written, and a batch
/// reads only the positions its changed items need (counted by <see cref="ShortlistWorkerStats"/>, not timed).
/// Tests in this class share a host and run one after another; each uses its own research fields.
/// </summary>
public sealed class ShortlistWorkerTests(SmallShortlistHost host) : IClassFixture<SmallShortlistHost>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => ShortlistAndReviewTests.EnsureChampionAsync(host);

    public Task DisposeAsync() => Task.CompletedTask;

    private ShortlistWorkerStats Stats => host.Services.GetRequiredService<ShortlistWorkerStats>();

    private static ProfileMatchingView Researcher(string field, double years) =>
        new([field], ["flow cytometry", "single-cell rna-seq"], 3, 3, years, (int)(years * 3), ["Chongqing"], 1, true,
            HIndex: (int)years, GrantsLed: 1, TalentTier: 0, Languages: ["zh", "en"]);

    private static PositionMatchingView Post(string field, int minimumYears = 5) => new(
        Guid.NewGuid(), "Associate Researcher", "Chongqing", [field], ["flow cytometry"], ["single-cell rna-seq"],
        MinimumDegree: 3, CareerStageMin: 2, CareerStageMax: 3, MinimumYears: minimumYears, EmploymentMode: 1, Languages: ["en"]);

    [Fact]
    public async Task A_burst_of_positions_is_drained_with_every_shortlist_ranked()
    {
        var candidates = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            candidates.Add(await host.RegisterProfile(Researcher("ENG.ROBOT.SURG", 4 + i)));
        }

        await UntilInReadModel(candidates);
        // Published back to back, so the worker takes many of them in one batch.
        var positions = new List<Guid>();
        for (var i = 0; i < 150; i++)
        {
            positions.Add(await host.OpenPosition(Post("ENG.ROBOT", minimumYears: i % 8)));
        }

        var listed = await Eventually.Get(() => host.WithDbAsync<MatchingDbContext, Dictionary<Guid, int[]>>(async db =>
                (await db.ShortlistEntries.AsNoTracking().Where(e => positions.Contains(e.PositionId)).ToListAsync())
                .GroupBy(e => e.PositionId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Rank).Select(e => e.Rank).ToArray())),
            s => s.Count == positions.Count, Wait, "every position's shortlist");

        // Each is full (K = 4 of 6 eligible) and ranked 1..4; each published its shortlist.
        Assert.All(listed.Values, ranks => Assert.Equal([1, 2, 3, 4], ranks));
        var events = await host.WithDbAsync<MatchingDbContext, List<string>>(db => db.Set<OutboxMessage>()
            .Where(m => m.MessageType == "TalentMatch.Contracts.Matching.ShortlistChanged").Select(m => m.Payload).ToListAsync());
        Assert.All(positions, p => Assert.Contains(events, e => e.Contains(p.ToString(), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_batch_loads_only_the_positions_its_items_need()
    {
        // Twenty positions in one field with their shortlists, and one position in another field.
        var crowd = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            crowd.Add(await host.RegisterProfile(Researcher("EARTH.CLIMATE.MODEL", 5 + i)));
        }

        await UntilInReadModel(crowd);
        var crowded = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            crowded.Add(await host.OpenPosition(Post("EARTH.CLIMATE")));
        }

        var first = await host.RegisterProfile(Researcher("CHEM.CATAL.PHOTO", 6));
        await UntilInReadModel([first]);
        var lonely = await host.OpenPosition(Post("CHEM.CATAL"));
        await Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(async db =>
                await db.ShortlistEntries.Where(e => crowded.Contains(e.PositionId) || e.PositionId == lonely).Select(e => e.PositionId).Distinct().CountAsync() == 21),
            Wait, "all 21 shortlists");
        await UntilQueueEmpty();

        // A profile that qualifies only for the lonely position: its batch reads that position and its one entry.
        var before = Snapshot();
        var second = await host.RegisterProfile(Researcher("CHEM.CATAL.PHOTO", 7));
        await Eventually.Get(() => host.CreateClient().Shortlist(lonely), s => s.Contains(second), Wait, "the profile in the lonely shortlist");
        await UntilQueueEmpty();
        var placed = Snapshot() - before;
        Assert.Equal(1, placed.PositionsLoaded);
        Assert.Equal(1, placed.EntriesLoaded);
        Assert.Equal(1, placed.PairsScored);
        Assert.Equal(1, placed.ShortlistsWritten);

        // A new position in the crowded field is ranked in full over its pool without reading the other 20 positions.
        before = Snapshot();
        var fresh = await host.OpenPosition(Post("EARTH.CLIMATE"));
        await Eventually.Get(() => host.CreateClient().Shortlist(fresh), s => s.Count == 4, Wait, "the new position's shortlist");
        await UntilQueueEmpty();
        var ranked = Snapshot() - before;
        Assert.Equal(1, ranked.PositionsLoaded);
        Assert.Equal(0, ranked.EntriesLoaded);
        Assert.Equal(crowd.Count, ranked.PairsScored);
        Assert.Equal(1, ranked.ShortlistsWritten);
    }

    private sealed record Counts(long PositionsLoaded, long EntriesLoaded, long PairsScored, long ShortlistsWritten)
    {
        public static Counts operator -(Counts a, Counts b) =>
            new(a.PositionsLoaded - b.PositionsLoaded, a.EntriesLoaded - b.EntriesLoaded, a.PairsScored - b.PairsScored, a.ShortlistsWritten - b.ShortlistsWritten);
    }

    private Counts Snapshot() => new(Stats.PositionsLoaded, Stats.EntriesLoaded, Stats.PairsScored, Stats.ShortlistsWritten);

    /// <summary>The queue's rows are removed by the batch's own transaction, so an empty queue means its batch committed (and counted).</summary>
    private Task UntilQueueEmpty() =>
        Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(async db => !await db.RankingQueue.AnyAsync()), Wait, "the ranking queue to drain");

    private Task UntilInReadModel(IReadOnlyCollection<Guid> profiles) =>
        Eventually.True(() => host.WithDbAsync<MatchingDbContext, bool>(async db =>
            await db.CandidateProfiles.CountAsync(c => profiles.Contains(c.ProfileId)) == profiles.Count), Wait, "the profiles to reach the read model");
}
