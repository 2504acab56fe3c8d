using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TalentMatch.Hosting.Observability;

/// <summary>
/// Traces and metrics of every service with OpenTelemetry: ASP.NET Core, HttpClient, Npgsql, MassTransit's own
/// activity source and meter, and the platform's (<see cref="Source"/>, <see cref="Meter"/>). Metrics are always
/// served at <c>/metrics</c> in Prometheus format; spans are recorded, and traces, metrics and logs go out over OTLP,
/// only when the operator sets <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the platform calls nothing it was not told to).
/// </summary>
public static class PlatformTelemetry
{
    public const string Name = "TalentMatch";

    /// <summary>The platform's own spans: outbox publish, group commit, inbox batch, shortlist update.</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>The platform's own instruments (outbox backlog, queue depth, inbox batches, shortlist staleness, model).</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>MassTransit's activity source and meter (<c>DiagnosticHeaders.DefaultListenerName</c>).</summary>
    private const string MassTransitName = "MassTransit";

    /// <summary>Whether telemetry is on (<c>Telemetry:Enabled</c>, default true; the load driver measures its cost with it off).</summary>
    private static bool Enabled(IConfiguration configuration) => configuration.GetValue("Telemetry:Enabled", true);

    public static WebApplicationBuilder AddPlatformTelemetry(this WebApplicationBuilder builder)
    {
        if (!Enabled(builder.Configuration))
        {
            return builder;
        }

        var service = builder.Environment.ApplicationName;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(service, serviceInstanceId: Environment.MachineName + "-" + Environment.ProcessId))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter(MassTransitName, Name)
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // Spans only where they go somewhere: recording every request, statement and message cost the pipeline
            // ~14 % more CPU per registration (README, "Observability"); Telemetry:TraceSampleRatio samples fewer.
            var ratio = Math.Clamp(builder.Configuration.GetValue("Telemetry:TraceSampleRatio", 1.0), 0, 1);
            telemetry.WithTracing(t => t
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)))
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(MassTransitName, Name));
            // Reads OTEL_EXPORTER_OTLP_ENDPOINT / _PROTOCOL / _HEADERS; exports traces, metrics and logs.
            telemetry.UseOtlpExporter();
        }

        // Every log line written inside a request, a consume or a batch names its trace (the console shows it as a scope).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // A console logger without a named formatter copies its (obsolete) options over the formatter's, scopes off:
        // name the default one, unless the operator chose another (json).
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName ??= ConsoleFormatterNames.Simple);
        builder.Services.Configure<SimpleConsoleFormatterOptions>(o => o.IncludeScopes = true);
        builder.Services.Configure<JsonConsoleFormatterOptions>(o => o.IncludeScopes = true);
        return builder;
    }

    /// <summary>Health probes and scrapes are not traced: they would be most of the spans and tell nothing.</summary>
    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");

    public static WebApplication MapPlatformTelemetry(this WebApplication app)
    {
        if (!Enabled(app.Configuration))
        {
            return app;
        }

        // Anonymous like the health probes: a Prometheus scraper has no platform token. Counts and timings only, no
        // personal data; keep the port inside the deployment, as for /health.
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The W3C <c>traceparent</c> of the current span, to be stored with work that continues it later.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The span context of a stored <c>traceparent</c>, or <c>default</c> when there is none.</summary>
    public static ActivityContext Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;

    /// <summary>
    /// A span for work done for many callers at once (a group commit, an inbox batch): its own trace, linked to each
    /// caller's span so a trace viewer leads from every request to the batch that wrote it.
    /// </summary>
    public static Activity? StartBatch(string name, IEnumerable<ActivityContext> callers, int count)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = callers.Where(c => c != default).Take(128).Select(c => new ActivityLink(c)).ToList();
        var activity = Source.StartActivity(name, ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag("talentmatch.batch.size", count);
        return activity;
    }

    /// <summary>Background polls (an idle relay, an empty queue) make no spans: they would bury the traces that matter.</summary>
    public static IDisposable Quiet() => SuppressInstrumentationScope.Begin();

    /// <summary>Inside <see cref="Quiet"/>, the work that does belong to a trace (a row's publish).</summary>
    public static IDisposable Traced() => SuppressInstrumentationScope.Begin(false);
}
