using System.Text.Json;

namespace TalentMatch.ReferenceData;

/// <summary>Access to the JSON seed files embedded in this assembly.</summary>
public static class SeedResources
{
    public const string ResearchFieldsFile = "research-fields.json";
    public const string CareerStagesFile = "career-stages.json";
    public const string InstitutionsFile = "institutions.json";
    public const string PositionsFile = "positions.json";
    public const string SkillsFile = "skills.json";
    public const string CampaignsFile = "campaigns.json";

    /// <summary>camelCase, as the files are written.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
    };

    /// <summary>Opens an embedded seed file by file name (for example <c>positions.json</c>).</summary>
    public static Stream Open(string fileName)
    {
        var name = "TalentMatch.ReferenceData.Data." + fileName;
        return typeof(SeedResources).Assembly.GetManifestResourceStream(name)
            ?? throw new FileNotFoundException($"Embedded seed resource '{name}' not found.", fileName);
    }

    /// <summary>The raw text of an embedded seed file.</summary>
    public static string ReadText(string fileName)
    {
        using var reader = new StreamReader(Open(fileName));
        return reader.ReadToEnd();
    }

    public static T Deserialize<T>(string fileName)
    {
        using var stream = Open(fileName);
        return JsonSerializer.Deserialize<T>(stream, JsonOptions)
            ?? throw new InvalidDataException($"Seed file '{fileName}' is empty.");
    }
}
