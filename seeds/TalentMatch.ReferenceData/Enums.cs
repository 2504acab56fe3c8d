using System.Text.Json.Serialization;

namespace TalentMatch.ReferenceData;

/// <summary>Highest completed degree. Numeric values match the contracts (0 none .. 3 doctorate).</summary>
public enum DegreeLevel { None = 0, Bachelor = 1, Master = 2, Doctorate = 3 }

/// <summary>Talent-programme honour level. Numeric values are ordered: a higher value is a more senior honour.</summary>
public enum TalentTier { None = 0, Young = 1, Provincial = 2, National = 3 }

/// <summary>Employment modes. A position has exactly one flag; a profile may accept several.</summary>
[Flags]
public enum EmploymentModes { None = 0, FullTime = 1, FlexiblePartTime = 2, Visiting = 4 }

/// <summary>EURAXESS research profiles R1..R4 (numeric value = stage number, as in the contracts).</summary>
public enum CareerStage
{
    [JsonStringEnumMemberName("R1")] R1 = 1,
    [JsonStringEnumMemberName("R2")] R2 = 2,
    [JsonStringEnumMemberName("R3")] R3 = 3,
    [JsonStringEnumMemberName("R4")] R4 = 4,
}

/// <summary>Kind of institution (JSON: hospital, laboratory, university, institute).</summary>
public enum InstitutionKind { Hospital, Laboratory, University, Institute }

/// <summary>Status of a seed position (JSON: open, draft).</summary>
public enum PositionStatus { Open, Draft }

/// <summary>Depth of a node in the research-field taxonomy.</summary>
public enum FieldLevel { Discipline = 1, Field = 2, Subfield = 3 }

/// <summary>Which ladder a title belongs to in the career-stage crosswalk.</summary>
public enum TitleTrack { Research, Clinical }

/// <summary>Conversions between the enums and the kebab-case strings used in the JSON seed files.</summary>
public static class SeedEnums
{
    public static DegreeLevel ParseDegree(string value) => value switch
    {
        "none" => DegreeLevel.None,
        "bachelor" => DegreeLevel.Bachelor,
        "master" => DegreeLevel.Master,
        "doctorate" => DegreeLevel.Doctorate,
        _ => throw new FormatException($"Unknown degree level '{value}'."),
    };

    public static TalentTier ParseTalentTier(string value) => value switch
    {
        "none" => TalentTier.None,
        "young" => TalentTier.Young,
        "provincial" => TalentTier.Provincial,
        "national" => TalentTier.National,
        _ => throw new FormatException($"Unknown talent tier '{value}'."),
    };

    public static EmploymentModes ParseEmploymentMode(string value) => value switch
    {
        "full-time" => EmploymentModes.FullTime,
        "flexible-part-time" => EmploymentModes.FlexiblePartTime,
        "visiting" => EmploymentModes.Visiting,
        _ => throw new FormatException($"Unknown employment mode '{value}'."),
    };

    public static CareerStage ParseCareerStage(string value) => value switch
    {
        "R1" => CareerStage.R1,
        "R2" => CareerStage.R2,
        "R3" => CareerStage.R3,
        "R4" => CareerStage.R4,
        _ => throw new FormatException($"Unknown career stage '{value}'."),
    };

    public static InstitutionKind ParseInstitutionKind(string value) => value switch
    {
        "hospital" => InstitutionKind.Hospital,
        "laboratory" => InstitutionKind.Laboratory,
        "university" => InstitutionKind.University,
        "institute" => InstitutionKind.Institute,
        _ => throw new FormatException($"Unknown institution kind '{value}'."),
    };

    public static PositionStatus ParsePositionStatus(string value) => value switch
    {
        "open" => PositionStatus.Open,
        "draft" => PositionStatus.Draft,
        _ => throw new FormatException($"Unknown position status '{value}'."),
    };

    public static string ToJson(this DegreeLevel value) => value.ToString().ToLowerInvariant();

    public static string ToJson(this TalentTier value) => value.ToString().ToLowerInvariant();

    public static string ToJson(this EmploymentModes single) => single switch
    {
        EmploymentModes.FullTime => "full-time",
        EmploymentModes.FlexiblePartTime => "flexible-part-time",
        EmploymentModes.Visiting => "visiting",
        _ => throw new ArgumentOutOfRangeException(nameof(single), single, "Exactly one mode flag expected."),
    };
}
