using System.Collections.Immutable;

using TalentMatch.ReferenceData;

namespace TalentMatch.SyntheticData;

/// <summary>A completed degree.</summary>
/// <param name="Level">Bachelor, master or doctorate.</param>
/// <param name="FieldCode">Taxonomy code of the degree subject (discipline for bachelor, field for master/doctorate).</param>
/// <param name="Institution">Awarding institution (English name).</param>
/// <param name="Year">Year awarded.</param>
public sealed record DegreeRecord(DegreeLevel Level, string FieldCode, string Institution, int Year);

/// <summary>
/// A synthetic researcher or clinician profile produced by <see cref="ProfileGenerator"/>. All personal data is
/// invented: names are drawn from frequency lists, e-mail addresses use the reserved example.* domains.
/// </summary>
public sealed record SyntheticProfile(
    Guid Id,
    string FullName,
    string FamilyName,
    string GivenName,
    bool HasChineseName,
    string Email,
    string? Phone,
    string? Orcid,
    ImmutableArray<DegreeRecord> Degrees,
    DegreeLevel HighestDegree,
    string CurrentInstitution,
    Guid? CurrentInstitutionId,
    string CurrentCity,
    Title CurrentTitle,
    TitleTrack Track,
    CareerStage CareerStage,
    ImmutableArray<string> ResearchFields,
    ImmutableArray<string> Skills,
    double YearsOfExperience,
    int PublicationsCount,
    int HIndex,
    int GrantsLed,
    TalentTier TalentTier,
    ImmutableArray<string> Languages,
    ImmutableArray<string> PreferredCities,
    EmploymentModes EmploymentModes,
    DateOnly EarliestStartDate,
    bool ConsentToMatching,
    DateTimeOffset? ConsentGivenAt);
