using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using TalentMatch.Testing;
using Xunit.Abstractions;

namespace TalentMatch.EndToEnd.Tests;

/// <summary>A platform whose services export their telemetry over OTLP to a receiver in the test.</summary>
public sealed class TracedPlatform : Platform
{
    public OtlpReceiver Receiver { get; } = new();

    protected override void Configure(string service, Dictionary<string, string?> settings)
    {
        foreach (var (key, value) in Receiver.ServiceSettings())
        {
            settings[key] = value;
        }
    }
}

public sealed class TelemetryTests(TracedPlatform platform, ITestOutputHelper output) : IClassFixture<TracedPlatform>
{
    [Fact]
    public async Task One_trace_follows_a_registration_from_its_POST_through_the_outbox_and_broker_to_the_shortlist_update()
    {
        var position = await Api.Create(platform.Positions.Client, "/api/positions", Api.Position());
        await Api.CandidatesUntil(platform.Matching.Client, position, _ => true, "the position to reach matching");

        // The client starts the trace, as a caller with its own tracing would: every span below must be in it.
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles") { Content = JsonContent.Create(Api.Profile()) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var created = await platform.Profiles.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var trace = traceId.ToHexString();
        var spans = await Eventually.Get(() => Task.FromResult(platform.Receiver.Spans.Where(s => s.TraceId == trace).ToList()),
            s => s.Any(x => x.Service == "TalentMatch.Matching" && x.Name == "shortlist update"), Api.Wait, "the shortlist update span of the trace");
        foreach (var span in spans)
        {
            output.WriteLine($"{span.Service,-22} {span.Scope,-32} {span.Name} ({span.SpanId} under {span.ParentSpanId})");
        }

        // Each step of the path, in the service that does it.
        Assert.Contains(spans, s => s.Service == "TalentMatch.Profiles" && s.Scope == "Microsoft.AspNetCore" && s.Name.StartsWith("POST", StringComparison.Ordinal));
        Assert.Contains(spans, s => s.Service == "TalentMatch.Profiles" && s.Name == "outbox publish ProfileRegistered");
        Assert.Contains(spans, s => s.Service == "TalentMatch.Profiles" && s.Scope == "MassTransit");
        Assert.Contains(spans, s => s.Service == "TalentMatch.Matching" && s.Scope == "MassTransit");
        Assert.Contains(spans, s => s.Service == "TalentMatch.Matching" && s.Name == "shortlist update");

        // And they form one tree: every span's parent is another span of the trace, except the root the client made.
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var orphans = spans.Where(s => !ids.Contains(s.ParentSpanId)).ToList();
        Assert.All(orphans, s => Assert.Equal("TalentMatch.Profiles", s.Service));
        Assert.Single(orphans.Select(s => s.ParentSpanId).Distinct());
    }

    [Fact]
    public async Task Every_service_serves_its_metrics_in_Prometheus_format()
    {
        // Something to count: a registration that goes through the outbox, the inbox and a re-rank.
        await Api.Create(platform.Profiles.Client, "/api/profiles", Api.Profile());
        string[] common =
        [
            "http_server_request_duration_seconds_bucket", "talentmatch_outbox_pending", "talentmatch_outbox_oldest_pending_age_seconds",
            "talentmatch_messaging_queue_messages{",
        ];
        string[] matching = ["talentmatch_inbox_batch_size_bucket", "talentmatch_shortlist_staleness_seconds", "talentmatch_shortlist_queue_length", "talentmatch_ranking_model_version"];
        foreach (var (service, names) in new[] { (platform.Profiles, common), (platform.Positions, common), (platform.Matching, [.. common, .. matching]) })
        {
            // The queue depths are sampled every 15 s, the rest at the relay's and worker's first polls.
            var text = await Eventually.Get(async () =>
                {
                    using var anonymous = service.NewClient(null);
                    var response = await anonymous.GetAsync("/metrics");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    return await response.Content.ReadAsStringAsync();
                },
                t => names.All(t.Contains), TimeSpan.FromSeconds(60), $"{service.Name}'s named series");
            Assert.All(names, n => Assert.Contains(n, text));
        }
    }
}
