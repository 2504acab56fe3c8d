using System.Net;
using System.Text.Json;

namespace TalentMatch.Web.Api;

/// <summary>
/// A service's RFC 7807 answer: the title, and for a 400 the failing fields keyed by their JSON path
/// (<c>degrees[0].year</c>, <c>salaryBand.maxCny</c>) so that a form can show each message next to its field.
/// </summary>
public sealed class ApiProblem
{
    public required HttpStatusCode Status { get; init; }
    public string? Title { get; init; }
    public string? Detail { get; init; }
    public IReadOnlyDictionary<string, string[]> Errors { get; init; } = new Dictionary<string, string[]>();

    public static ApiProblem Parse(HttpStatusCode status, string? body)
    {
        string? title = null, detail = null;
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var field in e.EnumerateObject())
                        {
                            errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                                ? field.Value.EnumerateArray().Select(m => m.ToString()).ToArray()
                                : [field.Value.ToString()];
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not problem details (e.g. a proxy's HTML page): keep the status only.
            }
        }

        return new ApiProblem { Status = status, Title = title, Detail = detail, Errors = errors };
    }
}

/// <summary>Thrown by the API clients for every non-success answer.</summary>
public sealed class ApiProblemException(ApiProblem problem)
    : Exception(problem.Title ?? $"The service answered {(int)problem.Status}.")
{
    public ApiProblem Problem { get; } = problem;
}

/// <summary>
/// The messages of one form, by field path. Paths are compared without case; a message for a field that the form
/// does not show (see <see cref="FieldErrors(IEnumerable{string})"/>) stays in <see cref="Unplaced"/> so it is still
/// shown, at the top of the form. List entries are named with <c>[]</c>: <c>degrees[].year</c> covers every degree.
/// </summary>
public sealed partial class FieldErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _shown;

    public FieldErrors(IEnumerable<string>? shownFields = null) =>
        _shown = new HashSet<string>(shownFields ?? [], StringComparer.OrdinalIgnoreCase);

    public string? Title { get; private set; }

    public bool Any => _errors.Count > 0 || Title is not null;

    /// <summary>The service named fields (a validation problem): the page says so in the user's language.</summary>
    public bool HasFieldMessages => _errors.Count > 0;

    public void Clear()
    {
        _errors.Clear();
        Title = null;
    }

    public void Load(ApiProblem problem)
    {
        Clear();
        Title = problem.Title;
        foreach (var (key, messages) in problem.Errors)
        {
            _errors[Normalise(key)] = messages;
        }
    }

    /// <summary>The message(s) for a field, e.g. <c>For("degrees[0].year")</c>; null when the field is fine.</summary>
    public string? For(string path)
    {
        return _errors.TryGetValue(Normalise(path), out var messages) ? string.Join(" ", messages) : null;
    }

    public bool Has(string path) => _errors.ContainsKey(Normalise(path));

    /// <summary>The messages for a field and anything inside it (<c>institutionIds</c> and <c>institutionIds[2]</c>); null when all is fine.</summary>
    public string? ForUnder(string path)
    {
        var messages = _errors.Where(e => IsUnder(e.Key, path)).OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value).Distinct().ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    /// <summary>A message for this field or anything inside it (<c>degrees</c> covers <c>degrees[0].year</c>).</summary>
    public bool HasUnder(string path) => _errors.Keys.Any(k => IsUnder(k, path));

    private static bool IsUnder(string key, string path) =>
        string.Equals(key, path, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(path + "[", StringComparison.OrdinalIgnoreCase) || key.StartsWith(path + ".", StringComparison.OrdinalIgnoreCase);

    /// <summary>Messages whose field no input on the form asked for.</summary>
    public IEnumerable<KeyValuePair<string, string[]>> Unplaced => _errors.Where(e => !_shown.Contains(Indexless().Replace(e.Key, "[]")));

    [System.Text.RegularExpressions.GeneratedRegex(@"\[\d+\]")]
    private static partial System.Text.RegularExpressions.Regex Indexless();

    /// <summary>'$.degrees[0].year', 'Degrees[0].Year' and 'degrees[0].year' name the same field.</summary>
    internal static string Normalise(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}
