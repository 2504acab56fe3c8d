using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TalentMatch.Matching.Reviews;

namespace TalentMatch.Matching.Learning;

/// <summary>
/// Start-up step (registered after the migrator, so it runs after migrations): trains the cold-start champion when the
/// registry has none. Blocking start-up for those few seconds means the first ranking already uses a learned model.
/// </summary>
public sealed partial class ColdStartService(ModelTrainer trainer, IOptions<LearningOptions> options, ILogger<ColdStartService> logger) : BackgroundService
{
    // In the background, after the migrations: the service answers health checks at once, and the shortlist worker
    // simply waits until the first champion is registered.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ColdStart.Enabled)
        {
            return;
        }

        await Task.Yield();
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                if (await trainer.ColdStartAsync(stoppingToken) is null)
                {
                    LogSkipped(logger);
                }

                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // E.g. another instance registered its champion at the same moment; the next attempt sees it and skips.
                LogFailed(logger, attempt, e);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5 * attempt, 30)), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cold start skipped: the registry already has a champion")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cold start attempt {Attempt} failed; retrying")]
    private static partial void LogFailed(ILogger logger, int attempt, Exception exception);
}

/// <summary>
/// Retrains automatically: every <c>Learning:CheckInterval</c>, counts matches decided since the newest registered
/// model (champion or rejected challenger, so a rejected one does not trigger a retraining loop) and retrains once
/// there are <c>Learning:RetrainAfterLabels</c> of them.
/// </summary>
public sealed partial class AutoRetrainService(ModelTrainer trainer, IServiceScopeFactory scopes, IOptionsMonitor<LearningOptions> options,
    ILogger<AutoRetrainService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var o = options.CurrentValue;
            try
            {
                await Task.Delay(o.CheckInterval, stoppingToken);
                if (!o.AutoRetrain)
                {
                    continue;
                }

                var newLabels = await NewLabelsAsync(stoppingToken);
                if (newLabels >= o.RetrainAfterLabels)
                {
                    var outcome = await trainer.RetrainAsync($"automatic: {newLabels} new labels", stoppingToken);
                    if (outcome is TrainingOutcome.Trained t)
                    {
                        LogRetrained(logger, t.Model.Version, t.Promoted, t.Model.HeldOutNdcgAt10, t.Model.ChampionNdcgAt10, t.Model.BaselineNdcgAt10);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
            }
        }
    }

    /// <summary>Matches decided after the newest registered model was created.</summary>
    public async Task<int> NewLabelsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        var since = await db.Models.MaxAsync(m => (DateTimeOffset?)m.CreatedAt, ct) ?? DateTimeOffset.MinValue;
        return await db.Matches.CountAsync(m => m.DecidedAt > since
            && (m.Status == MatchStatus.Endorsed || m.Status == MatchStatus.Rejected || m.Status == MatchStatus.Held), ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Automatic retraining: v{Version} promoted={Promoted}, held-out NDCG@10 {Model:F4} (champion {Champion}, baseline {Baseline})")]
    private static partial void LogRetrained(ILogger logger, int version, bool promoted, double model, double? champion, double? baseline);

    [LoggerMessage(Level = LogLevel.Error, Message = "Automatic retraining failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
