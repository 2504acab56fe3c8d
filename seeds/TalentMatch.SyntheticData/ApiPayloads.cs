using System.Text.Json.Nodes;

using TalentMatch.ReferenceData;

namespace TalentMatch.SyntheticData;

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
        ["orcid"] = p.Orcid,
        ["degrees"] = new JsonArray(p.Degrees.Select(d => (JsonNode)new JsonObject
        {
            ["level"] = d.Level.ToJson(),
            ["field"] = d.FieldCode,
            ["institution"] = d.Institution,
            ["year"] = d.Year,
        }).ToArray()),
        ["currentInstitution"] = p.CurrentInstitution,
        ["currentTitle"] = p.CurrentTitle.En,
        ["careerStage"] = p.CareerStage.ToString(),
        ["researchFields"] = Strings(p.ResearchFields),
        ["skills"] = Strings(p.Skills),
        ["yearsOfExperience"] = p.YearsOfExperience,
        ["publicationsCount"] = p.PublicationsCount,
        ["hIndex"] = p.HIndex,
        ["grantsLed"] = p.GrantsLed,
        ["honours"] = p.TalentTier == TalentTier.None
            ? new JsonArray()
            : new JsonArray(new JsonObject
            {
                ["tier"] = p.TalentTier.ToJson(),
                ["programme"] = HonourProgrammes[p.TalentTier],
                ["year"] = Math.Max(1980, p.EarliestStartDate.Year - 1 - (int)(p.YearsOfExperience / 3)),
            }),
        ["languages"] = Strings(p.Languages),
        ["preferredCities"] = Strings(p.PreferredCities),
        ["employmentModes"] = Strings(SingleModes.Where(m => p.EmploymentModes.HasFlag(m)).Select(m => m.ToJson())),
        ["earliestStartDate"] = p.EarliestStartDate.ToString("yyyy-MM-dd"),
        ["consentToMatching"] = p.ConsentToMatching,
    };

    /// <summary>A representative programme name per tier; the generator records only the tier.</summary>
    private static readonly Dictionary<TalentTier, string> HonourProgrammes = new()
    {
        [TalentTier.Young] = "National Young Top-notch Talent Programme",
        [TalentTier.Provincial] = "Chongqing Talents Programme (provincial/ministerial level)",
        [TalentTier.National] = "National High-level Talents Programme",
    };

    private static readonly EmploymentModes[] SingleModes = [EmploymentModes.FullTime, EmploymentModes.FlexiblePartTime, EmploymentModes.Visiting];

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
