using Microsoft.EntityFrameworkCore;
using TalentMatch.Matching.Learning;
using TalentMatch.Matching.Features;
using TalentMatch.Ranking.Model;

namespace TalentMatch.Matching.Shortlists;

/// <summary>The model version that produced a score, with the model.</summary>
public sealed record ChampionSnapshot(int Version, RankingModel Model);

/// <summary>
/// The registry's current champion, held in memory for scoring. Every instance checks the registry before each
/// ranking batch, so a promotion made by any instance is picked up by all of them.
/// </summary>
public sealed partial class ChampionModel(ILogger<ChampionModel> logger)
{
    private ChampionSnapshot? _current;

    public ChampionSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>Loads the registry's champion if it differs from the one held; returns the (possibly new) champion.</summary>
    public async Task<ChampionSnapshot?> RefreshAsync(MatchingDbContext db, CancellationToken ct)
    {
        var version = await db.Models.Where(m => m.Status == ModelStatus.Champion).Select(m => (int?)m.Version).FirstOrDefaultAsync(ct);
        if (version is null)
        {
            return Current;
        }

        if (Current?.Version == version)
        {
            return Current;
        }

        var json = await db.Models.Where(m => m.Version == version).Select(m => m.ModelJson).SingleAsync(ct);
        var snapshot = new ChampionSnapshot(version.Value, RankingModel.FromJson(json, MatchFeatures.Names));
        Volatile.Write(ref _current, snapshot);
        LogLoaded(logger, version.Value);
        return snapshot;
    }

    /// <summary>Loads any registered model version (for explaining a match scored by an older champion).</summary>
    public async Task<RankingModel?> LoadAsync(MatchingDbContext db, int version, CancellationToken ct)
    {
        if (Current is { } current && current.Version == version)
        {
            return current.Model;
        }

        var json = await db.Models.Where(m => m.Version == version).Select(m => m.ModelJson).FirstOrDefaultAsync(ct);
        return json is null ? null : RankingModel.FromJson(json, MatchFeatures.Names);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ranking with champion model v{Version}")]
    private static partial void LogLoaded(ILogger logger, int version);
}
