using System.Text.Json;
using FluentValidation;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Observability;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TalentMatch.Hosting.Web;

public static class ServiceDefaults
{
    /// <summary>Largest request body any endpoint accepts; bulk imports raise it for their own route.</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    public static readonly JsonSerializerOptions Json = ConfigureJson(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions ConfigureJson(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.Converters.Add(new NulRejectingStringConverter());
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // Unknown members are an error rather than silently dropped: a typo in a field name must not pass as "absent".
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // A member given twice is ambiguous (parsers disagree on which one wins): refused rather than the last taken.
        options.AllowDuplicateProperties = false;
        return options;
    }

    /// <summary>
    /// Problem details for every error, JSON conventions, health checks, OpenAPI, telemetry and the platform's authentication
    /// (the identity service, which issues the tokens, says <paramref name="validatesOwnTokens"/>).
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, bool validatesOwnTokens = false)
    {
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            RequestShape.ConfigureKestrel(k);
        });
        builder.Services.AddRequestConcurrencyLimit();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions.TryAdd("traceId", ctx.HttpContext.TraceIdentifier));
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        // Binding failures (malformed JSON, wrong types) throw, so the handler above can name the offending field.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: [HealthTags.Live]);
        builder.Services.AddOpenApi();
        builder.AddPlatformAuthentication(validatesOwnTokens);
        builder.AddPlatformTelemetry();
        // Validation errors name fields the way clients send them (camelCase JSON), not as C# properties.
        ValidatorOptions.Global.PropertyNameResolver = JsonPath;
        ValidatorOptions.Global.DisplayNameResolver = JsonPath;
        return builder;
    }

    /// <summary>The JSON path of a validated member, e.g. <c>salaryBand.maxCny</c>.</summary>
    /// <remarks>FluentValidation asks for every rule on every validation; a rule's expression is one object for the
    /// validator's lifetime, so its path is worked out once.</remarks>
    private static string? JsonPath(Type type, System.Reflection.MemberInfo? member, System.Linq.Expressions.LambdaExpression? expression)
    {
        if (expression is not null)
        {
            return JsonPaths.GetValue(expression, e => ToJsonPath(FluentValidation.Internal.PropertyChain.FromExpression(e).ToString()));
        }

        return member is null ? null : ToJsonPath(member.Name);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Linq.Expressions.LambdaExpression, string> JsonPaths = [];

    private static string ToJsonPath(string path) => string.Join('.', path.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestConcurrencyLimit();
        app.Use(RejectOversizedBodies);
        app.Use(NulRejection.RejectNulInQueryAndRoute);
        // Unknown route, wrong method, unsupported content type, overlong URL or headers: refused before authentication.
        app.Use(RequestShape.Check);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(HealthTags.Live),
            ResponseWriter = WriteHealthReport,
        }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(HealthTags.Ready),
            ResponseWriter = WriteHealthReport,
        }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapPlatformTelemetry();
        if (app.Services.GetService<Messaging.ErrorQueues>() is not null)
        {
            Messaging.ErrorQueues.MapErrorQueuesApi(app, app.Environment.ApplicationName);
        }

        return app;
    }

    /// <summary>
    /// Answers 413 problem details for a declared body above the limit before anything reads it. Kestrel enforces the
    /// same limit for bodies without a Content-Length (chunked), which surface as a <see cref="BadHttpRequestException"/>.
    /// </summary>
    private static async Task RejectOversizedBodies(HttpContext context, RequestDelegate next)
    {
        // An endpoint that takes larger bodies (bulk import) says so with IRequestSizeLimitMetadata.
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "The request body is too large.",
                    Detail = $"Bodies are limited to {limit / 1024} KiB.",
                },
            });
            return;
        }

        await next(context);
    }

    private static Task WriteHealthReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description ?? e.Value.Exception?.Message,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}

public static class HealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}
