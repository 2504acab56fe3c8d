using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TalentMatch.Testing;

namespace TalentMatch.EndToEnd.Tests;

/// <summary>HTTP calls the end-to-end tests make, as a client of the three services would.</summary>
internal static class Api
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    public const string ImmunologyInstitute = "c5900272-f402-555f-a76f-adc691de5ea7";

    public static JsonObject Profile(string field = "MED.IMMUNO.TUMOUR") => new()
    {
        ["fullName"] = "Chen Jing",
        ["email"] = "chen.jing@example.org",
        ["researchFields"] = new JsonArray(field),
        ["skills"] = new JsonArray("flow cytometry", "single-cell rna-seq"),
        ["degrees"] = new JsonArray(new JsonObject { ["level"] = "doctorate", ["field"] = "MED.IMMUNO", ["institution"] = "Chongqing Medical University", ["year"] = 2016 }),
        ["careerStage"] = "R3",
        ["yearsOfExperience"] = 9,
        ["publicationsCount"] = 31,
        ["preferredCities"] = new JsonArray("Chongqing"),
        ["employmentModes"] = new JsonArray("full-time"),
        ["consentToMatching"] = true,
    };

    public static JsonObject Position() => new()
    {
        ["institutionId"] = ImmunologyInstitute,
        ["title"] = "Associate Researcher, Tumour Immunology",
        ["city"] = "Chongqing",
        ["researchFields"] = new JsonArray("MED.IMMUNO"),
        ["requiredSkills"] = new JsonArray("flow cytometry"),
        ["preferredSkills"] = new JsonArray("single-cell rna-seq"),
        ["minimumDegree"] = "doctorate",
        ["careerStageMin"] = "R2",
        ["careerStageMax"] = "R3",
        ["minimumYears"] = 5,
        ["employmentMode"] = "full-time",
        ["headcount"] = 1,
    };

    public static async Task<Guid> Create(HttpClient client, string path, JsonObject body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    public static async Task<List<(Guid Id, double Score)>?> Candidates(HttpClient matching, Guid position)
    {
        var response = await matching.GetAsync($"/api/positions/{position}/candidates?pageSize=200");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["candidates"]!["items"]!.AsArray()
            .Select(c => (c!["profileId"]!.GetValue<Guid>(), c["score"]!.GetValue<double>()))
            .ToList();
    }

    public static Task<List<(Guid Id, double Score)>?> CandidatesUntil(HttpClient matching, Guid position, Func<List<(Guid Id, double Score)>, bool> condition, string what) =>
        Eventually.Get(() => Candidates(matching, position), c => c is not null && condition(c), Wait, what);
}
