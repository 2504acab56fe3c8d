using System.Text.Json.Nodes;

namespace TalentMatch.Seeds;

/// <summary>
/// Request bodies for the profiles and positions APIs built from seed data, as a client would send them. The demo
/// loader, load driver and end-to-end tests all use these, so a change of the API's shape is made in one place.
/// </summary>
public static class ApiPayloads
{
    public static JsonObject Position(SeedPosition p) => new()
    {
        ["institutionId"] = p.InstitutionId,
        ["title"] = p.Title,
        ["department"] = p.Department,
        ["city"] = p.City,
        ["researchFields"] = Strings(p.ResearchFields),
        ["requiredSkills"] = Strings(p.RequiredSkills),
        ["preferredSkills"] = Strings(p.PreferredSkills),
        ["minimumDegree"] = p.MinimumDegree.ToJson(),
        ["careerStageMin"] = p.CareerStageMin.ToString(),
        ["careerStageMax"] = p.CareerStageMax.ToString(),
        ["minimumYears"] = p.MinimumYears,
        ["employmentMode"] = p.EmploymentMode.ToJson(),
        ["headcount"] = p.Headcount,
        ["applicationDeadline"] = p.ApplicationDeadline.ToString("yyyy-MM-dd"),
    };

    public static JsonObject Profile(SyntheticProfile p) => new()
    {
        ["fullName"] = p.FullName,
        ["email"] = p.Email,
        ["phone"] = p.Phone,
        ["researchFields"] = Strings(p.ResearchFields),
        ["skills"] = Strings(p.Skills),
        ["degree"] = p.HighestDegree.ToJson(),
        ["careerStage"] = p.CareerStage.ToString(),
        ["yearsOfExperience"] = p.YearsOfExperience,
        ["publicationsCount"] = p.PublicationsCount,
        ["preferredCities"] = Strings(p.PreferredCities),
        ["employmentModes"] = Strings(SingleModes.Where(m => p.EmploymentModes.HasFlag(m)).Select(m => m.ToJson())),
        ["consentToMatching"] = p.ConsentToMatching,
    };

    private static readonly EmploymentModes[] SingleModes = [EmploymentModes.FullTime, EmploymentModes.FlexiblePartTime, EmploymentModes.Visiting];

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
