using System.Linq.Expressions;
using System.Text.Json;

namespace TalentMatch.Hosting.Web;

/// <summary>Parsing of list filters and the <c>sort</c> parameter shared by the list endpoints.</summary>
public static class ListQuery
{
    public sealed record SortKey<T>(Func<IQueryable<T>, IOrderedQueryable<T>> Ascending, Func<IQueryable<T>, IOrderedQueryable<T>> Descending);

    public static SortKey<T> By<T>(Expression<Func<T, object?>> key) => new(q => q.OrderBy(key), q => q.OrderByDescending(key));

    /// <summary>Orders by <c>sort</c> (a key name, optionally prefixed with '-' for descending), or by the default key.</summary>
    public static IOrderedQueryable<T> Sort<T>(IQueryable<T> query, string? sort, Dictionary<string, string[]> errors,
        Expression<Func<T, object?>> defaultKey, Dictionary<string, SortKey<T>> keys)
    {
        if (sort is null)
        {
            return query.OrderBy(defaultKey);
        }

        var descending = sort.StartsWith('-');
        if (keys.TryGetValue(descending ? sort[1..] : sort, out var key))
        {
            return descending ? key.Descending(query) : key.Ascending(query);
        }

        errors["sort"] = [$"Sort by one of: {string.Join(", ", keys.Keys)} (prefix with - for descending)."];
        return query.OrderBy(defaultKey);
    }

    /// <summary>Parses an enum the way the JSON API spells it (e.g. "withdrawn", "flexible-part-time", "R2").</summary>
    public static bool TryParseEnum<TEnum>(string value, out TEnum result) where TEnum : struct, Enum
    {
        try
        {
            result = JsonSerializer.Deserialize<TEnum>(JsonSerializer.Serialize(value), ServiceDefaults.Json);
            return true;
        }
        catch (JsonException)
        {
            result = default;
            return false;
        }
    }
}
