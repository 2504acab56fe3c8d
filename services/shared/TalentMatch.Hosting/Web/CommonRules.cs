using FluentValidation;
using TalentMatch.Seeds;

namespace TalentMatch.Hosting.Web;

/// <summary>Validation rules both profiles and positions apply to the same kinds of field.</summary>
public static class CommonRules
{
    public const int MaxListItems = 50;
    public const int MaxTagLength = 100;

    /// <summary>The single employment modes a client may name (a position has one, a profile a list of them).</summary>
    public static readonly EmploymentModes[] SingleModes = [EmploymentModes.FullTime, EmploymentModes.FlexiblePartTime, EmploymentModes.Visiting];

    /// <summary>Research-field codes from the taxonomy (GET /api/taxonomy), 1 to 10 of them.</summary>
    public static IRuleBuilderOptions<T, IReadOnlyList<string>?> ResearchFieldCodes<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule, ResearchFieldTaxonomy taxonomy) =>
        rule.NotEmpty().WithMessage("At least one research field code is required.")
            .Must(l => l is null || l.Count <= 10).WithMessage("At most 10 research fields.")
            .Must(l => l is null || l.All(c => c is not null && taxonomy.Contains(c)))
            .WithMessage((_, l) => $"Unknown research field code(s): {string.Join(", ", (l ?? []).Where(c => c is null || !taxonomy.Contains(c)).Select(Quote).Take(5))}. See GET /api/taxonomy.");

    public static IRuleBuilderOptions<T, EmploymentModes?> SingleEmploymentMode<T>(this IRuleBuilder<T, EmploymentModes?> rule) =>
        rule.Must(m => m is null || SingleModes.Contains(m.Value)).WithMessage("Use one of: full-time, flexible-part-time, visiting.");

    public static IRuleBuilderOptions<T, EmploymentModes> SingleEmploymentMode<T>(this IRuleBuilder<T, EmploymentModes> rule) =>
        rule.Must(m => SingleModes.Contains(m)).WithMessage("Use one of: full-time, flexible-part-time, visiting.");

    /// <summary>Free-text tags such as skills or cities: non-blank, at most 100 characters each, at most 50.</summary>
    public static IRuleBuilderOptions<T, IReadOnlyList<string>?> Tags<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule) =>
        rule.Must(l => l is null || l.Count <= MaxListItems).WithMessage($"At most {MaxListItems} entries.")
            .Must(l => l is null || l.All(s => !string.IsNullOrWhiteSpace(s) && s.Length <= MaxTagLength))
            .WithMessage($"Entries must be non-blank and at most {MaxTagLength} characters.");

    /// <summary>Trims, lower-cases and de-duplicates tags so that "Flow Cytometry " and "flow cytometry" match.</summary>
    public static List<string> NormalizeTags(IEnumerable<string>? tags, bool lowerCase = true) =>
        (tags ?? []).Select(t => lowerCase ? t.Trim().ToLowerInvariant() : t.Trim()).Where(t => t.Length > 0).Distinct().ToList();

    // Echo at most a short, sanitised prefix of what the client sent.
    private static string Quote(string? value) =>
        value is null ? "null" : "'" + new string(value.Take(40).Where(ch => !char.IsControl(ch)).ToArray()) + "'";
}
