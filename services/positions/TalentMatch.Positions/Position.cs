using TalentMatch.Contracts.Positions;
using TalentMatch.Seeds;

namespace TalentMatch.Positions;

public enum PositionStatus { Open = 0, Closed = 1 }

/// <summary>An opening posted by an institution's HR office.</summary>
public sealed class Position
{
    public Guid Id { get; set; }

    /// <summary>Aggregate version: 1 when opened, +1 per change; also the optimistic-concurrency token.</summary>
    public long Version { get; set; }

    public PositionStatus Status { get; set; }
    public Guid InstitutionId { get; set; }
    public required string Title { get; set; }
    public string? Department { get; set; }
    public required string City { get; set; }
    public List<string> ResearchFields { get; set; } = [];
    public List<string> RequiredSkills { get; set; } = [];
    public List<string> PreferredSkills { get; set; } = [];
    public DegreeLevel MinimumDegree { get; set; }
    public CareerStage CareerStageMin { get; set; }
    public CareerStage CareerStageMax { get; set; }
    public double MinimumYears { get; set; }
    /// <summary>Exactly one flag.</summary>
    public EmploymentModes EmploymentMode { get; set; }
    public int Headcount { get; set; }
    public DateOnly? ApplicationDeadline { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public PositionMatchingView ToMatchingView() => new(
        InstitutionId, Title, City, ResearchFields, RequiredSkills, PreferredSkills, (int)MinimumDegree,
        (int)CareerStageMin, (int)CareerStageMax, MinimumYears, (int)EmploymentMode);
}
