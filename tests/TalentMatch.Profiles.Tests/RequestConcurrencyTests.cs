using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TalentMatch.Testing;

namespace TalentMatch.Profiles.Tests;

/// <summary>
/// The profiles service as a real process behind Kestrel (the in-memory test server does not run a request until its
/// body is complete), allowed one request at a time and one waiting.
/// </summary>
public sealed class RequestConcurrencyTests : IAsyncLifetime
{
    private readonly string _database = TestInfrastructure.UniqueDatabaseName("profiles_limit");
    private ServiceProcess _service = null!;

    public async Task InitializeAsync()
    {
        var settings = TestInfrastructure.ServiceSettings(_database);
        settings["Messaging:Transport"] = "InMemory";
        settings["Http:MaxConcurrentRequests"] = "1";
        settings["Http:QueueLimit"] = "1";
        _service = new ServiceProcess("Profiles", settings);
        await _service.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await TestInfrastructure.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task Requests_beyond_the_limit_wait_in_order_and_beyond_the_queue_get_503_while_health_answers()
    {
        var client = _service.Client;
        // A bulk import whose body arrives slowly holds the only permit.
        var body = new HeldBody();
        var import = client.PostAsync("/api/profiles/import", body);
        await body.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(500);

        var waiting = client.GetAsync("/api/profiles?pageSize=1");
        await Task.Delay(500);
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
