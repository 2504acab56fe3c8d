using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using TalentMatch.Testing;

namespace TalentMatch.Profiles.Tests;

/// <summary>
/// The profiles service in-process behind real Kestrel (the in-memory test server does not run a request until its
/// body is complete), allowed one request at a time and one waiting. The test waits on the limiter's own statistics,
/// so each step is known to have happened before the next is asserted.
/// </summary>
public sealed class RequestConcurrencyTests : IAsyncLifetime
{
    private readonly LimitedProfilesHost _host = new();

    public Task InitializeAsync()
    {
        _host.UseKestrel(0);
        _host.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_host).DisposeAsync();

    [Fact]
    public async Task Requests_beyond_the_limit_wait_in_order_and_beyond_the_queue_get_503_while_health_answers()
    {
        // A plain client: the factory's own handlers buffer a request body before sending it.
        using var client = new HttpClient { BaseAddress = _host.CreateClient().BaseAddress }.As(TestTokens.Admin());
        var limiter = _host.Services.GetRequiredService<ConcurrencyLimiter>();
        // A bulk import whose body arrives slowly holds the only permit.
        var body = new HeldBody();
        var import = client.PostAsync("/api/profiles/import", body);
        await body.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.True(() => Task.FromResult(limiter.GetStatistics()!.CurrentAvailablePermits == 0), TimeSpan.FromSeconds(20), "the import to hold the permit");

        var waiting = client.GetAsync("/api/profiles?pageSize=1");
        await Eventually.True(() => Task.FromResult(limiter.GetStatistics()!.CurrentQueuedCount == 1), TimeSpan.FromSeconds(20), "the second request to queue");
        Assert.False(waiting.IsCompleted, "the second request should wait for the permit");

        var refused = await client.GetAsync("/api/profiles?pageSize=1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        body.Release.SetResult();
        var imported = await import;
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var summary = JsonNode.Parse((await imported.Content.ReadAsStringAsync()).Trim().Split('\n')[^1])!;
        Assert.Equal(0, summary["imported"]!.GetValue<int>()); // nothing but the header row was sent
        Assert.Equal(HttpStatusCode.OK, (await waiting).StatusCode);
    }

    private sealed class LimitedProfilesHost : ServiceHost<Program>
    {
        protected override Dictionary<string, string?> Settings()
        {
            var settings = base.Settings();
            settings["Http:MaxConcurrentRequests"] = "1";
            settings["Http:QueueLimit"] = "1";
            return settings;
        }
    }

    /// <summary>A CSV body that sends its header row, then waits until the test releases it.</summary>
    private sealed class HeldBody : HttpContent
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldBody() => Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes("fullName,email,careerStage,researchFields,skills,yearsOfExperience,employmentModes,consentToMatching\n"));
            await stream.FlushAsync();
            Started.SetResult();
            await Release.Task;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
