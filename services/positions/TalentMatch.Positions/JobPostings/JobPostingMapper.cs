using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TalentMatch.ReferenceData;

namespace TalentMatch.Positions.JobPostings;

/// <summary>
/// schema.org JobPosting ↔ position. Mapping decisions (see the README, "Imports and exports"):
/// <list type="bullet">
/// <item>employmentType FULL_TIME → full-time; PART_TIME → flexible-part-time; CONTRACTOR, TEMPORARY, PER_DIEM → visiting
/// (fixed-term posts alongside a home post); INTERN, VOLUNTEER, OTHER → 400 unless <c>?employmentMode=</c> says which.</item>
/// <item>baseSalary must be in CNY; unitText YEAR as is, MONTH × 12; other units → 400.</item>
/// <item>educationRequirements: educationalLevel, else credentialCategory: doctoral/doctorate/PhD → doctorate,
/// postgraduate/master → master, bachelor → bachelor; absent or lower → none.</item>
/// <item>Career stages are not in schema.org: the export writes them as "EURAXESS R2–R3" in qualifications, the import
/// reads that, else the title via the crosswalk, else <c>?careerStageMin=&amp;careerStageMax=</c>.</item>
/// <item>Research fields: keywords, industry and occupationalCategory matched to taxonomy labels or codes, else
/// <c>?researchFields=</c>. Preferred skills, department, languages, start-up funding and talent tier have no JobPosting
/// property and are not exported.</item>
/// </list>
/// </summary>
internal static partial class JobPostingMapper
{
    private static readonly string[] SchemaOrg = ["https://schema.org", "http://schema.org", "https://schema.org/", "http://schema.org/"];

    /// <summary>The JobPosting object of a document: the root, or the single JobPosting of an <c>@graph</c>.</summary>
    public static JsonObject? FindPosting(JsonNode document, Dictionary<string, string[]> errors)
    {
        if (document is not JsonObject root)
        {
            errors["body"] = ["Send one JobPosting object."];
            return null;
        }

        var context = root["@context"] is JsonValue c && c.TryGetValue<string>(out var ctx) ? ctx : null;
        if (context is null || !SchemaOrg.Contains(context))
        {
            errors["@context"] = ["Use \"@context\": \"https://schema.org\"."];
            return null;
        }

        if (root["@graph"] is JsonArray graph)
        {
            var postings = graph.OfType<JsonObject>().Where(IsJobPosting).ToList();
            if (postings.Count != 1)
            {
                errors["@graph"] = [$"Import one JobPosting at a time; this graph has {postings.Count}."];
                return null;
            }

            return postings[0];
        }

        if (!IsJobPosting(root))
        {
            errors["@type"] = ["Use \"@type\": \"JobPosting\"."];
            return null;
        }

        return root;
    }

    private static bool IsJobPosting(JsonObject o) => o["@type"] switch
    {
        JsonValue v => v.TryGetValue<string>(out var t) && t == "JobPosting",
        JsonArray a => a.Any(t => t is JsonValue v && v.TryGetValue<string>(out var s) && s == "JobPosting"),
        _ => false,
    };

    public static PositionRequest? Map(
        JsonObject posting, JobPostingQuery query, ReferenceData.Institutions institutions, TaxonomyLabels labels, CareerStages stages,
        Dictionary<string, string[]> errors)
    {
        CheckShapes(posting, errors);
        var title = Text(posting["title"])?.Trim();
        if (string.IsNullOrEmpty(title))
        {
            errors["title"] = ["A JobPosting needs a title."];
        }

        // Hiring organisation: the caller's institution id, else by name (English, Chinese or slug) or sameAs/url.
        Guid? institutionId = query.InstitutionId;
        if (institutionId is null)
        {
            var org = posting["hiringOrganization"];
            // A plain string is the organisation's name, as many real postings write it.
            var names = new[] { Text(org), Text(Member(org, "name")), Text(Member(org, "alternateName")), Text(Member(org, "legalName")) }
                .Concat(new[] { Text(Member(org, "sameAs")), Text(Member(org, "url")) }.Select(LastSegment));
            var match = institutions.All.FirstOrDefault(i => names.Any(n => n is not null &&
                (string.Equals(n.Trim(), i.NameEn, StringComparison.OrdinalIgnoreCase) || n.Trim() == i.NameZh ||
                 string.Equals(n.Trim(), i.Slug, StringComparison.OrdinalIgnoreCase) || n.Trim() == i.Id.ToString())));
            if (match is null)
            {
                errors["hiringOrganization"] = [$"'{Clip(Text(Member(org, "name")) ?? Text(org))}' is not a known institution; use its English or Chinese name as in GET /api/institutions, or send ?institutionId=."];
            }

            institutionId = match?.Id;
        }

        // Location: the first place's locality; omitted means the institution's city.
        var place = posting["jobLocation"] is JsonArray places ? places.FirstOrDefault() : posting["jobLocation"];
        var city = Text(Member(Member(place, "address"), "addressLocality"));

        var employmentMode = query.EmploymentMode ?? EmploymentModeOf(posting["employmentType"], errors);

        // Research fields.
        var fields = query.ResearchFields?.ToList();
        if (fields is null)
        {
            fields = Texts(posting["keywords"], splitCommas: true).Concat(Texts(posting["industry"], splitCommas: false))
                .Concat(Texts(posting["occupationalCategory"], splitCommas: false))
                .Select(l => labels.TryMatch(l, out var code) ? code : null).OfType<string>().Distinct().Take(10).ToList();
            if (fields.Count == 0)
            {
                errors["researchFields"] = ["No keyword, industry or occupationalCategory names a research field of the taxonomy; send ?researchFields=CODE[,CODE] (see GET /api/taxonomy)."];
            }
        }

        // Career stages.
        var qualifications = string.Join(" ", Texts(posting["qualifications"], splitCommas: false));
        var (stageMin, stageMax) = (query.CareerStageMin, query.CareerStageMax);
        if (stageMin is null || stageMax is null)
        {
            var m = EuraxessStages().Match(qualifications);
            CareerStage? fromTitle = null;
            if (!m.Success && title is not null)
            {
                foreach (var candidate in new[] { title, title.Split([',', '(', '–', '-', '—'], 2)[0] })
                {
                    if (stages.TryGetStageOfTitle(candidate, out var info, out _))
                    {
                        fromTitle = info.Stage;
                        break;
                    }
                }
            }

            CareerStage? derivedMin = m.Success ? (CareerStage)int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : fromTitle;
            CareerStage? derivedMax = m.Success ? (CareerStage)int.Parse(m.Groups[2].Success ? m.Groups[2].Value : m.Groups[1].Value, CultureInfo.InvariantCulture) : fromTitle;
            stageMin ??= derivedMin ?? stageMax;
            stageMax ??= derivedMax ?? stageMin;
            if (stageMin is null)
            {
                errors["careerStageMin"] = ["The posting does not say which career stages it is for (no 'EURAXESS R2–R3' in qualifications, no crosswalk title); send ?careerStageMin=R1..R4&careerStageMax=R1..R4."];
            }
        }

        var (salary, _) = SalaryOf(posting["baseSalary"], errors);
        var minimumDegree = DegreeOf(posting["educationRequirements"]);
        var minimumYears = 0.0;
        if (posting["experienceRequirements"] is JsonObject experience && Number(experience["monthsOfExperience"]) is { } months)
        {
            minimumYears = Math.Round(months / 12.0, 1);
        }

        int? headcount = 1;
        if (posting["totalJobOpenings"] is { } openings)
        {
            headcount = Number(openings) is { } n && n == Math.Floor(n) && n is >= 1 and <= int.MaxValue ? (int)n : null;
            if (headcount is null)
            {
                errors["totalJobOpenings"] = ["Use a whole number of openings, at least 1."];
            }
        }

        DateOnly? deadline = null;
        if (Text(posting["validThrough"]) is { } validThrough)
        {
            deadline = DateOf(validThrough);
            if (deadline is null)
            {
                errors["validThrough"] = ["Use an ISO 8601 date or date-time, e.g. 2027-03-18 or 2027-03-18T00:00."];
            }
        }

        var skills = Texts(posting["skills"], splitCommas: true).Where(s => s.Length <= 100).Distinct(StringComparer.OrdinalIgnoreCase).Take(50).ToList();

        if (errors.Count > 0)
        {
            return null;
        }

        return new PositionRequest(
            InstitutionId: institutionId,
            Title: title,
            Department: null,
            Description: PlainText(Text(posting["description"])),
            City: city,
            ResearchFields: fields,
            RequiredSkills: skills,
            PreferredSkills: [],
            MinimumDegree: minimumDegree,
            CareerStageMin: stageMin,
            CareerStageMax: stageMax,
            MinimumYears: minimumYears,
            TalentTierSought: null,
            EmploymentMode: employmentMode,
            Languages: [],
            Headcount: headcount,
            SalaryBand: salary,
            StartupFundingCny: null,
            ApplicationDeadline: deadline,
            Status: query.Status);
    }

    public static JsonObject ToJobPosting(Position p, Institution institution, ResearchFieldTaxonomy taxonomy)
    {
        var posting = new JsonObject
        {
            ["@type"] = "JobPosting",
            ["identifier"] = new JsonObject { ["@type"] = "PropertyValue", ["name"] = "TalentMatch", ["value"] = p.Id.ToString() },
            ["title"] = p.Title,
            ["description"] = (p.Description ?? p.Title).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;"),
            ["datePosted"] = p.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["hiringOrganization"] = new JsonObject
            {
                ["@type"] = "Organization",
                ["name"] = institution.NameEn,
                ["alternateName"] = institution.NameZh,
            },
            ["jobLocation"] = new JsonObject
            {
                ["@type"] = "Place",
                ["address"] = new JsonObject { ["@type"] = "PostalAddress", ["addressLocality"] = p.City, ["addressCountry"] = "CN" },
            },
            ["employmentType"] = p.EmploymentMode switch
            {
                EmploymentModes.FullTime => "FULL_TIME",
                EmploymentModes.FlexiblePartTime => "PART_TIME",
                _ => "TEMPORARY",
            },
            ["keywords"] = new JsonArray(p.ResearchFields.Select(c => (JsonNode)(taxonomy.TryGet(c, out var f) ? f.En : c)).ToArray()),
            ["skills"] = new JsonArray(p.RequiredSkills.Select(s => (JsonNode)s).ToArray()),
            ["qualifications"] = p.CareerStageMin == p.CareerStageMax
                ? $"Career stage: EURAXESS {p.CareerStageMin}"
                : $"Career stage: EURAXESS {p.CareerStageMin}–{p.CareerStageMax}",
            ["totalJobOpenings"] = p.Headcount,
            ["directApply"] = false,
        };
        if (p.ApplicationDeadline is { } deadline)
        {
            posting["validThrough"] = deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        if (p.SalaryMinCny is { } min && p.SalaryMaxCny is { } max)
        {
            posting["baseSalary"] = new JsonObject
            {
                ["@type"] = "MonetaryAmount",
                ["currency"] = "CNY",
                ["value"] = new JsonObject { ["@type"] = "QuantitativeValue", ["minValue"] = min, ["maxValue"] = max, ["unitText"] = "YEAR" },
            };
        }

        if (p.MinimumDegree != DegreeLevel.None)
        {
            posting["educationRequirements"] = new JsonObject
            {
                ["@type"] = "EducationalOccupationalCredential",
                ["credentialCategory"] = p.MinimumDegree == DegreeLevel.Bachelor ? "bachelor degree" : "postgraduate degree",
                ["educationalLevel"] = p.MinimumDegree.ToJson(),
            };
        }

        if (p.MinimumYears > 0)
        {
            posting["experienceRequirements"] = new JsonObject
            {
                ["@type"] = "OccupationalExperienceRequirements",
                ["monthsOfExperience"] = Math.Round(p.MinimumYears * 12, 1),
            };
        }

        return posting;
    }

    private static EmploymentModes? EmploymentModeOf(JsonNode? node, Dictionary<string, string[]> errors)
    {
        var types = Texts(node, splitCommas: true).Select(t => t.Trim().ToUpperInvariant().Replace('-', '_').Replace(' ', '_')).ToList();
        if (types.Count == 0)
        {
            return EmploymentModes.FullTime; // schema.org's default reading of a posting without a type
        }

        var modes = new HashSet<EmploymentModes>();
        foreach (var type in types)
        {
            EmploymentModes? mode = type switch
            {
                "FULL_TIME" => EmploymentModes.FullTime,
                "PART_TIME" => EmploymentModes.FlexiblePartTime,
                "CONTRACTOR" or "TEMPORARY" or "PER_DIEM" => EmploymentModes.Visiting,
                _ => null,
            };
            if (mode is null)
            {
                errors["employmentType"] = [$"'{Clip(type)}' has no TalentMatch equivalent (INTERN, VOLUNTEER and OTHER are not research posts); send ?employmentMode=full-time|flexible-part-time|visiting."];
                return null;
            }

            modes.Add(mode.Value);
        }

        if (modes.Count > 1)
        {
            errors["employmentType"] = ["A position has one employment mode and the posting names several; send ?employmentMode=full-time|flexible-part-time|visiting."];
            return null;
        }

        return modes.Single();
    }

    private static (SalaryBandInput? Band, bool Ok) SalaryOf(JsonNode? node, Dictionary<string, string[]> errors)
    {
        if (node is not JsonObject salary)
        {
            return (null, true);
        }

        var currency = Text(salary["currency"])?.Trim().ToUpperInvariant();
        if (currency != "CNY")
        {
            errors["baseSalary.currency"] = [$"Salaries are kept in CNY; '{Clip(currency)}' is not converted. Give the salary in CNY or leave baseSalary out."];
            return (null, false);
        }

        var value = salary["value"];
        double? min, max;
        string? unit;
        if (value is JsonObject quantitative)
        {
            min = Number(quantitative["minValue"]) ?? Number(quantitative["value"]);
            max = Number(quantitative["maxValue"]) ?? Number(quantitative["value"]);
            unit = Text(quantitative["unitText"])?.Trim().ToUpperInvariant();
        }
        else
        {
            min = max = Number(value);
            unit = "YEAR";
        }

        var factor = unit switch { "YEAR" or null => 1, "MONTH" => 12, _ => 0 };
        if (factor == 0)
        {
            errors["baseSalary.value.unitText"] = [$"'{Clip(unit)}' cannot be turned into a yearly salary; use YEAR or MONTH."];
            return (null, false);
        }

        if (min is null || max is null)
        {
            errors["baseSalary.value"] = ["Give value, or minValue and maxValue, as numbers."];
            return (null, false);
        }

        // A decimal holds about 7.9e28; anything near that is no salary, and converting it would overflow.
        const double largest = 1e15;
        if (Math.Abs(min.Value) > largest || Math.Abs(max.Value) > largest)
        {
            errors["baseSalary.value"] = ["The amount is too large to be a salary."];
            return (null, false);
        }

        return (new SalaryBandInput((decimal)min.Value * factor, (decimal)max.Value * factor), true);
    }

    private static DegreeLevel DegreeOf(JsonNode? node)
    {
        var candidates = node switch
        {
            JsonArray a => a.Select(DegreeText),
            _ => [DegreeText(node)],
        };
        return candidates.Select(Level).DefaultIfEmpty(DegreeLevel.None).Max();

        static string? DegreeText(JsonNode? n) => n is JsonObject o
            ? Text(o["educationalLevel"]) ?? Text(o["credentialCategory"])
            : Text(n);

        static DegreeLevel Level(string? text)
        {
            var t = text?.ToLowerInvariant() ?? "";
            return t.Contains("doctor") || t.Contains("phd") || t.Contains("ph.d") ? DegreeLevel.Doctorate
                : t.Contains("postgraduate") || t.Contains("master") ? DegreeLevel.Master
                : t.Contains("bachelor") ? DegreeLevel.Bachelor
                : DegreeLevel.None;
        }
    }

    /// <summary>Description text without HTML: block tags become line breaks, entities are decoded, blank runs collapse.</summary>
    internal static string? PlainText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return null;
        }

        var text = BlockTags().Replace(html, "\n");
        text = Tags().Replace(text, "");
        text = WebUtility.HtmlDecode(text);
        text = string.Join("\n", text.Split('\n').Select(l => Spaces().Replace(l, " ").Trim()).Where(l => l.Length > 0));
        return text.Length == 0 ? null : text;
    }

    private static DateOnly? DateOf(string value)
    {
        var v = value.Trim();
        if (DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        // A date-time: the calendar date as written, whatever its offset.
        return DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? DateOnly.FromDateTime(at.DateTime) : null;
    }

    private static readonly string[] TextMembers = ["title", "description", "validThrough", "datePosted"];
    private static readonly string[] TextListMembers = ["keywords", "industry", "occupationalCategory", "qualifications", "skills", "employmentType"];

    /// <summary>
    /// The members the mapping reads must have a shape it can read: text where text is meant; text, a list of texts or
    /// of DefinedTerms (objects with a name) for the list-like ones; an object, or a plain name, for hiringOrganization;
    /// Place objects for jobLocation; what schema.org allows for baseSalary and experienceRequirements. Anything else is
    /// named in a 400 rather than silently read as absent.
    /// </summary>
    private static void CheckShapes(JsonObject posting, Dictionary<string, string[]> errors)
    {
        foreach (var name in TextMembers)
        {
            if (posting[name] is { } node && Text(node) is null)
            {
                errors[name] = [$"Give {name} as text."];
            }
        }

        foreach (var name in TextListMembers)
        {
            switch (posting[name])
            {
                case null:
                case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                    break;
                case JsonArray items:
                    for (var i = 0; i < items.Count; i++)
                    {
                        if (Text(items[i]) is null && Text(Member(items[i], "name")) is null)
                        {
                            errors[$"{name}[{i}]"] = ["Give each entry as text or as an object with a text name."];
                        }
                    }

                    break;
                case JsonObject o when Text(o["name"]) is not null:
                    break;
                default:
                    errors[name] = [$"Give {name} as text or a list of texts."];
                    break;
            }
        }

        if (posting["hiringOrganization"] is { } org && org is not JsonObject && Text(org) is null)
        {
            errors["hiringOrganization"] = ["Give hiringOrganization as an Organization object or as its name."];
        }

        var location = posting["jobLocation"];
        if (location is not (null or JsonObject) && !(location is JsonArray places && places.All(p => p is JsonObject)))
        {
            errors["jobLocation"] = ["Give jobLocation as a Place object (or a list of them)."];
        }

        // schema.org also allows a bare number for baseSalary and text for experienceRequirements (both read as absent).
        if (posting["baseSalary"] is { } salary && salary is not JsonObject && Number(salary) is null)
        {
            errors["baseSalary"] = ["Give baseSalary as a MonetaryAmount object."];
        }

        if (posting["experienceRequirements"] is { } experience && experience is not JsonObject && Text(experience) is null)
        {
            errors["experienceRequirements"] = ["Give experienceRequirements as an OccupationalExperienceRequirements object or as text."];
        }
    }

    /// <summary>A member of an object; null when the node is absent or not an object (a string, number or array).</summary>
    private static JsonNode? Member(JsonNode? node, string name) => node is JsonObject o ? o[name] : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>A text or list of texts (or DefinedTerms with a name); comma-separated text is split when asked.</summary>
    private static IEnumerable<string> Texts(JsonNode? node, bool splitCommas)
    {
        IEnumerable<JsonNode?> items = node is JsonArray a ? a : new[] { node };
        foreach (var item in items)
        {
            var text = Text(item) ?? Text(Member(item, "name"));
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            foreach (var part in splitCommas ? text.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [text.Trim()])
            {
                yield return part;
            }
        }
    }

    private static string? LastSegment(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Segments.LastOrDefault()?.Trim('/') is { Length: > 0 } s ? s : uri.Host : null;

    private static string Clip(string? value) => value is null ? "" : new string(value.Take(60).Where(c => !char.IsControl(c)).ToArray());

    [GeneratedRegex(@"EURAXESS\s+R([1-4])(?:\s*[–\-]\s*R([1-4]))?")]
    private static partial Regex EuraxessStages();

    [GeneratedRegex(@"<\s*(br|/p|/div|/li|/h[1-6]|/tr|li|p|div)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTags();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"[ \t\r\f\v]+")]
    private static partial Regex Spaces();
}
