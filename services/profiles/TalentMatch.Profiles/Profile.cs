using TalentMatch.Contracts.Profiles;
using TalentMatch.Seeds;

namespace TalentMatch.Profiles;

public enum ProfileStatus { Active = 0, Withdrawn = 1 }

/// <summary>A researcher's profile. Name and contact are personal data and never leave this service.</summary>
public sealed class Profile
{
    public Guid Id { get; set; }

    /// <summary>Aggregate version: 1 at registration, +1 per change; also the optimistic-concurrency token.</summary>
    public long Version { get; set; }

    public ProfileStatus Status { get; set; }
    public required string FullName { get; set; }
    public required string Email { get; set; }
    public string? Phone { get; set; }
    public List<string> ResearchFields { get; set; } = [];
    public List<string> Skills { get; set; } = [];
    public DegreeLevel Degree { get; set; }
    public CareerStage CareerStage { get; set; }
    public double YearsOfExperience { get; set; }
    public int PublicationsCount { get; set; }
    public List<string> PreferredCities { get; set; } = [];

    public EmploymentModes EmploymentModes { get; set; }

    public bool ConsentToMatching { get; set; }
    public DateTimeOffset? ConsentGivenAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>What matching may know: no name, e-mail or phone.</summary>
    public ProfileMatchingView ToMatchingView() => new(
        ResearchFields, Skills, (int)Degree, (int)CareerStage, YearsOfExperience, PublicationsCount,
        PreferredCities, (int)EmploymentModes, ConsentToMatching);
}
