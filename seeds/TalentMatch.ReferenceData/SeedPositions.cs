using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace TalentMatch.ReferenceData;

/// <summary>Yearly salary band in CNY.</summary>
public sealed record SalaryBand(decimal MinCny, decimal MaxCny);

/// <summary>A realistic opening posted by one of the seed institutions.</summary>
public sealed record SeedPosition(
    Guid Id,
    Guid InstitutionId,
    string Title,
    string Department,
    ImmutableArray<string> ResearchFields,
    ImmutableArray<string> RequiredSkills,
    ImmutableArray<string> PreferredSkills,
    DegreeLevel MinimumDegree,
    CareerStage CareerStageMin,
    CareerStage CareerStageMax,
    double MinimumYears,
    TalentTier TalentTierSought,
    EmploymentModes EmploymentMode,
    int Headcount,
    SalaryBand SalaryBand,
    decimal? StartupFundingCny,
    string City,
    DateOnly ApplicationDeadline,
    PositionStatus Status,
    string Description,
    string Source);

/// <summary>The seed positions from <c>positions.json</c>.</summary>
public sealed class SeedPositions
{
    private static readonly Lazy<SeedPositions> Cached = new(LoadEmbedded);
    private readonly FrozenDictionary<Guid, SeedPosition> _byId;

    private SeedPositions(ImmutableArray<SeedPosition> all)
    {
        All = all;
        _byId = all.ToFrozenDictionary(p => p.Id);
    }

    public ImmutableArray<SeedPosition> All { get; }

    /// <summary>The embedded list (parsed once, then cached).</summary>
    public static SeedPositions Load() => Cached.Value;

    public bool TryGet(Guid id, [NotNullWhen(true)] out SeedPosition? position) => _byId.TryGetValue(id, out position);

    public IEnumerable<SeedPosition> ForInstitution(Guid institutionId) => All.Where(p => p.InstitutionId == institutionId);

    public IEnumerable<SeedPosition> Open => All.Where(p => p.Status == PositionStatus.Open);

    private static SeedPositions LoadEmbedded()
    {
        var file = SeedResources.Deserialize<PositionsFile>(SeedResources.PositionsFile);
        return new SeedPositions(file.Positions.Select(p => new SeedPosition(
                p.Id, p.InstitutionId, p.Title, p.Department,
                [.. p.ResearchFields], [.. p.RequiredSkills], [.. p.PreferredSkills],
                SeedEnums.ParseDegree(p.MinimumDegree),
                SeedEnums.ParseCareerStage(p.CareerStageMin), SeedEnums.ParseCareerStage(p.CareerStageMax),
                p.MinimumYears,
                SeedEnums.ParseTalentTier(p.TalentTierSought),
                SeedEnums.ParseEmploymentMode(p.EmploymentMode),
                p.Headcount,
                new SalaryBand(p.SalaryBand.MinCny, p.SalaryBand.MaxCny),
                p.StartupFundingCny,
                p.City,
                p.ApplicationDeadline,
                SeedEnums.ParsePositionStatus(p.Status),
                p.Description,
                p.Source))
            .ToImmutableArray());
    }

    private sealed record PositionsFile(List<PositionDto> Positions);

    private sealed record SalaryDto(decimal MinCny, decimal MaxCny);

    private sealed record PositionDto(
        Guid Id, Guid InstitutionId, string Title, string Department,
        List<string> ResearchFields, List<string> RequiredSkills, List<string> PreferredSkills,
        string MinimumDegree, string CareerStageMin, string CareerStageMax, double MinimumYears,
        string TalentTierSought, string EmploymentMode, int Headcount, SalaryDto SalaryBand, decimal? StartupFundingCny,
        string City, DateOnly ApplicationDeadline, string Status, string Description, string Source);
}
