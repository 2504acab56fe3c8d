using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TalentMatch.Hosting.Web;

/// <summary>
/// Answers 503 with <c>Retry-After</c> when the service's database is unreachable or failed transiently (restart,
/// network, pool exhausted), instead of a 500: the client did nothing wrong and can try again. Whether a write that
/// failed mid-commit was stored cannot be known, which is what <c>Idempotency-Key</c> is for: the retry with the same key
/// is answered once, with the first answer if the first attempt committed.
/// </summary>
public sealed partial class DatabaseUnavailableExceptionHandler(IProblemDetailsService problemDetails, ILogger<DatabaseUnavailableExceptionHandler> logger)
    : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (FindTransient(exception) is not { } transient)
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, transient.GetType().Name, transient.Message);
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

    private static NpgsqlException? FindTransient(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            // Npgsql calls connection failures, timeouts and "too many connections" transient; a server being shut
            // down or restarted (class 57P: admin shutdown, crash shutdown, cannot connect now) and lost connections
            // (class 08) are too, for a client.
            if (e is NpgsqlException npgsql && (npgsql.IsTransient
                || npgsql is PostgresException { SqlState: "57P01" or "57P02" or "57P03" }
                || npgsql is PostgresException p && p.SqlState.StartsWith("08", StringComparison.Ordinal)))
            {
                return npgsql;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the database failed transiently ({Error}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string error, string reason);
}
