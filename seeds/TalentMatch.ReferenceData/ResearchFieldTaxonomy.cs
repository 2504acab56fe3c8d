using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace TalentMatch.ReferenceData;

/// <summary>One node of the research-field taxonomy (a discipline, field or subfield).</summary>
public sealed record ResearchField(
    string Code,
    string En,
    string Zh,
    FieldLevel Level,
    string? ParentCode,
    ImmutableArray<string> ChildCodes,
    FieldSynonyms Synonyms)
{
    /// <summary>The first segment of the code: the discipline this node belongs to.</summary>
    public string DisciplineCode => Code.Split('.')[0];
}

/// <summary>
/// Other names people write for a node on a CV or in a posting ("Computer science", "计算机科学"), English and Chinese.
/// They are matched like the labels (<see cref="TaxonomyLabels"/>); each belongs to exactly one node.
/// </summary>
public sealed record FieldSynonyms(ImmutableArray<string> En, ImmutableArray<string> Zh)
{
    public static readonly FieldSynonyms None = new([], []);
}

/// <summary>
/// The hierarchical research-field taxonomy (discipline → field → subfield) from <c>research-fields.json</c>.
/// Codes are 1–3 upper-case ASCII segments separated by dots; a child's code is its parent's code plus a dot
/// and one more segment. Immutable and safe to share.
/// </summary>
public sealed partial class ResearchFieldTaxonomy
{
    private static readonly Lazy<ResearchFieldTaxonomy> Cached = new(LoadEmbedded);
    private readonly FrozenDictionary<string, ResearchField> _byCode;

    private ResearchFieldTaxonomy(string version, ImmutableArray<ResearchField> all)
    {
        Version = version;
        All = all;
        _byCode = all.ToFrozenDictionary(f => f.Code, StringComparer.Ordinal);
        Disciplines = all.Where(f => f.Level == FieldLevel.Discipline).ToImmutableArray();
        Fields = all.Where(f => f.Level == FieldLevel.Field).ToImmutableArray();
        Subfields = all.Where(f => f.Level == FieldLevel.Subfield).ToImmutableArray();
    }

    /// <summary>Taxonomy version, for example <c>2026.1</c>.</summary>
    public string Version { get; }

    /// <summary>Every node, flattened depth-first in file order (discipline, its fields, their subfields, ...).</summary>
    public ImmutableArray<ResearchField> All { get; }

    public ImmutableArray<ResearchField> Disciplines { get; }

    public ImmutableArray<ResearchField> Fields { get; }

    public ImmutableArray<ResearchField> Subfields { get; }

    /// <summary>The embedded taxonomy (parsed once, then cached).</summary>
    public static ResearchFieldTaxonomy Load() => Cached.Value;

    public bool Contains(string code) => _byCode.ContainsKey(code);

    public bool TryGet(string code, [NotNullWhen(true)] out ResearchField? field) => _byCode.TryGetValue(code, out field);

    /// <summary>The node with this code; throws <see cref="KeyNotFoundException"/> if it does not exist.</summary>
    public ResearchField Get(string code) =>
        _byCode.TryGetValue(code, out var field) ? field : throw new KeyNotFoundException($"Unknown research field '{code}'.");

    /// <summary>The parent node, or null for a discipline (or an unknown code).</summary>
    public ResearchField? GetParent(string code) =>
        _byCode.TryGetValue(code, out var field) && field.ParentCode is { } parent ? _byCode[parent] : null;

    /// <summary>The direct children of a node (empty for subfields and unknown codes).</summary>
    public ImmutableArray<ResearchField> GetChildren(string code) =>
        _byCode.TryGetValue(code, out var field)
            ? field.ChildCodes.Select(c => _byCode[c]).ToImmutableArray()
            : ImmutableArray<ResearchField>.Empty;

    /// <summary>All descendants of a node, depth-first (not including the node itself).</summary>
    public IEnumerable<ResearchField> GetDescendants(string code)
    {
        foreach (var child in GetChildren(code))
        {
            yield return child;
            foreach (var grandchild in GetDescendants(child.Code))
            {
                yield return grandchild;
            }
        }
    }

    /// <summary>The node and its ancestors, from the node up to its discipline.</summary>
    public IEnumerable<ResearchField> GetSelfAndAncestors(string code)
    {
        var current = _byCode.GetValueOrDefault(code);
        while (current is not null)
        {
            yield return current;
            current = current.ParentCode is { } p ? _byCode[p] : null;
        }
    }

    /// <summary>
    /// Similarity of two codes: the number of leading dotted segments they share, divided by 3.
    /// Same subfield = 1; same field = 2/3; same discipline = 1/3; different disciplines = 0.
    /// Purely syntactic: works for any well-formed codes.
    /// </summary>
    public static double Proximity(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var sa = a.Split('.');
        var sb = b.Split('.');
        var common = 0;
        while (common < sa.Length && common < sb.Length && string.Equals(sa[common], sb[common], StringComparison.Ordinal))
        {
            common++;
        }

        return Math.Min(common, 3) / 3.0;
    }

    /// <summary>True if <paramref name="code"/> has the taxonomy's format (does not check it exists).</summary>
    public static bool IsWellFormed(string? code) => code is not null && CodePattern().IsMatch(code);

    /// <summary>True if <paramref name="ancestor"/> is <paramref name="code"/> or one of its ancestors, by prefix.</summary>
    public static bool IsSelfOrAncestor(string ancestor, string code) =>
        string.Equals(ancestor, code, StringComparison.Ordinal)
        || (code.Length > ancestor.Length && code[ancestor.Length] == '.' && code.StartsWith(ancestor, StringComparison.Ordinal));

    [GeneratedRegex("^[A-Z][A-Z0-9]*(\\.[A-Z][A-Z0-9]*){0,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    /// <summary>A taxonomy from the text of a <c>research-fields.json</c> (the embedded one is <see cref="Load"/>).</summary>
    public static ResearchFieldTaxonomy Parse(string json) =>
        Build(System.Text.Json.JsonSerializer.Deserialize<TaxonomyFile>(json, SeedResources.JsonOptions)
            ?? throw new InvalidDataException("The research-field taxonomy is empty."));

    private static ResearchFieldTaxonomy LoadEmbedded() => Build(SeedResources.Deserialize<TaxonomyFile>(SeedResources.ResearchFieldsFile));

    private static ResearchFieldTaxonomy Build(TaxonomyFile file)
    {
        var list = new List<ResearchField>();
        foreach (var root in file.Fields)
        {
            Flatten(root, null, 1, list);
        }

        var duplicates = list.GroupBy(f => f.Code).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new InvalidDataException("Duplicate research-field codes: " + string.Join(", ", duplicates));
        }

        return new ResearchFieldTaxonomy(file.Version, list.ToImmutableArray());
    }

    private static void Flatten(FieldNode node, string? parent, int depth, List<ResearchField> into)
    {
        if (depth > 3 || !IsWellFormed(node.Code) || node.Code.Split('.').Length != depth
            || (parent is not null && !node.Code.StartsWith(parent + ".", StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"Malformed research-field code '{node.Code}' under '{parent}'.");
        }

        var children = node.Children ?? [];
        var synonyms = node.Synonyms is null ? FieldSynonyms.None
            : new FieldSynonyms([.. node.Synonyms.En ?? []], [.. node.Synonyms.Zh ?? []]);
        into.Add(new ResearchField(node.Code, node.En, node.Zh, (FieldLevel)depth, parent,
            children.Select(c => c.Code).ToImmutableArray(), synonyms));
        foreach (var child in children)
        {
            Flatten(child, node.Code, depth + 1, into);
        }
    }

    private sealed record TaxonomyFile(string Version, List<FieldNode> Fields);

    private sealed record FieldNode(string Code, string En, string Zh, SynonymsNode? Synonyms, List<FieldNode>? Children);

    private sealed record SynonymsNode(List<string>? En, List<string>? Zh);
}
