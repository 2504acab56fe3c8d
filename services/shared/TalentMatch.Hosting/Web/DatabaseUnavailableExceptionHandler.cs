using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TalentMatch.Hosting.Messaging;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// Answers 503 with <c>Retry-After</c> when the service's database is unreachable or failed transiently (restart,
/// network, pool exhausted; <see cref="TransientFaults"/>), instead of a 500: the client did nothing wrong and can try
/// again. Whether a write that failed mid-commit was stored cannot be known, which is what <c>Idempotency-Key</c> is
/// for: the retry with the same key is answered once, with the first answer if the first attempt committed.
/// </summary>
public sealed partial class DatabaseUnavailableExceptionHandler(IProblemDetailsService problemDetails, ILogger<DatabaseUnavailableExceptionHandler> logger)
    : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The same rule the consumers' retry policy waits out: a database that is away, not a request that is wrong.
        if (!TransientFaults.IsTransient(exception))
        {
            return false;
        }

        var cause = exception.GetBaseException();
        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, cause.GetType().Name, cause.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The service's database is unavailable; retry shortly.",
                Detail = "Send creates with an Idempotency-Key and retry with the same key: it is stored at most once.",
                Type = "https://httpstatuses.io/503",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the database failed transiently ({Error}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string error, string reason);
}
