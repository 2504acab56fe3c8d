using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// Optimistic concurrency over HTTP: a resource's ETag is its aggregate version; a write that sends
/// <c>If-Match</c> with an older ETag is refused with 412 instead of silently overwriting someone else's change.
/// </summary>
public static class ETags
{
    public static string For(long version) => $"\"{version}\"";

    public static void Set(HttpContext context, long version) => context.Response.Headers.ETag = For(version);

    /// <summary>True when the request has no If-Match, <c>If-Match: *</c>, or an ETag equal to <paramref name="version"/>.</summary>
    public static bool IfMatchSatisfied(HttpContext context, long version)
    {
        var header = context.Request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return true;
        }

        var current = For(version);
        return EntityTagHeaderValue.TryParseList(header, out var tags)
            && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || (!t.IsWeak && t.Tag.Value == current));
    }

    public static IResult PreconditionFailed(long version) => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "The resource has changed since you read it.",
        detail: $"The current ETag is {For(version)}; read the resource again and retry with that If-Match.");
}
