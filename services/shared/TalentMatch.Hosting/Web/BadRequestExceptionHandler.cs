using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// Turns request-binding failures (malformed JSON, a string where a number belongs, an oversized body, a wrong
/// content type) into 400/413/415 problem details that name the offending field, instead of a bare status code.
/// Anything else is left to the default handler, which answers 500 without internals.
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails, ILogger<BadRequestExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var (status, title, errors) = Describe(bad);
        LogRejected(logger, httpContext.Request.Method, httpContext.Request.Path, status, title);
        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = title,
                Type = $"https://httpstatuses.io/{status}",
                Extensions = { ["errors"] = errors },
            },
        });
    }

    private static (int Status, string Title, Dictionary<string, string[]> Errors) Describe(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (413, "The request body is too large.", new() { ["body"] = ["The request body exceeds the allowed size."] });
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return (415, "Unsupported content type.", new() { ["Content-Type"] = ["Send the body as application/json."] });
        }

        if (FindJsonException(bad) is { } json)
        {
            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
            // JsonException messages quote the path and the expected type, never the submitted value.
            var message = json.Message.Split(" Path:", 2)[0];
            return (400, "The request body is not valid JSON for this endpoint.", new() { [field] = [message] });
        }

        return (bad.StatusCode, "The request could not be read.", new() { ["request"] = [bad.Message] });
    }

    private static JsonException? FindJsonException(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method} {Path} with {Status}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, string path, int status, string reason);
}
