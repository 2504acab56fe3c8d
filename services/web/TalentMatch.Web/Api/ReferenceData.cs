using System.Globalization;
using System.Net.Http.Json;
using TalentMatch.Web.Localization;

namespace TalentMatch.Web.Api;

/// <summary>
/// The services' reference data (taxonomy, career stages, skills, institutions), read once and kept: it only
/// changes with a release. Labels are picked in the current UI culture.
/// </summary>
public class ReferenceData(IHttpClientFactory clients, ILogger<ReferenceData> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _loaded;

    public IReadOnlyList<ResearchField> Fields { get; protected set; } = [];
    public IReadOnlyList<CareerStageInfo> Stages { get; protected set; } = [];
    public IReadOnlyList<Skill> Skills { get; protected set; } = [];
    public IReadOnlyList<Institution> Institutions { get; protected set; } = [];
    private Dictionary<string, ResearchField> _fields = [];
    private Dictionary<Guid, Institution> _institutions = [];

    public virtual async Task EnsureLoadedAsync(CancellationToken ct = default)
    {
        if (_loaded)
        {
            return;
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (_loaded)
            {
                return;
            }

            var profiles = clients.CreateClient("reference-profiles");
            var positions = clients.CreateClient("reference-positions");
            Set(await profiles.GetFromJsonAsync<List<ResearchField>>("/api/taxonomy", ApiJson.Options, ct) ?? [],
                await profiles.GetFromJsonAsync<List<CareerStageInfo>>("/api/career-stages", ApiJson.Options, ct) ?? [],
                await profiles.GetFromJsonAsync<List<Skill>>("/api/skills", ApiJson.Options, ct) ?? [],
                await positions.GetFromJsonAsync<List<Institution>>("/api/institutions", ApiJson.Options, ct) ?? []);
        }
        catch (HttpRequestException e)
        {
            // Pages still work with codes instead of labels; the next page load tries again.
            logger.LogWarning(e, "Reference data could not be read");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Fills the data directly (tests, or a caller that already has it).</summary>
    public void Set(IReadOnlyList<ResearchField> fields, IReadOnlyList<CareerStageInfo> stages, IReadOnlyList<Skill> skills, IReadOnlyList<Institution> institutions)
    {
        Fields = fields;
        Stages = stages;
        Skills = skills;
        Institutions = institutions;
        _fields = fields.GroupBy(f => f.Code).ToDictionary(g => g.Key, g => g.First());
        _institutions = institutions.GroupBy(i => i.Id).ToDictionary(g => g.Key, g => g.First());
        _loaded = true;
    }

    public string FieldLabel(string code) => _fields.TryGetValue(code, out var f) ? Cultures.Pick(f.En, f.Zh) : code;

    /// <summary>"Medicine › Immunology › Tumour immunology": the path of a taxonomy node in the chosen language.</summary>
    public string FieldPath(string code)
    {
        var parts = new List<string>();
        for (var current = code; current is not null && _fields.TryGetValue(current, out var f); current = f.ParentCode)
        {
            parts.Insert(0, Cultures.Pick(f.En, f.Zh));
        }

        return parts.Count == 0 ? code : string.Join(" › ", parts);
    }

    public IEnumerable<ResearchField> Children(string? parentCode) =>
        Fields.Where(f => f.ParentCode == parentCode || (parentCode is null && string.IsNullOrEmpty(f.ParentCode)));

    public string InstitutionName(Guid id) => _institutions.TryGetValue(id, out var i) ? Cultures.Pick(i.NameEn, i.NameZh) : id.ToString();

    public Institution? Institution(Guid id) => _institutions.GetValueOrDefault(id);

    public CareerStageInfo? Stage(string? code) => Stages.FirstOrDefault(s => string.Equals(s.Code, code, StringComparison.OrdinalIgnoreCase));

    /// <summary>"R3 · Established Researcher (副研究员, 副主任医师)" in English; the Chinese names first in Chinese.</summary>
    public string StageLabel(string? code)
    {
        if (Stage(code) is not { } s)
        {
            return code ?? "";
        }

        var titles = s.ResearchTitles.Concat(s.ClinicalGrades).Select(t => t.Zh);
        return $"{s.Code} · {Cultures.Pick(s.En, s.Zh)} ({string.Join(", ", titles)})";
    }

    /// <summary>The career stage a title (Chinese or English, research title or clinical grade) belongs to.</summary>
    public string? StageOfTitle(string title) =>
        Stages.FirstOrDefault(s => s.ResearchTitles.Concat(s.ClinicalGrades)
            .Any(t => string.Equals(t.Zh, title, StringComparison.Ordinal) || string.Equals(t.En, title, StringComparison.OrdinalIgnoreCase)))?.Code;

    public string SkillLabel(string name) =>
        Cultures.IsChinese ? name : Skills.FirstOrDefault(s => s.Name == name)?.En is { Length: > 0 } en ? en : name;

    public IEnumerable<Skill> SuggestSkills(string? text, IEnumerable<string> fields)
    {
        var chosen = fields.ToList();
        var pool = Skills.Where(s => s.Fields is null || s.Fields.Count == 0 || s.Fields.Any(f => chosen.Any(c => c.StartsWith(f, StringComparison.Ordinal) || f.StartsWith(c, StringComparison.Ordinal))));
        if (!string.IsNullOrWhiteSpace(text))
        {
            pool = Skills.Where(s => s.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || s.En.Contains(text, StringComparison.OrdinalIgnoreCase));
        }

        return pool.Take(20);
    }

    public static string Cny(decimal? amount) =>
        amount is null ? "" : amount.Value.ToString("C0", CnyFormat(CultureInfo.CurrentCulture));

    /// <summary>The current culture's number format with the yuan sign, so 250000 reads "¥250,000" / "¥250,000".</summary>
    private static NumberFormatInfo CnyFormat(CultureInfo culture)
    {
        var format = (NumberFormatInfo)culture.NumberFormat.Clone();
        format.CurrencySymbol = "¥";
        return format;
    }
}
