using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace TalentMatch.ReferenceData;

/// <summary>An institution named in the seed documents.</summary>
public sealed record Institution(
    Guid Id,
    string Slug,
    string NameEn,
    string NameZh,
    string City,
    InstitutionKind Kind,
    ImmutableArray<string> FocusFields,
    ImmutableArray<string> Source);

/// <summary>The institutions from <c>institutions.json</c>. Ids are fixed and never change between releases.</summary>
public sealed class Institutions
{
    private static readonly Lazy<Institutions> Cached = new(LoadEmbedded);
    private readonly FrozenDictionary<Guid, Institution> _byId;
    private readonly FrozenDictionary<string, Institution> _bySlug;

    private Institutions(ImmutableArray<Institution> all)
    {
        All = all;
        _byId = all.ToFrozenDictionary(i => i.Id);
        _bySlug = all.ToFrozenDictionary(i => i.Slug, StringComparer.Ordinal);
        Cities = all.Select(i => i.City).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
    }

    public ImmutableArray<Institution> All { get; }

    /// <summary>Distinct cities of the institutions, sorted.</summary>
    public ImmutableArray<string> Cities { get; }

    /// <summary>The embedded list (parsed once, then cached).</summary>
    public static Institutions Load() => Cached.Value;

    public bool TryGet(Guid id, [NotNullWhen(true)] out Institution? institution) => _byId.TryGetValue(id, out institution);

    public Institution Get(Guid id) =>
        _byId.TryGetValue(id, out var i) ? i : throw new KeyNotFoundException($"Unknown institution {id}.");

    public bool TryGetBySlug(string slug, [NotNullWhen(true)] out Institution? institution) => _bySlug.TryGetValue(slug, out institution);

    public Institution GetBySlug(string slug) =>
        _bySlug.TryGetValue(slug, out var i) ? i : throw new KeyNotFoundException($"Unknown institution '{slug}'.");

    private static Institutions LoadEmbedded()
    {
        var file = SeedResources.Deserialize<InstitutionsFile>(SeedResources.InstitutionsFile);
        return new Institutions(file.Institutions
            .Select(i => new Institution(i.Id, i.Slug, i.NameEn, i.NameZh, i.City, SeedEnums.ParseInstitutionKind(i.Kind),
                [.. i.FocusFields], [.. i.Source]))
            .ToImmutableArray());
    }

    private sealed record InstitutionsFile(List<InstitutionDto> Institutions);

    private sealed record InstitutionDto(Guid Id, string Slug, string NameEn, string NameZh, string City, string Kind,
        List<string> FocusFields, List<string> Source);
}
