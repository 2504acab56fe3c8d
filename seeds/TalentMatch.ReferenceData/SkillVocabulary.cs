using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace TalentMatch.ReferenceData;

/// <summary>
/// A skill or technique of the controlled vocabulary. <see cref="Name"/> is the lower-case key used in positions and
/// profiles; <see cref="Fields"/> lists the taxonomy codes (any level) it typically goes with (empty = general skill).
/// </summary>
public sealed record Skill(string Name, string En, string Category, ImmutableArray<string> Fields)
{
    /// <summary>True if the skill is associated with no particular field (writing, leadership, ...).</summary>
    public bool IsGeneral => Fields.IsEmpty;
}

/// <summary>The controlled skill vocabulary from <c>skills.json</c>.</summary>
public sealed class SkillVocabulary
{
    private static readonly Lazy<SkillVocabulary> Cached = new(LoadEmbedded);
    private readonly FrozenDictionary<string, Skill> _byName;

    private SkillVocabulary(string version, ImmutableArray<Skill> all, ImmutableArray<string> categories)
    {
        Version = version;
        All = all;
        Categories = categories;
        _byName = all.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
        General = all.Where(s => s.IsGeneral).ToImmutableArray();
    }

    public string Version { get; }

    public ImmutableArray<Skill> All { get; }

    public ImmutableArray<string> Categories { get; }

    /// <summary>Skills not tied to any field.</summary>
    public ImmutableArray<Skill> General { get; }

    /// <summary>The embedded vocabulary (parsed once, then cached).</summary>
    public static SkillVocabulary Load() => Cached.Value;

    /// <summary>Exact, case-sensitive lookup by the lower-case name.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, [NotNullWhen(true)] out Skill? skill) => _byName.TryGetValue(name, out skill);

    /// <summary>
    /// Skills associated with <paramref name="code"/>: those whose associated code is the code itself, one of its
    /// ancestors, or one of its descendants. General skills are not included.
    /// </summary>
    public IEnumerable<Skill> ForField(string code) =>
        All.Where(s => s.Fields.Any(f =>
            ResearchFieldTaxonomy.IsSelfOrAncestor(f, code) || ResearchFieldTaxonomy.IsSelfOrAncestor(code, f)));

    private static SkillVocabulary LoadEmbedded()
    {
        var file = SeedResources.Deserialize<SkillsFile>(SeedResources.SkillsFile);
        var all = file.Skills.Select(s => new Skill(s.Name, s.En, s.Category, [.. s.Fields])).ToImmutableArray();
        return new SkillVocabulary(file.Version, all, [.. file.Categories]);
    }

    private sealed record SkillsFile(string Version, List<string> Categories, List<SkillDto> Skills);

    private sealed record SkillDto(string Name, string En, string Category, List<string> Fields);
}
