using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// PostgreSQL text cannot hold a NUL character, so a NUL anywhere in input would fail at the database as a 500.
/// It is rejected where input enters instead: in JSON strings (as a binding error naming the field) and in query
/// strings and route values (as a 400 naming the parameter).
/// </summary>
public sealed class NulRejectingStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        if (value is not null && value.Contains('\0'))
        {
            throw new JsonException("Text may not contain the NUL character (\\u0000).");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
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
