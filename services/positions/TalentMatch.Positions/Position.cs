using TalentMatch.Contracts.Positions;
using TalentMatch.ReferenceData;

namespace TalentMatch.Positions;

/// <summary>Draft positions are not yet visible to matching; closed and filled ones have left it.</summary>
public enum PositionStatus { Open = 0, Closed = 1, Draft = 2, Filled = 3 }

/// <summary>Yearly salary range in CNY.</summary>
public sealed record SalaryBand(decimal MinCny, decimal MaxCny);

/// <summary>An institution that posts positions (seeded from the seed documents).</summary>
public sealed class Institution
{
    public Guid Id { get; set; }
    public required string Slug { get; set; }
    public required string NameEn { get; set; }
    public required string NameZh { get; set; }
    public required string City { get; set; }
    public InstitutionKind Kind { get; set; }
}

/// <summary>An opening posted by an institution's HR office.</summary>
public sealed class Position
{
    public Guid Id { get; set; }

    /// <summary>Aggregate version: 1 when created, +1 per change; also the ETag and concurrency token.</summary>
    public long Version { get; set; }

    public PositionStatus Status { get; set; }
    public Guid InstitutionId { get; set; }
    public required string Title { get; set; }
    public string? Department { get; set; }
    public string? Description { get; set; }
    public required string City { get; set; }
    public List<string> ResearchFields { get; set; } = [];
    public List<string> RequiredSkills { get; set; } = [];
    public List<string> PreferredSkills { get; set; } = [];
    public DegreeLevel MinimumDegree { get; set; }
    public CareerStage CareerStageMin { get; set; }
    public CareerStage CareerStageMax { get; set; }
    public double MinimumYears { get; set; }
    public TalentTier TalentTierSought { get; set; }

    /// <summary>Exactly one flag.</summary>
    public EmploymentModes EmploymentMode { get; set; }

    public List<string> Languages { get; set; } = [];
    public int Headcount { get; set; }
    public decimal? SalaryMinCny { get; set; }
    public decimal? SalaryMaxCny { get; set; }
    public decimal? StartupFundingCny { get; set; }
    public DateOnly? ApplicationDeadline { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public SalaryBand? SalaryBand => SalaryMinCny is { } min && SalaryMaxCny is { } max ? new SalaryBand(min, max) : null;

    public PositionMatchingView ToMatchingView() => new(
        InstitutionId, Title, City, ResearchFields, RequiredSkills, PreferredSkills, (int)MinimumDegree,
        (int)CareerStageMin, (int)CareerStageMax, MinimumYears, (int)EmploymentMode, (int)TalentTierSought, Languages,
        ApplicationDeadline, Headcount);
}
