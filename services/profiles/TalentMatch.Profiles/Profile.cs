using TalentMatch.Contracts.Profiles;
using TalentMatch.ReferenceData;

namespace TalentMatch.Profiles;

public enum ProfileStatus { Active = 0, Withdrawn = 1 }

/// <summary>A completed (or expected) degree.</summary>
/// <param name="Field">Research-field code of the degree's subject.</param>
public sealed record Degree(DegreeLevel Level, string Field, string Institution, int Year);

/// <summary>A talent-programme honour, e.g. a national young-talent programme, with the year it was awarded.</summary>
public sealed record TalentHonour(TalentTier Tier, string Programme, int Year);

/// <summary>
/// A researcher's profile. Name, contact details and ORCID iD are personal data: they never leave this service
/// (see <see cref="ToMatchingView"/>).
/// </summary>
public sealed class Profile
{
    public Guid Id { get; set; }

    /// <summary>Aggregate version: 1 at registration, +1 per change; also the ETag and concurrency token.</summary>
    public long Version { get; set; }

    public ProfileStatus Status { get; set; }
    public required string FullName { get; set; }
    public required string Email { get; set; }
    public string? Phone { get; set; }
    public string? Orcid { get; set; }
    public List<Degree> Degrees { get; set; } = [];

    /// <summary>Highest level in <see cref="Degrees"/>, kept as a column for filtering and the matching view.</summary>
    public DegreeLevel HighestDegree { get; set; }

    public string? CurrentInstitution { get; set; }
    public string? CurrentTitle { get; set; }
    public CareerStage CareerStage { get; set; }
    public List<string> ResearchFields { get; set; } = [];
    public List<string> Skills { get; set; } = [];
    public double YearsOfExperience { get; set; }
    public int PublicationsCount { get; set; }
    public int HIndex { get; set; }
    public int GrantsLed { get; set; }
    public List<TalentHonour> Honours { get; set; } = [];
    public List<string> Languages { get; set; } = [];
    public List<string> PreferredCities { get; set; } = [];
    public EmploymentModes EmploymentModes { get; set; }
    public DateOnly? EarliestStartDate { get; set; }
    public bool ConsentToMatching { get; set; }
    public DateTimeOffset? ConsentGivenAt { get; set; }

    /// <summary>Version of the privacy notice the researcher agreed to when consenting to matching.</summary>
    public string? ConsentNoticeVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public TalentTier HighestHonour => Honours.Count == 0 ? TalentTier.None : Honours.Max(h => h.Tier);

    /// <summary>What matching may know: no name, e-mail, phone, ORCID iD or anything else that identifies the person.</summary>
    public ProfileMatchingView ToMatchingView() => new(
        ResearchFields, Skills, (int)HighestDegree, (int)CareerStage, YearsOfExperience, PublicationsCount,
        PreferredCities, (int)EmploymentModes, ConsentToMatching, HIndex, GrantsLed, (int)HighestHonour, Languages,
        EarliestStartDate);
}
