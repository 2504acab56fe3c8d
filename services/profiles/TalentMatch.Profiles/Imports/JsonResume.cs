using System.Globalization;
using System.Text.RegularExpressions;
using TalentMatch.ReferenceData;

namespace TalentMatch.Profiles.Imports;

// The parts of a JSON Resume (https://jsonresume.org/schema, v1.0.0) that a profile can use. Every other member of the
// document (volunteer, projects, references, meta, ...) is accepted and ignored. Dates are ISO 8601 partial dates:
// "2014", "2014-06" or "2014-06-29".
internal sealed record JsonResumeDocument(
    JsonResumeBasics? Basics,
    List<JsonResumeWork>? Work,
    List<JsonResumeEducation>? Education,
    List<JsonResumeAward>? Awards,
    List<JsonResumePublication>? Publications,
    List<JsonResumeSkill>? Skills,
    List<JsonResumeLanguage>? Languages,
    List<JsonResumeInterest>? Interests);

internal sealed record JsonResumeBasics(string? Name, string? Label, string? Email, string? Phone, JsonResumeLocation? Location, List<JsonResumeNetworkProfile>? Profiles);

internal sealed record JsonResumeLocation(string? City, string? CountryCode, string? Region);

internal sealed record JsonResumeNetworkProfile(string? Network, string? Username, string? Url);

/// <param name="Company">Pre-1.0 documents call the employer "company"; 1.0 calls it "name".</param>
internal sealed record JsonResumeWork(string? Name, string? Company, string? Position, string? StartDate, string? EndDate);

internal sealed record JsonResumeEducation(string? Institution, string? Area, string? StudyType, string? StartDate, string? EndDate);

internal sealed record JsonResumeAward(string? Title, string? Date, string? Awarder);

internal sealed record JsonResumePublication(string? Name, string? ReleaseDate);

internal sealed record JsonResumeSkill(string? Name, string? Level, List<string?>? Keywords);

internal sealed record JsonResumeLanguage(string? Language, string? Fluency);

internal sealed record JsonResumeInterest(string? Name, List<string?>? Keywords);

/// <summary>What the caller says that a résumé cannot: read from the query string of the import request.</summary>
internal sealed record ResumeImportOptions(
    bool ConsentToMatching,
    IReadOnlyList<EmploymentModes>? EmploymentModes,
    IReadOnlyList<string>? ResearchFields,
    CareerStage? CareerStage,
    string? DegreeField,
    IReadOnlyList<string>? PreferredCities,
    DateOnly? EarliestStartDate);

/// <summary>
/// Maps a JSON Resume to a <see cref="ProfileRequest"/>. Whatever a profile requires and the document does not say
/// is reported as an error naming the query parameter to send; the result is then validated like any other request.
/// </summary>
internal static partial class JsonResumeMapper
{
    private static readonly Dictionary<string, string> LanguageCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["english"] = "en", ["chinese"] = "zh", ["mandarin"] = "zh", ["mandarin chinese"] = "zh", ["cantonese"] = "zh",
        ["中文"] = "zh", ["汉语"] = "zh", ["普通话"] = "zh", ["英语"] = "en", ["japanese"] = "ja", ["korean"] = "ko",
        ["german"] = "de", ["french"] = "fr", ["spanish"] = "es", ["portuguese"] = "pt", ["italian"] = "it",
        ["russian"] = "ru", ["arabic"] = "ar", ["hindi"] = "hi", ["dutch"] = "nl", ["swedish"] = "sv",
        ["norwegian"] = "no", ["danish"] = "da", ["finnish"] = "fi", ["polish"] = "pl", ["turkish"] = "tr",
        ["vietnamese"] = "vi", ["thai"] = "th", ["indonesian"] = "id", ["malay"] = "ms", ["greek"] = "el",
        ["hebrew"] = "he", ["persian"] = "fa", ["farsi"] = "fa", ["urdu"] = "ur", ["bengali"] = "bn",
        ["tamil"] = "ta", ["czech"] = "cs", ["hungarian"] = "hu", ["romanian"] = "ro", ["ukrainian"] = "uk",
        ["tibetan"] = "bo", ["uyghur"] = "ug", ["mongolian"] = "mn", ["latin"] = "la",
    };

    public static (ProfileRequest? Request, Dictionary<string, string[]> Errors) Map(
        JsonResumeDocument resume, ResumeImportOptions options, TaxonomyLabels labels, CareerStages stages, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        var basics = resume.Basics;

        // Research fields: the caller's choice wins; otherwise interests, skills and degree subjects that name a field.
        var researchFields = options.ResearchFields?.ToList();
        if (researchFields is null)
        {
            var candidates = (resume.Interests ?? []).SelectMany(i => new[] { i.Name }.Concat(i.Keywords ?? []))
                .Concat((resume.Skills ?? []).SelectMany(s => new[] { s.Name }.Concat(s.Keywords ?? [])))
                .Concat((resume.Education ?? []).Select(e => e.Area));
            var matches = candidates.Select(c => (Name: c, Codes: labels.MatchAll(c))).ToList();
            researchFields = matches.SelectMany(m => m.Codes).Distinct().Take(10).ToList();
            if (researchFields.Count == 0)
            {
                errors["researchFields"] = [NoFieldMatched(matches.Select(m => m.Name))];
            }
        }

        // Degrees: entries whose studyType is not a bachelor's, master's or doctorate (diplomas, certificates) are skipped.
        var degrees = new List<DegreeInput>();
        var education = resume.Education ?? [];
        for (var i = 0; i < education.Count; i++)
        {
            var e = education[i];
            if (LevelOf(e.StudyType) is not { } level)
            {
                continue;
            }

            string? field = labels.MatchAll(e.Area) is [var code, ..] ? code : options.DegreeField;
            if (field is null)
            {
                errors[$"education[{i}].area"] = [$"'{Short(e.Area)}' is not a research field of the taxonomy; send ?degreeField=CODE for the degree subject (see GET /api/taxonomy)."];
            }

            var year = YearOf(e.EndDate) ?? YearOf(e.StartDate);
            if (year is null)
            {
                errors[$"education[{i}].endDate"] = ["A degree needs its year: give endDate (or startDate) as YYYY, YYYY-MM or YYYY-MM-DD."];
            }

            degrees.Add(new DegreeInput(level, field, e.Institution, year));
        }

        // Current post: the work entry without an end date (latest start first), else the one that ended last.
        var work = resume.Work ?? [];
        var current = work.Where(w => WorkedTime.IsOpen(w.EndDate)).OrderByDescending(w => DateOf(w.StartDate)).FirstOrDefault()
            ?? work.OrderByDescending(w => DateOf(w.EndDate)).FirstOrDefault();
        var currentTitle = current?.Position?.Trim();
        var years = WorkedTime.Years(work, today, errors);

        var stage = options.CareerStage;
        if (stage is null && currentTitle is not null && stages.TryGetStageOfTitle(currentTitle, out var info, out _))
        {
            stage = info.Stage;
        }

        if (stage is null)
        {
            errors["careerStage"] = [currentTitle is null
                ? "The résumé has no current position to derive the career stage from; send ?careerStage=R1|R2|R3|R4."
                : $"The title '{Short(currentTitle)}' is not in the career-stage crosswalk (GET /api/career-stages); send ?careerStage=R1|R2|R3|R4."];
        }

        if (options.EmploymentModes is null or { Count: 0 })
        {
            errors["employmentModes"] = ["A résumé does not say which posts you accept; send ?employmentModes=full-time[,flexible-part-time][,visiting]."];
        }

        var skills = (resume.Skills ?? []).SelectMany(s => new[] { s.Name }.Concat(s.Keywords ?? []))
            .Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim().ToLowerInvariant()).Distinct().Take(50).ToList();
        var languages = (resume.Languages ?? []).Select(l => LanguageCode(l.Language)).OfType<string>().Distinct().Take(10).ToList();
        var honours = (resume.Awards ?? []).Select(HonourOf).OfType<HonourInput>().Take(20).ToList();

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new ProfileRequest(
            FullName: basics?.Name,
            Email: basics?.Email,
            Phone: string.IsNullOrWhiteSpace(basics?.Phone) ? null : basics.Phone,
            Orcid: OrcidOf(basics?.Profiles),
            Degrees: degrees,
            CurrentInstitution: current?.Name ?? current?.Company,
            CurrentTitle: currentTitle,
            CareerStage: stage,
            ResearchFields: researchFields,
            Skills: skills,
            YearsOfExperience: years,
            PublicationsCount: resume.Publications?.Count ?? 0,
            HIndex: null,
            GrantsLed: null,
            Honours: honours,
            Languages: languages,
            PreferredCities: options.PreferredCities ?? [],
            EmploymentModes: options.EmploymentModes,
            EarliestStartDate: options.EarliestStartDate,
            ConsentToMatching: options.ConsentToMatching), errors);
    }

    /// <summary>Bachelor's, master's or doctorate from a free-text study type; null for anything else.</summary>
    internal static DegreeLevel? LevelOf(string? studyType)
    {
        if (string.IsNullOrWhiteSpace(studyType))
        {
            return null;
        }

        var s = studyType.ToLowerInvariant().Replace(".", "");
        if (DoctorateWords().IsMatch(s) || s.Contains("博士", StringComparison.Ordinal))
        {
            return DegreeLevel.Doctorate;
        }

        if (MasterWords().IsMatch(s) || s.Contains("硕士", StringComparison.Ordinal))
        {
            return DegreeLevel.Master;
        }

        if (BachelorWords().IsMatch(s) || s.Contains("学士", StringComparison.Ordinal) || s.Contains("本科", StringComparison.Ordinal))
        {
            return DegreeLevel.Bachelor;
        }

        return null;
    }

    internal static string? LanguageCode(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        if (LanguageCodes.TryGetValue(trimmed, out var code))
        {
            return code;
        }

        // Already a code ("en", "zh-CN"): keep the language part.
        var m = LanguageTag().Match(trimmed);
        return m.Success ? m.Groups[1].Value.ToLowerInvariant() : null;
    }

    /// <summary>An award counts as a talent-programme honour only when its title clearly says which tier it is.</summary>
    private static HonourInput? HonourOf(JsonResumeAward award)
    {
        var title = award.Title?.Trim();
        if (string.IsNullOrEmpty(title) || YearOf(award.Date) is not { } year)
        {
            return null;
        }

        var t = title.ToLowerInvariant();
        var isProgramme = (t.Contains("talent") && (t.Contains("programme") || t.Contains("program") || t.Contains("plan") || t.Contains("scheme")))
            || t.Contains("人才") || t.Contains("thousand talents") || t.Contains("changjiang scholar") || t.Contains("长江学者");
        if (!isProgramme)
        {
            return null;
        }

        TalentTier? tier = t.Contains("young") || t.Contains("青年") ? TalentTier.Young
            : t.Contains("national") || t.Contains("国家") || t.Contains("changjiang") || t.Contains("长江") ? TalentTier.National
            : t.Contains("provincial") || t.Contains("ministerial") || t.Contains("municipal") || t.Contains("省") || t.Contains("市") ? TalentTier.Provincial
            : null;
        return tier is null ? null : new HonourInput(tier, title, year);
    }

    private static string? OrcidOf(List<JsonResumeNetworkProfile>? profiles)
    {
        var orcid = profiles?.FirstOrDefault(p => string.Equals(p.Network?.Trim(), "ORCID", StringComparison.OrdinalIgnoreCase));
        if (orcid is null)
        {
            return null;
        }

        var m = OrcidPattern().Match($"{orcid.Username} {orcid.Url}");
        return m.Success ? m.Value.ToUpperInvariant() : orcid.Username;
    }

    internal static DateOnly? DateOf(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string[] formats = ["yyyy-MM-dd", "yyyy-MM", "yyyy"];
        return DateOnly.TryParseExact(value.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }

    private static int? YearOf(string? value) => DateOf(value)?.Year;

    /// <summary>The 400 for a résumé none of whose subject names is a field: which names it gave, so they can be fixed.</summary>
    private static string NoFieldMatched(IEnumerable<string?> names)
    {
        const int Shown = 8;
        var given = names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => Short(n!.Trim()))
            .Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        const string Send = "send researchFields=CODE[,CODE] (codes, labels and synonyms: GET /api/taxonomy).";
        if (given.Count == 0)
        {
            return "The résumé names no interest, skill or degree subject to take research fields from; " + Send;
        }

        var list = string.Join(", ", given.Take(Shown).Select(n => $"'{n}'")) + (given.Count > Shown ? $" and {given.Count - Shown} more" : "");
        return $"The résumé names {list} — none matches a research field; {Send}";
    }

    private static string Short(string? value) => value is null ? "" : new string(value.Take(60).Where(c => !char.IsControl(c)).ToArray());

    [GeneratedRegex(@"\b(phd|dphil|doctor|doctorate|doctoral|md|dr|scd|dsc|edd|drph)\b")]
    private static partial Regex DoctorateWords();

    [GeneratedRegex(@"\b(master|masters|master's|msc|ma|mphil|mres|mph|meng|ms|mmed|mba|mst)\b")]
    private static partial Regex MasterWords();

    [GeneratedRegex(@"\b(bachelor|bachelors|bachelor's|bsc|ba|bs|beng|mbbs|bmed|bmbs|bm|llb|bpharm)\b")]
    private static partial Regex BachelorWords();

    [GeneratedRegex(@"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")]
    private static partial Regex LanguageTag();

    [GeneratedRegex(@"\d{4}-\d{4}-\d{4}-\d{3}[\dXx]")]
    private static partial Regex OrcidPattern();
}
