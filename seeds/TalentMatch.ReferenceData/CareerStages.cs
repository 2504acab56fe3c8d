using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace TalentMatch.ReferenceData;

/// <summary>A job title in English and Chinese.</summary>
public sealed record Title(string En, string Zh);

/// <summary>One EURAXESS stage with the Chinese research titles and clinical grades that map to it.</summary>
public sealed record CareerStageInfo(
    CareerStage Stage,
    string Code,
    string En,
    string Zh,
    string Description,
    ImmutableArray<Title> ResearchTitles,
    ImmutableArray<Title> ClinicalGrades);

/// <summary>
/// The EURAXESS research profiles R1–R4 from <c>career-stages.json</c> with the crosswalk to Chinese research titles
/// and clinical grades. Every title maps to exactly one stage.
/// </summary>
public sealed class CareerStages
{
    private static readonly Lazy<CareerStages> Cached = new(LoadEmbedded);
    private readonly FrozenDictionary<string, (CareerStageInfo Stage, TitleTrack Track)> _byTitle;

    private CareerStages(ImmutableArray<CareerStageInfo> stages)
    {
        Stages = stages;
        var map = new Dictionary<string, (CareerStageInfo, TitleTrack)>(StringComparer.OrdinalIgnoreCase);
        foreach (var stage in stages)
        {
            foreach (var (title, track) in stage.ResearchTitles.Select(t => (t, TitleTrack.Research))
                         .Concat(stage.ClinicalGrades.Select(t => (t, TitleTrack.Clinical))))
            {
                if (!map.TryAdd(title.En, (stage, track)) || !map.TryAdd(title.Zh, (stage, track)))
                {
                    throw new InvalidDataException($"Title '{title.En}' / '{title.Zh}' appears under more than one stage.");
                }
            }
        }

        _byTitle = map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>R1..R4 in order.</summary>
    public ImmutableArray<CareerStageInfo> Stages { get; }

    /// <summary>The embedded crosswalk (parsed once, then cached).</summary>
    public static CareerStages Load() => Cached.Value;

    public CareerStageInfo Get(CareerStage stage) => Stages[(int)stage - 1];

    /// <summary>Finds the stage of a research title or clinical grade, by its English or Chinese label.</summary>
    public bool TryGetStageOfTitle(string title, [NotNullWhen(true)] out CareerStageInfo? stage, out TitleTrack track)
    {
        if (_byTitle.TryGetValue(title.Trim(), out var hit))
        {
            (stage, track) = hit;
            return true;
        }

        stage = null;
        track = default;
        return false;
    }

    private static CareerStages LoadEmbedded()
    {
        var file = SeedResources.Deserialize<StagesFile>(SeedResources.CareerStagesFile);
        var stages = file.Stages
            .Select(s => new CareerStageInfo(SeedEnums.ParseCareerStage(s.Code), s.Code, s.En, s.Zh, s.Description,
                s.ResearchTitles.Select(t => new Title(t.En, t.Zh)).ToImmutableArray(),
                s.ClinicalGrades.Select(t => new Title(t.En, t.Zh)).ToImmutableArray()))
            .OrderBy(s => s.Stage)
            .ToImmutableArray();
        if (stages.Length != 4 || stages.Select((s, i) => (int)s.Stage == i + 1).Any(ok => !ok))
        {
            throw new InvalidDataException("career-stages.json must define R1, R2, R3 and R4 exactly once.");
        }

        return new CareerStages(stages);
    }

    private sealed record StagesFile(List<StageDto> Stages);

    private sealed record StageDto(string Code, string En, string Zh, string Description, List<TitleDto> ResearchTitles, List<TitleDto> ClinicalGrades);

    private sealed record TitleDto(string En, string Zh);
}
