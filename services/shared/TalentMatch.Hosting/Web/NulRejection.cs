using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// PostgreSQL text cannot hold a NUL character, so a NUL anywhere in input would fail at the database as a 500.
/// It is rejected where input enters instead: in JSON strings (as a binding error naming the field) and in query
/// strings and route values (as a 400 naming the parameter). JSON strings may not hold the other control characters
/// either (tab, line feed and carriage return excepted): no field has a use for them, and they corrupt what shows them.
/// </summary>
public sealed class NulRejectingStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        if (value is not null && TextRules.Problem(value) is { } problem)
        {
            throw new JsonException(problem);
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>What text taken from a request may not contain.</summary>
public static class TextRules
{
    /// <summary>Why <paramref name="value"/> is not acceptable text, or null when it is.</summary>
    public static string? Problem(string value)
    {
        foreach (var c in value)
        {
            if (c == '\0')
            {
                return "Text may not contain the NUL character (\\u0000).";
            }

            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return $"Text may not contain control characters (here \\u{(int)c:x4}).";
            }
        }

        // Lone surrogates cannot be stored as UTF-8; the JSON reader refuses them, other sources are checked here.
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return "Text may not contain a lone surrogate (invalid UTF-16).";
            }
        }

        return null;
    }
}

internal static class NulRejection
{
    public static async Task RejectNulInQueryAndRoute(HttpContext context, RequestDelegate next)
    {
        var bad = context.Request.Query.Where(q => q.Key.Contains('\0') || q.Value.Any(v => v?.Contains('\0') == true)).Select(q => q.Key.Replace("\0", ""))
            .Concat(context.Request.RouteValues.Where(r => r.Value is string s && s.Contains('\0')).Select(r => r.Key))
            .ToList();
        if (bad.Count > 0)
        {
            await Results.ValidationProblem(bad.Distinct().ToDictionary(k => k, _ => new[] { "The NUL character is not allowed." }),
                title: "The request contains a NUL character.").ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
