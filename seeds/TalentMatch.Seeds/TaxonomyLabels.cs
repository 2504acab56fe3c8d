using System.Collections.Frozen;
namespace TalentMatch.Seeds;

/// <summary>
/// Finds research-field codes by label, the way imported documents name fields ("Immunology", "Tumor immunology",
/// "免疫学"): case-insensitive English or Chinese label, or the code itself, with US spellings folded to the
/// taxonomy's British ones. No fuzzy matching: a label that does not match exactly is left for the caller to choose.
/// Used by both imports (JSON Resume in profiles, JobPosting in positions).
/// </summary>
public sealed class TaxonomyLabels
{
    private static readonly Lazy<TaxonomyLabels> Cached = new(() => new TaxonomyLabels(ResearchFieldTaxonomy.Load()));

    /// <summary>Labels of the embedded taxonomy, built once.</summary>
    public static TaxonomyLabels Default => Cached.Value;

    private static readonly (string Us, string Uk)[] Spellings =
    [
        ("tumor", "tumour"), ("signaling", "signalling"), ("hemat", "haemat"), ("hemo", "haemo"),
        ("pediatric", "paediatric"), ("anesthe", "anaesthe"), ("orthoped", "orthopaed"), ("modeling", "modelling"),
    ];

    private readonly FrozenDictionary<string, string> _byLabel;

    public TaxonomyLabels(ResearchFieldTaxonomy taxonomy)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in taxonomy.All)
        {
            map.TryAdd(Normalize(field.En), field.Code);
            map.TryAdd(Normalize(field.Zh), field.Code);
            map.TryAdd(Normalize(field.Code), field.Code);
        }

        _byLabel = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public bool TryMatch(string? label, out string code)
    {
        code = "";
        return !string.IsNullOrWhiteSpace(label) && _byLabel.TryGetValue(Normalize(label), out code!);
    }

    // Applied to both the taxonomy's labels and the input, so folding only has to be consistent, not linguistic.
    private static string Normalize(string label)
    {
        var s = string.Join(' ', label.ToLowerInvariant().Replace("&", " and ").Replace('-', ' ')
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var (us, uk) in Spellings)
        {
            s = s.Replace(us, uk, StringComparison.Ordinal);
        }

        return s;
    }
}
