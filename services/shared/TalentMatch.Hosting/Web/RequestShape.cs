using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// What is wrong with a request whoever sends it, answered before authentication so that an anonymous caller hears
/// 404, 405, 414, 415 or 431 (signing in would not help) instead of 401; and answered as problem details.
/// Kestrel's own limits on the request line and headers sit above the documented ones, so a request over the
/// documented limit reaches this middleware and gets problem details; only what is far beyond them, or is not HTTP at
/// all, is refused by Kestrel itself with an empty body.
/// </summary>
public static class RequestShape
{
    /// <summary>Longest request target (path and query) the services answer: 8 KiB.</summary>
    public const int MaxUrlBytes = 8 * 1024;

    /// <summary>Largest total size of the request headers: 32 KiB.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Kestrel's own (hard) limits: well above the documented ones, so those are answered with problem details.</summary>
    public static void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        kestrel.Limits.MaxRequestLineSize = 4 * MaxUrlBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 4 * MaxHeaderBytes;
    }

    public static async Task Check(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var target = request.Path.Value?.Length + request.QueryString.Value?.Length ?? 0;
        if (target > MaxUrlBytes)
        {
            await Problem(context, StatusCodes.Status414UriTooLong, "The URL is too long.", $"Path and query are limited to {MaxUrlBytes / 1024} KiB.");
            return;
        }

        var headerBytes = 0L;
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                headerBytes += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        if (headerBytes > MaxHeaderBytes)
        {
            await Problem(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "The request headers are too large.",
                $"Headers are limited to {MaxHeaderBytes / 1024} KiB in total.");
            return;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            await Problem(context, StatusCodes.Status404NotFound, "No such resource.", "No endpoint has this path; see /openapi/v1.json.");
            return;
        }

        if (endpoint is not RouteEndpoint)
        {
            // Routing's own answer for a known path and the wrong method (405 with Allow): it needs no caller.
            await endpoint.RequestDelegate!(context);
            return;
        }

        if (HasBody(request) && Unsupported(request, endpoint) is { } reason)
        {
            await Problem(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported content type.", reason);
            return;
        }

        await next(context);
    }

    /// <summary>Why the body's content type is not one the endpoint reads (type or charset), or null when it is.</summary>
    private static string? Unsupported(HttpRequest request, Endpoint endpoint)
    {
        var accepted = endpoint.Metadata.GetOrderedMetadata<IAcceptsMetadata>().SelectMany(m => m.ContentTypes).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (accepted.Count == 0)
        {
            return null;
        }

        var expected = $"Send the body as {string.Join(" or ", accepted)} (UTF-8).";
        if (request.ContentType is null || !MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || media.MediaType.Value is not { } type)
        {
            return expected;
        }

        var known = accepted.Any(a => string.Equals(a, type, StringComparison.OrdinalIgnoreCase)
            || (string.Equals(a, "application/json", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && type.StartsWith("application/", StringComparison.OrdinalIgnoreCase)));
        if (!known)
        {
            return expected;
        }

        // JSON is UTF-8 (RFC 8259); a charset the server would have to look up is refused rather than guessed at.
        var charset = media.Charset.HasValue ? media.Charset.Value!.Trim('"') : null;
        if (charset is null)
        {
            return null;
        }

        if (charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            // One spelling for the readers behind: the JSON binder looks a quoted name up as it is, and fails.
            request.ContentType = $"{type}; charset=utf-8";
            return null;
        }

        return $"The charset '{Clip(charset)}' is not supported. " + expected;
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0) || request.ContentType is not null;

    private static string Clip(string value) => new(value.Take(40).Where(c => !char.IsControl(c)).ToArray());

    private static async Task Problem(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" },
        });
    }
}
