namespace TalentMatch.Matching.Features;

/// <summary>
/// Interns strings (skills, field segments, cities, languages) into small integer ids so that feature extraction
/// works on sorted id arrays. Strings are trimmed and compared case-insensitively. Thread-safe.
/// One encoder must be used for both profiles and positions (ids are only comparable within one encoder).
/// </summary>
public sealed class FactsEncoder
{
    private readonly Dictionary<string, int> _skills = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _segments = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _cities = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _languages = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <summary>Sorted, distinct skill ids.</summary>
    public int[] Skills(IEnumerable<string>? skills) => IdSet(_skills, skills, int.MaxValue);

    /// <summary>Sorted, distinct city ids.</summary>
    public int[] Cities(IEnumerable<string>? cities) => IdSet(_cities, cities, int.MaxValue);

    /// <summary>One city id.</summary>
    public int City(string city) => Intern(_cities, city, int.MaxValue);

    /// <summary>Sorted, distinct language ids.</summary>
    public int[] Languages(IEnumerable<string>? languages) => IdSet(_languages, languages, int.MaxValue);

    /// <summary>Encodes a dotted code such as <c>MED.IMMUNO.TUMOUR</c> (at most four levels).</summary>
    public ResearchFieldCode Field(string code)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        var parts = code.Trim().Split('.', StringSplitOptions.TrimEntries);
        if (parts.Length > ResearchFieldCode.MaxDepth)
            throw new ArgumentException($"Research field code '{code}' has {parts.Length} levels; at most {ResearchFieldCode.MaxDepth} are supported.", nameof(code));
        ulong packed = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0) throw new ArgumentException($"Research field code '{code}' has an empty segment.", nameof(code));
            ulong id = (ulong)Intern(_segments, parts[i], ushort.MaxValue);
            packed |= id << (48 - 16 * i);
        }
        return new ResearchFieldCode(packed);
    }

    /// <summary>Encodes field codes, keeping their order (the first is the primary field).</summary>
    public ResearchFieldCode[] Fields(IEnumerable<string>? codes) => codes?.Select(Field).Distinct().ToArray() ?? [];

    /// <summary>Id of a discipline (top-level segment), or −1 if never seen.</summary>
    public int DisciplineId(string discipline)
    {
        lock (_lock) return _segments.TryGetValue(discipline.Trim(), out var id) ? id : -1;
    }

    private int[] IdSet(Dictionary<string, int> dict, IEnumerable<string>? values, int max)
    {
        if (values is null) return [];
        var ids = new List<int>();
        foreach (var v in values)
        {
            if (string.IsNullOrWhiteSpace(v)) continue;
            ids.Add(Intern(dict, v, max));
        }
        ids.Sort();
        var result = new List<int>(ids.Count);
        foreach (var id in ids) if (result.Count == 0 || result[^1] != id) result.Add(id);
        return result.ToArray();
    }

    private int Intern(Dictionary<string, int> dict, string value, int max)
    {
        var key = value.Trim();
        lock (_lock)
        {
            if (dict.TryGetValue(key, out var id)) return id;
            id = dict.Count + 1; // ids start at 1 (0 = absent segment)
            if (id > max) throw new InvalidOperationException($"Vocabulary full ({max} entries).");
            dict.Add(key, id);
            return id;
        }
    }
}
