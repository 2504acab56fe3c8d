using Microsoft.EntityFrameworkCore;
using TalentMatch.ReferenceData;

namespace TalentMatch.Positions;

/// <summary>
/// Brings the institutions table in line with the seed data at start-up (insert new, update changed), so the
/// reference data ships with the code. Runs after the migrator because hosted services start in registration order.
/// </summary>
internal sealed partial class ReferenceDataSeeder(IServiceProvider services, ILogger<ReferenceDataSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PositionsDbContext>();
        var existing = await db.Institutions.ToDictionaryAsync(i => i.Id, cancellationToken);
        foreach (var seed in ReferenceData.Institutions.Load().All)
        {
            if (!existing.TryGetValue(seed.Id, out var row))
            {
                row = new Institution { Id = seed.Id, Slug = seed.Slug, NameEn = seed.NameEn, NameZh = seed.NameZh, City = seed.City };
                db.Institutions.Add(row);
            }

            row.Slug = seed.Slug;
            row.NameEn = seed.NameEn;
            row.NameZh = seed.NameZh;
            row.City = seed.City;
            row.Kind = seed.Kind;
        }

        db.ChangeTracker.DetectChanges();
        var changed = db.ChangeTracker.Entries<Institution>().Count(e => e.State is EntityState.Added or EntityState.Modified);
        await db.SaveChangesAsync(cancellationToken);
        LogSeeded(logger, changed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Institutions: {Count} inserted or updated from seed data")]
    private static partial void LogSeeded(ILogger logger, int count);
}
