using System.Text.Json;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// Rules for a JSON body read as a document rather than bound to a type (a schema.org JobPosting): the same ones the
/// typed endpoints apply through <see cref="ServiceDefaults.Json"/> — no member twice, and no text PostgreSQL cannot
/// store or that no field needs (NUL, control characters, lone surrogates), in member names as in values.
/// </summary>
public static class JsonInput
{
    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    private const int MaxErrors = 20;

    /// <summary>Adds an error, named by its JSON path, for every string of <paramref name="element"/> that is not acceptable text.</summary>
    public static void CheckText(JsonElement element, Dictionary<string, string[]> errors, string path = "")
    {
        if (errors.Count >= MaxErrors)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors.TryAdd(path.Length == 0 ? "body" : path, ["A member name is not valid Unicode (a lone surrogate)."]);
                        continue;
                    }

                    var at = path.Length == 0 ? name : path + "." + name;
                    if (TextRules.Problem(name) is { } problem)
                    {
                        errors.TryAdd(Printable(at), [problem]);
                        continue;
                    }

                    CheckText(property.Value, errors, at);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckText(item, errors, $"{path}[{i++}]");
                }

                break;
            case JsonValueKind.String:
                string? text;
                try
                {
                    text = element.GetString();
                }
                catch (InvalidOperationException)
                {
                    errors.TryAdd(path, ["Text may not contain a lone surrogate (invalid UTF-16)."]);
                    break;
                }

                if (text is not null && TextRules.Problem(text) is { } textProblem)
                {
                    errors.TryAdd(path, [textProblem]);
                }

                break;
        }
    }

    private static string Printable(string path) => new(path.Take(100).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c).ToArray());
}
