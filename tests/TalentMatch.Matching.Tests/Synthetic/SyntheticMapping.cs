using TalentMatch.Matching.ReadModel;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

namespace TalentMatch.Matching.Synthetic;

/// <summary>
/// Seed data as matching's read model holds it, so synthetic history goes through the same feature code as live
/// ranking (<see cref="Shortlists.MatchFacts"/>) and the same baseline. Mirrors what the profile and position events
/// carry for a profile or position created from <see cref="ApiPayloads"/>.
/// </summary>
public static class SyntheticMapping
{
    public static CandidateProfile Candidate(SyntheticProfile p) => new()
    {
        ProfileId = p.Id,
        Version = 1,
        ResearchFields = [.. p.ResearchFields],
        FieldKeys = ResearchFieldKeys.For(p.ResearchFields),
        Skills = [.. p.Skills],
        DegreeLevel = (int)p.HighestDegree,
        CareerStage = (int)p.CareerStage,
        YearsOfExperience = p.YearsOfExperience,
        PublicationsCount = p.PublicationsCount,
        PreferredCities = [.. p.PreferredCities],
        EmploymentModes = (int)p.EmploymentModes,
        ConsentToMatching = p.ConsentToMatching,
        HIndex = p.HIndex,
        GrantsLed = p.GrantsLed,
        TalentTier = (int)p.TalentTier,
        Languages = [.. p.Languages],
        EarliestStartDate = p.EarliestStartDate,
    };

    /// <summary>The position with the languages <see cref="SyntheticHistory.RequiredLanguages"/> says it requires.</summary>
    public static PositionSnapshot Position(SeedPosition p) => new()
    {
        PositionId = p.Id,
        Version = 1,
        InstitutionId = p.InstitutionId,
        Title = p.Title,
        City = p.City,
        ResearchFields = [.. p.ResearchFields],
        RequiredSkills = [.. p.RequiredSkills],
        PreferredSkills = [.. p.PreferredSkills],
        MinimumDegree = (int)p.MinimumDegree,
        CareerStageMin = (int)p.CareerStageMin,
        CareerStageMax = (int)p.CareerStageMax,
        MinimumYears = p.MinimumYears,
        EmploymentMode = (int)p.EmploymentMode,
        TalentTierSought = (int)p.TalentTierSought,
        Languages = [.. SyntheticHistory.RequiredLanguages(p)],
        ApplicationDeadline = p.ApplicationDeadline,
    };
}
