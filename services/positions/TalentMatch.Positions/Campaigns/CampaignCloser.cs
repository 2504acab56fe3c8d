using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Positions.Campaigns;

/// <summary>How often open campaigns are checked against their closing date (<c>Campaigns:</c> section).</summary>
public sealed class CampaignOptions
{
    public TimeSpan CloseCheckInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Closes every open campaign whose closing date has passed (in UTC), as if its organiser had: one version step and
/// one <c>CampaignChanged</c> each, so matching computes the final assignment. Several instances may run it: the
/// version check makes a campaign close once.
/// </summary>
public sealed partial class CampaignCloser(IServiceScopeFactory scopes, CampaignOptions options, TimeProvider clock, ILogger<CampaignCloser> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CloseCheckInterval);
        do
        {
            try
            {
                await CloseDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> CloseDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PositionsDbContext>();
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var closed = 0;
        foreach (var campaign in await db.Campaigns.Include(c => c.Positions).Include(c => c.Ambassadors).AsSplitQuery()
                     .Where(c => c.Status == CampaignStatus.Open && c.ClosesOn < today).Take(100).ToListAsync(ct))
        {
            campaign.Status = CampaignStatus.Closed;
            campaign.ClosedAt = now;
            campaign.UpdatedAt = now;
            campaign.Version++;
            db.Enqueue(campaign.ToEvent(now));
            try
            {
                await db.SaveChangesAsync(ct);
                closed++;
                LogClosed(logger, campaign.Id, campaign.ClosesOn);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear(); // changed or closed by someone else meanwhile: the next check sees it as it is
            }
        }

        return closed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} closed: its closing date {ClosesOn} has passed")]
    private static partial void LogClosed(ILogger logger, Guid campaignId, DateOnly closesOn);

    [LoggerMessage(Level = LogLevel.Error, Message = "Closing campaigns past their closing date failed; the next check tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
