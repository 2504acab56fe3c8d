namespace TalentMatch.Matching.ReadModel;

/// <summary>
/// Matching's copy of a profile's matching view, fed by profile events. A withdrawn profile stays as a tombstone
/// (with its last version) so that an older event arriving late cannot bring it back.
/// </summary>
public sealed class CandidateProfile
{
    public Guid ProfileId { get; set; }
    public long Version { get; set; }
    public bool Withdrawn { get; set; }

    /// <summary>Left other matching with a signed agreement (full-time, or one the researcher said should withdraw them).</summary>
    public bool Placed { get; set; }

    public string[] ResearchFields { get; set; } = [];

    /// <summary>Discipline- and field-level prefixes of <see cref="ResearchFields"/>; GIN-indexed for candidate generation.</summary>
    public string[] FieldKeys { get; set; } = [];

    public string[] Skills { get; set; } = [];
    public int DegreeLevel { get; set; }
    public int CareerStage { get; set; }
    public double YearsOfExperience { get; set; }
    public int PublicationsCount { get; set; }
    public string[] PreferredCities { get; set; } = [];
    public int EmploymentModes { get; set; }
    public bool ConsentToMatching { get; set; }
    public int HIndex { get; set; }
    public int GrantsLed { get; set; }
    public int TalentTier { get; set; }
    public string[] Languages { get; set; } = [];
    public DateOnly? EarliestStartDate { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Matching's copy of a position, fed by position events; closed positions stay as tombstones.</summary>
public sealed class PositionSnapshot
{
    public Guid PositionId { get; set; }
    public long Version { get; set; }
    public bool Closed { get; set; }
    public Guid InstitutionId { get; set; }
    public string Title { get; set; } = "";
    public string City { get; set; } = "";
    public string[] ResearchFields { get; set; } = [];
    public string[] RequiredSkills { get; set; } = [];
    public string[] PreferredSkills { get; set; } = [];
    public int MinimumDegree { get; set; }
    public int CareerStageMin { get; set; }
    public int CareerStageMax { get; set; }
    public double MinimumYears { get; set; }
    public int EmploymentMode { get; set; }
    public int TalentTierSought { get; set; }
    public string[] Languages { get; set; } = [];
    public DateOnly? ApplicationDeadline { get; set; }
    public int Headcount { get; set; } = 1;
    public DateTimeOffset UpdatedAt { get; set; }
}
