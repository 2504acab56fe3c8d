using System.Collections.Frozen;
using System.Text;

namespace TalentMatch.ReferenceData;

/// <summary>
/// Finds research-field codes by label, the way imported documents name fields ("Immunology", "Tumor immunology",
/// "免疫学", "Computer Science", "计算机科学"): the English or Chinese label of a node, one of its synonyms, or the code
/// itself, ignoring case, punctuation, full-width forms and US/UK spelling. No fuzzy matching: a name that does not
/// match is left for the caller to choose. Used by both imports (JSON Resume in profiles, JobPosting in positions).
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
        ("gynec", "gynaec"), ("behavior", "behaviour"), ("ization", "isation"), ("ized", "ised"), ("ize", "ise"),
    ];

    // Separators of lists written into one name ("Bioinformatics / Machine learning", "人工智能、生物信息学").
    private static readonly char[] ListSeparators = [',', ';', '/', '|', '、', '，', '；', '／'];

    private readonly FrozenDictionary<string, string> _byLabel;

    /// <exception cref="InvalidDataException">Two nodes share a label or synonym (after folding).</exception>
    public TaxonomyLabels(ResearchFieldTaxonomy taxonomy)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var clashes = new List<string>();
        foreach (var field in taxonomy.All)
        {
            foreach (var label in new[] { field.En, field.Zh, field.Code }.Concat(field.Synonyms.En).Concat(field.Synonyms.Zh))
            {
                var key = Normalize(label);
                if (key.Length == 0)
                {
                    clashes.Add($"'{label}' of {field.Code} is only punctuation");
                }
                else if (!map.TryAdd(key, field.Code) && map[key] != field.Code)
                {
                    clashes.Add($"'{label}' of {field.Code} is also a name of {map[key]}");
                }
            }
        }

        if (clashes.Count > 0)
        {
            throw new InvalidDataException("Research-field labels or synonyms that do not name exactly one field: " + string.Join(", ", clashes));
        }

        _byLabel = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The code a whole name stands for.</summary>
    public bool TryMatch(string? label, out string code)
    {
        code = "";
        return !string.IsNullOrWhiteSpace(label) && _byLabel.TryGetValue(Normalize(label), out code!);
    }

    /// <summary>
    /// The codes a name stands for: the whole name's, or else those of the parts of a list written as one name
    /// ("AI / bioinformatics"). Empty when nothing matches.
    /// </summary>
    public IReadOnlyList<string> MatchAll(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return [];
        }

        if (TryMatch(name, out var whole))
        {
            return [whole];
        }

        return name.Split(ListSeparators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => TryMatch(part, out var code) ? code : null).OfType<string>().Distinct().ToList();
    }

    /// <summary>
    /// The folded form labels are compared in. Applied to both the taxonomy's labels and the input, so folding only has
    /// to be consistent, not linguistic: full-width forms to ASCII, lower case, apostrophes and full stops
    /// dropped ("Alzheimer's", "A.I."), '&amp;' as "and", 和/及 as 与, other punctuation and symbols as one space
    /// (none between Chinese characters), US spellings as British.
    /// </summary>
    public static string Normalize(string label)
    {
        var b = new StringBuilder(label.Length);
        foreach (var raw in label)
        {
            // Full-width forms (what Chinese input methods type: "Ｃｏｍｐｕｔｅｒ　Ｓｃｉｅｎｃｅ") as ASCII; the services run with
            // invariant globalization, where string.Normalize does not fold them.
            var c = char.ToLowerInvariant(raw switch
            {
                >= '\uff01' and <= '\uff5e' => (char)(raw - 0xfee0),
                '\u3000' => ' ',
                _ => raw,
            });
            switch (c)
            {
                case '\'' or '\u2018' or '\u2019' or '.' or '\u3002':
                    continue;
                case '&':
                    b.Append(" and ");
                    continue;
                case '和' or '及':
                    b.Append('与');
                    continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                // A space between two Chinese characters is not a word break ("生物 信息学").
                if (IsCjk(c) && b.Length >= 2 && b[^1] == ' ' && IsCjk(b[^2]))
                {
                    b.Length--;
                }

                b.Append(c);
            }
            else if (b.Length > 0 && b[^1] != ' ')
            {
                b.Append(' ');
            }
        }

        var s = string.Join(' ', b.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var (us, uk) in Spellings)
        {
            s = s.Replace(us, uk, StringComparison.Ordinal);
        }

        return s;
    }

    private static bool IsCjk(char c) => c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf';
}
