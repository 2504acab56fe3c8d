using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// Finds a <c>null</c> entry in any list of a deserialized request (<c>"languages":[null]</c>). The JSON reader gives
/// such an entry to the list as it is, and code written for lists of values then fails far from the input as a 500;
/// every request is checked here instead and refused with 400 naming the entry, e.g. <c>languages[0]</c>.
/// </summary>
public static class NullEntries
{
    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, string Name)[]> Members = new();

    /// <summary>The JSON path of the first null entry of a list in <paramref name="value"/>, or null when there is none.</summary>
    public static string? Find(object? value) => Find(value, "", 0);

    /// <summary>A 400 problem naming the null entry, or null when there is none.</summary>
    public static Microsoft.AspNetCore.Http.IResult? Problem(object? value) =>
        Find(value) is { } path
            ? Microsoft.AspNetCore.Http.Results.ValidationProblem(Errors(path), title: "One or more fields are invalid.")
            : null;

    public static Dictionary<string, string[]> Errors(string path) => new() { [path] = ["A list entry may not be null."] };

    private static string? Find(object? value, string path, int depth)
    {
        if (value is null || depth > 32 || IsScalar(value.GetType()))
        {
            return null;
        }

        if (value is IEnumerable list)
        {
            var i = 0;
            foreach (var item in list)
            {
                var at = $"{path}[{i}]";
                if (item is null)
                {
                    return at;
                }

                if (Find(item, at, depth + 1) is { } found)
                {
                    return found;
                }

                i++;
            }

            return null;
        }

        foreach (var (property, name) in Members.GetOrAdd(value.GetType(), MembersOf))
        {
            if (Find(property.GetValue(value), path.Length == 0 ? name : path + "." + name, depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Guid)
        || type == typeof(DateOnly) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan)
        || type == typeof(JsonElement) || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true && !typeof(IEnumerable).IsAssignableFrom(type);

    private static (PropertyInfo, string)[] MembersOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead)
            .Select(p => (p, p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name)))
            .ToArray();
}
