using FluentValidation;
using TalentMatch.ReferenceData;

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

    /// <summary>
    /// An e-mail address that can receive mail: one <c>@</c>, a local part of 1 to 64 visible characters, and a
    /// domain of at least two dot-separated labels (letters, digits, hyphens; no label empty, none starting or ending
    /// with a hyphen; a top-level label that is not all digits). <c>a@b</c>, <c>a@</c> and <c>@b.c</c> are not.
    /// </summary>
    public static bool IsDeliverableEmail(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 254)
        {
            return false;
        }

        var email = value.Trim();
        var at = email.IndexOf('@');
        if (at is <= 0 or > 64 || at != email.LastIndexOf('@'))
        {
            return false;
        }

        var local = email.AsSpan(0, at);
        foreach (var c in local)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '(' or ')' or ',' or ';' or ':' or '\\' or '"' or '[' or ']')
            {
                return false;
            }
        }

        var labels = email[(at + 1)..].Split('.');
        return labels.Length >= 2
            && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-' && l.All(c => char.IsLetterOrDigit(c) || c == '-'))
            && !labels[^1].All(char.IsAsciiDigit);
    }

    public const string EmailMessage = "A valid e-mail address with a domain is required (name@example.org).";

    /// <summary><see cref="IsDeliverableEmail"/> as a rule (an empty value is left to NotEmpty).</summary>
    public static IRuleBuilderOptions<T, string?> DeliverableEmail<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(e => string.IsNullOrEmpty(e) || IsDeliverableEmail(e)).WithMessage(EmailMessage);

    /// <summary>Trims, lower-cases and de-duplicates tags so that "Flow Cytometry " and "flow cytometry" match.</summary>
    public static List<string> NormalizeTags(IEnumerable<string>? tags, bool lowerCase = true) =>
        (tags ?? []).Select(t => lowerCase ? t.Trim().ToLowerInvariant() : t.Trim()).Where(t => t.Length > 0).Distinct().ToList();

    // Echo at most a short, sanitised prefix of what the client sent.
    private static string Quote(string? value) =>
        value is null ? "null" : "'" + new string(value.Take(40).Where(ch => !char.IsControl(ch)).ToArray()) + "'";
}
