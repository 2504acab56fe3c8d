using System.Data;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using TalentMatch.Contracts.Matching;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Matching.Baseline;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Reviews;
using TalentMatch.Matching.Shortlists;
using TalentMatch.Matching.Features;
using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.MlNet;

namespace TalentMatch.Matching.Learning;

/// <summary>What a retraining request came to.</summary>
public abstract record TrainingOutcome
{
    /// <summary>Another training (in this or another instance) holds the lock.</summary>
    public sealed record Busy : TrainingOutcome;

    /// <summary>Not enough labelled matches or positions yet.</summary>
    public sealed record TooFewLabels(int Labels, int Positions, int MinLabels, int MinPositions) : TrainingOutcome;

    /// <summary>A challenger was trained, evaluated and registered (promoted or rejected).</summary>
    public sealed record Trained(RegisteredModel Model, bool Promoted) : TrainingOutcome;
}

/// <summary>
/// Trains challengers from ambassadors' labels (and the cold-start model from synthetic history), evaluates them on
/// held-out positions against the champion and the baseline, registers every model and promotes the better one.
/// One training at a time across all instances: a PostgreSQL advisory lock, held by a transaction on a connection of
/// its own for as long as the training runs (released on commit, rollback or a dropped connection).
/// </summary>
public sealed partial class ModelTrainer(IServiceScopeFactory scopes, IOptionsMonitor<LearningOptions> options, ILogger<ModelTrainer> logger)
{
    /// <summary>Advisory lock key of the model registry ("TMLEARN" in ASCII).</summary>
    public const long LockKey = 0x544D4C4541524E;

    /// <summary>Aggregate id of the model registry in <see cref="RankingModelPromoted"/> events.</summary>
    public static readonly Guid RegistryId = new("6d6f6465-6c72-6567-6973-747279000001");

    public const string ColdStartKind = "cold-start";
    public const string RetrainedKind = "retrained";

    private LearningOptions Options => options.CurrentValue;

    /// <summary>Retrains from the decided matches now, unless another training is running.</summary>
    public async Task<TrainingOutcome> RetrainAsync(string trigger, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        await using var guard = await TryLockAsync(db, wait: false, ct);
        if (guard is null)
        {
            return new TrainingOutcome.Busy();
        }

        var rows = await LoadLabelledAsync(db, ct);
        var positions = rows.Select(r => r.PositionId).Distinct().Count();
        var o = Options;
        if (rows.Count < o.MinLabels || positions < Math.Max(2, o.MinGroups))
        {
            return new TrainingOutcome.TooFewLabels(rows.Count, positions, o.MinLabels, Math.Max(2, o.MinGroups));
        }

        var champion = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Status == ModelStatus.Champion, ct);
        var entry = TrainAndEvaluate(rows, champion, RetrainedKind);
        var promote = champion is null || entry.ChampionNdcgAt10 is null
            ? entry.HeldOutNdcgAt10 > (entry.BaselineNdcgAt10 ?? double.NegativeInfinity)
            : entry.HeldOutNdcgAt10 >= entry.ChampionNdcgAt10.Value + o.PromotionMargin;
        entry.Notes = $"{trigger}; " + (champion is null
            ? promote ? "no champion: beats the baseline" : "no champion: does not beat the baseline"
            : promote
                ? $"beats champion v{champion.Version} by {entry.HeldOutNdcgAt10 - entry.ChampionNdcgAt10:F4} (margin {o.PromotionMargin})"
                : $"not better than champion v{champion.Version} by the margin {o.PromotionMargin}");
        await RegisterAsync(db, entry, promote, champion, ct);
        return new TrainingOutcome.Trained(entry, promote);
    }

    /// <summary>
    /// At start-up: if the registry has no champion, trains one from the embedded synthetic history
    /// (<see cref="ColdStartHistory"/>) and registers it as champion. Other instances wait for the lock and then find the champion.
    /// </summary>
    public async Task<RegisteredModel?> ColdStartAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MatchingDbContext>();
        await using var guard = await TryLockAsync(db, wait: true, ct);
        if (await db.Models.AnyAsync(m => m.Status == ModelStatus.Champion, ct))
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        var history = ColdStartHistory.Load();
        var rows = history.Rows();
        var entry = TrainAndEvaluate(rows, champion: null, ColdStartKind);
        var beats = entry.HeldOutNdcgAt10 > (entry.BaselineNdcgAt10 ?? 0);
        entry.Notes = $"synthetic history: {history.Decisions.Count} decisions on {history.Positions.Count} seed positions ({history.Source}); "
            + (beats ? "beats the baseline on held-out synthetic positions" : "does NOT beat the baseline on held-out synthetic positions");
        await RegisterAsync(db, entry, promote: true, champion: null, ct);
        LogColdStart(logger, entry.Version, entry.HeldOutNdcgAt10, entry.BaselineNdcgAt10 ?? 0, entry.TrainingRows, clock.Elapsed.TotalSeconds);
        return entry;
    }

    /// <summary>Decided or answered matches with their graded labels (see <see cref="Labels"/>), grouped by position.</summary>
    public static async Task<List<LabelledRow>> LoadLabelledAsync(MatchingDbContext db, CancellationToken ct)
    {
        var answers = (await db.ResearcherAnswers.AsNoTracking().Select(a => new { a.ProfileId, a.PositionId, a.Answer, a.Reason }).ToListAsync(ct))
            .ToDictionary(a => (a.ProfileId, a.PositionId), a => Labels.Grade(a.Answer, a.Reason));
        var answered = answers.Where(a => a.Value is not null).Select(a => a.Key.ProfileId).Distinct().ToList();
        var matches = await db.Matches.AsNoTracking()
            .Where(m => m.Status == MatchStatus.Endorsed || m.Status == MatchStatus.Rejected || m.Status == MatchStatus.Held
                || answered.Contains(m.ProfileId))
            .OrderBy(m => m.PositionId).ThenBy(m => m.Id)
            .Select(m => new { m.Id, m.PositionId, m.ProfileId, m.Features, m.BaselineScore, m.Status, m.Outcome })
            .ToListAsync(ct);
        var outcomes = (await db.MatchOutcomes.AsNoTracking().Select(o => new { o.MatchId, o.Outcome }).ToListAsync(ct))
            .ToLookup(o => o.MatchId, o => o.Outcome);
        return matches
            .Where(m => m.Features.Length == MatchFeatures.Count)
            .Select(m => (m, label: Labels.Combine(
                Labels.Grade(m.Status, m.Outcome is { } latest ? outcomes[m.Id].Append(latest) : outcomes[m.Id]),
                answers.GetValueOrDefault((m.ProfileId, m.PositionId)))))
            .Where(x => x.label is not null)
            .Select(x => new LabelledRow(x.m.PositionId, x.m.Features, x.m.BaselineScore, x.label!.Value))
            .ToList();
    }

    private RegisteredModel TrainAndEvaluate(IReadOnlyList<LabelledRow> rows, RegisteredModel? champion, string kind)
    {
        var o = Options;
        var split = TrainingData.Split(rows, o.HeldOutFraction);
        var clock = Stopwatch.StartNew();
        var trained = new MlNetRankingTrainer(o.TrainerOptions()).Train(split.Train);
        var model = trained.Model;
        var seconds = clock.Elapsed.TotalSeconds;

        var heldOut = split.HeldOut;
        double Ndcg(double[] scores) => RankingEvaluation.MeanNdcg(heldOut.Labels, scores, heldOut.GroupBoundaries, 10);
        double? championNdcg = null;
        if (champion is not null)
        {
            try
            {
                championNdcg = Ndcg(RankingModel.FromJson(champion.ModelJson, MatchFeatures.Names).Score(heldOut));
            }
            catch (ModelSchemaException e)
            {
                LogChampionUnreadable(logger, champion.Version, e.Message);
            }
        }

        return new RegisteredModel
        {
            Kind = kind,
            ModelJson = model.ToJson(),
            Trainer = model.Metadata.Trainer!,
            TrainerVersion = model.Metadata.TrainerVersion!,
            MlNetModel = trained.MlNetModelZip,
            CreatedAt = DateTimeOffset.UtcNow,
            TrainingRows = split.Train.RowCount,
            TrainingGroups = split.Train.GroupCount,
            Labels = split.Labels,
            TrainSeconds = Math.Round(seconds, 3),
            HeldOutGroups = heldOut.GroupCount,
            HeldOutNdcgAt10 = Math.Round(Ndcg(model.Score(heldOut)), 6),
            ChampionNdcgAt10 = championNdcg is { } c ? Math.Round(c, 6) : null,
            BaselineNdcgAt10 = Math.Round(Ndcg(split.HeldOutBaseline), 6),
        };
    }

    /// <summary>
    /// Registers the model; when promoting, in the same transaction: the old champion retires, every open position is
    /// queued for re-ranking, and <see cref="RankingModelPromoted"/> goes to the outbox.
    /// </summary>
    private static async Task RegisterAsync(MatchingDbContext db, RegisteredModel entry, bool promote, RegisteredModel? champion, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        entry.Version = (await db.Models.MaxAsync(m => (int?)m.Version, ct) ?? 0) + 1;
        entry.Status = promote ? ModelStatus.Champion : ModelStatus.Rejected;
        if (promote)
        {
            entry.PromotedAt = DateTimeOffset.UtcNow;
            // Retire first: the partial unique index allows one champion at a time.
            await db.Models.Where(m => m.Status == ModelStatus.Champion)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, ModelStatus.Retired), ct);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO ranking_queue (kind, aggregate_id, enqueued_at)
                SELECT {RankingQueueItem.Position}, position_id, now() FROM positions WHERE NOT closed
                """, ct);
            db.Enqueue(new RankingModelPromoted(Guid.NewGuid(), entry.PromotedAt.Value, RegistryId, entry.Version,
                entry.Version, champion?.Version, entry.HeldOutNdcgAt10, entry.ChampionNdcgAt10));
        }

        db.Models.Add(entry);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Takes the registry's advisory lock in a transaction on a dedicated connection; null if busy (when not waiting).</summary>
    private static async Task<LockGuard?> TryLockAsync(MatchingDbContext db, bool wait, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        try
        {
            await connection.OpenAsync(ct);
            var tx = await connection.BeginTransactionAsync(ct);
            await using var command = new NpgsqlCommand(wait ? "SELECT pg_advisory_xact_lock(@key)::text" : "SELECT pg_try_advisory_xact_lock(@key)::text", connection, tx);
            command.Parameters.AddWithValue("key", LockKey);
            command.CommandTimeout = 0;
            var result = (string?)await command.ExecuteScalarAsync(ct);
            if (wait || result == "true")
            {
                return new LockGuard(connection, tx);
            }

            await tx.DisposeAsync();
            await connection.DisposeAsync();
            return null;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class LockGuard(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None); // releases the xact lock
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // connection already broken: the server released the lock with the session
            }

            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cold start: registered champion v{Version} from synthetic history, held-out NDCG@10 {Model:F4} vs baseline {Baseline:F4}, {Rows} training rows, {Seconds:F2} s")]
    private static partial void LogColdStart(ILogger logger, int version, double model, double baseline, int rows, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Champion v{Version} cannot score the current feature schema: {Reason}")]
    private static partial void LogChampionUnreadable(ILogger logger, int version, string reason);
}
