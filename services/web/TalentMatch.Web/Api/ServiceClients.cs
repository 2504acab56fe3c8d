using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using TalentMatch.Web.Auth;

namespace TalentMatch.Web.Api;

/// <summary>What every typed client shares: JSON in and out, problem details turned into <see cref="ApiProblemException"/>.</summary>
public abstract class ServiceClient(HttpClient http)
{
    protected HttpClient Http { get; } = http;

    /// <summary>Every call but the bulk import's stream: the clients themselves have no timeout (see ApiSetup).</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    protected static CancellationTokenSource Timed(CancellationToken ct, TimeSpan? timeout = null)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? RequestTimeout);
        return cts;
    }

    protected async Task<T> GetAsync<T>(string path, CancellationToken ct = default)
    {
        using var timed = Timed(ct);
        using var response = await Http.GetAsync(path, timed.Token);
        return await ReadAsync<T>(response, timed.Token);
    }

    protected async Task<Tagged<T>> GetTaggedAsync<T>(string path, CancellationToken ct = default)
    {
        using var timed = Timed(ct);
        using var response = await Http.GetAsync(path, timed.Token);
        var value = await ReadAsync<T>(response, timed.Token);
        return new Tagged<T>(value, response.Headers.ETag?.ToString());
    }

    protected async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, string? ifMatch = null, string? idempotencyKey = null,
        CancellationToken ct = default, TimeSpan? timeout = null)
    {
        using var timed = Timed(ct, timeout);
        using var response = await SendRawAsync(method, path, body, ifMatch, idempotencyKey, timed.Token);
        return await ReadAsync<T>(response, timed.Token);
    }

    protected async Task SendAsync(HttpMethod method, string path, object? body = null, string? ifMatch = null, CancellationToken ct = default)
    {
        using var timed = Timed(ct);
        using var response = await SendRawAsync(method, path, body, ifMatch, null, timed.Token);
        await EnsureAsync(response, timed.Token);
    }

    protected async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, string? ifMatch, string? idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options);
        }

        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Http.SendAsync(request, ct);
    }

    /// <summary>Posts a document as it was uploaded (a résumé, a job posting), with an idempotency key.</summary>
    protected async Task<T> PostDocumentAsync<T>(string path, byte[] document, string mediaType, string idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(document) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var timed = Timed(ct);
        using var response = await Http.SendAsync(request, timed.Token);
        return await ReadAsync<T>(response, timed.Token);
    }

    protected static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        await EnsureAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct))!;
    }

    protected static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new ApiProblemException(ApiProblem.Parse(response.StatusCode, await response.Content.ReadAsStringAsync(ct)));
        }
    }

    /// <summary>The service's dead-lettered messages per receive endpoint (administrators).</summary>
    public virtual Task<ErrorQueuesView> ErrorQueuesAsync(CancellationToken ct = default) => GetAsync<ErrorQueuesView>("/api/ops/error-queues", ct);

    protected static string Query(params (string Name, object? Value)[] parameters) =>
        "?" + string.Join('&', parameters.Where(p => p.Value is not null && p.Value.ToString() is { Length: > 0 })
            .Select(p => $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)}"));
}

public class ProfilesApi(HttpClient http) : ServiceClient(http)
{
    public virtual Task<IReadOnlyList<ResearchField>> TaxonomyAsync(CancellationToken ct = default) => GetAsync<IReadOnlyList<ResearchField>>("/api/taxonomy", ct);
    public virtual Task<IReadOnlyList<CareerStageInfo>> CareerStagesAsync(CancellationToken ct = default) => GetAsync<IReadOnlyList<CareerStageInfo>>("/api/career-stages", ct);
    public virtual Task<IReadOnlyList<Skill>> SkillsAsync(CancellationToken ct = default) => GetAsync<IReadOnlyList<Skill>>("/api/skills", ct);
    public virtual Task<Tagged<Profile>> GetAsync(Guid id, CancellationToken ct = default) => GetTaggedAsync<Profile>($"/api/profiles/{id}", ct);
    public virtual Task<Profile> CreateAsync(ProfileInput input, string idempotencyKey, CancellationToken ct = default) =>
        SendAsync<Profile>(HttpMethod.Post, "/api/profiles", input, idempotencyKey: idempotencyKey, ct: ct);
    public virtual Task<Profile> UpdateAsync(Guid id, ProfileInput input, string? etag, CancellationToken ct = default) =>
        SendAsync<Profile>(HttpMethod.Put, $"/api/profiles/{id}", input, ifMatch: etag, ct: ct);
    public virtual Task<CandidateCard> CardAsync(Guid id, CancellationToken ct = default) => GetAsync<CandidateCard>($"/api/profiles/{id}/card", ct);
    public virtual Task ShareAsync(Guid id, Guid institutionId, CancellationToken ct = default) => SendAsync(HttpMethod.Put, $"/api/profiles/{id}/sharing/{institutionId}", ct: ct);
    public virtual Task UnshareAsync(Guid id, Guid institutionId, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, $"/api/profiles/{id}/sharing/{institutionId}", ct: ct);
    public virtual async Task<byte[]> ExportAsync(Guid id, CancellationToken ct = default)
    {
        using var timed = Timed(ct);
        using var response = await Http.GetAsync($"/api/profiles/{id}/export", timed.Token);
        await EnsureAsync(response, timed.Token);
        return await response.Content.ReadAsByteArrayAsync(timed.Token);
    }

    public virtual Task EraseAsync(Guid id, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, $"/api/profiles/{id}", ct: ct);
    /// <summary>
    /// Streams a CSV or JSON Lines file to the bulk import and hands each line of its answer (a progress line per
    /// committed batch, then the summary) to <paramref name="onLine"/> as it arrives; returns the summary.
    /// </summary>
    public virtual async Task<System.Text.Json.Nodes.JsonObject> BulkImportAsync(Stream file, string contentType, Action<System.Text.Json.Nodes.JsonObject> onLine, CancellationToken ct = default)
    {
        using var content = new StreamContent(file, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/profiles/import") { Content = content };
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureAsync(response, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        System.Text.Json.Nodes.JsonObject? last = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0 && System.Text.Json.Nodes.JsonNode.Parse(line) is System.Text.Json.Nodes.JsonObject parsed)
            {
                onLine(last = parsed);
            }
        }

        return last ?? throw new ApiProblemException(new ApiProblem { Status = HttpStatusCode.BadGateway, Title = "The import answered nothing." });
    }

    /// <summary>A JSON Resume file becomes the caller's profile; what a résumé cannot say goes in the query.</summary>
    public virtual Task<Profile> ImportJsonResumeAsync(byte[] resume, IEnumerable<(string Name, object? Value)> options, string idempotencyKey, CancellationToken ct = default) =>
        PostDocumentAsync<Profile>("/api/profiles/import/json-resume" + Query([.. options]), resume, "application/json", idempotencyKey, ct);
}

public class PositionsApi(HttpClient http) : ServiceClient(http)
{
    public virtual Task<IReadOnlyList<Institution>> InstitutionsAsync(CancellationToken ct = default) => GetAsync<IReadOnlyList<Institution>>("/api/institutions", ct);
    public virtual Task<Page<JobPosition>> ListAsync(Guid? institution, string? status, int page, int pageSize, CancellationToken ct = default) =>
        GetAsync<Page<JobPosition>>("/api/positions" + Query(("institution", institution), ("status", status), ("page", page), ("pageSize", pageSize)), ct);
    /// <summary>The positions attached to a campaign.</summary>
    public virtual Task<Page<JobPosition>> CampaignPositionsAsync(Guid campaign, int page, int pageSize, CancellationToken ct = default) =>
        GetAsync<Page<JobPosition>>("/api/positions" + Query(("campaign", campaign), ("page", page), ("pageSize", pageSize)), ct);
    /// <summary>Campaigns, newest first; <paramref name="mine"/>: an ambassador's appointments, an HR office's institution.</summary>
    public virtual Task<Page<Campaign>> CampaignsAsync(string? status, bool mine, int page, int pageSize, CancellationToken ct = default) =>
        GetAsync<Page<Campaign>>("/api/campaigns" + Query(("status", status), ("mine", mine ? "true" : null), ("page", page), ("pageSize", pageSize)), ct);
    public virtual Task<Tagged<Campaign>> CampaignAsync(Guid id, CancellationToken ct = default) => GetTaggedAsync<Campaign>($"/api/campaigns/{id}", ct);
    public virtual Task<Campaign> CreateCampaignAsync(CampaignInput input, string idempotencyKey, CancellationToken ct = default) =>
        SendAsync<Campaign>(HttpMethod.Post, "/api/campaigns", input, idempotencyKey: idempotencyKey, ct: ct);
    public virtual Task<Campaign> UpdateCampaignAsync(Guid id, CampaignInput input, string? etag, CancellationToken ct = default) =>
        SendAsync<Campaign>(HttpMethod.Put, $"/api/campaigns/{id}", input, ifMatch: etag, ct: ct);
    public virtual Task CloseCampaignAsync(Guid id, string? etag, CancellationToken ct = default) => SendAsync(HttpMethod.Post, $"/api/campaigns/{id}/close", ifMatch: etag, ct: ct);
    public virtual Task AttachAsync(Guid id, Guid positionId, CancellationToken ct = default) => SendAsync(HttpMethod.Put, $"/api/campaigns/{id}/positions/{positionId}", ct: ct);
    public virtual Task DetachAsync(Guid id, Guid positionId, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, $"/api/campaigns/{id}/positions/{positionId}", ct: ct);
    public virtual Task AppointAsync(Guid id, Guid accountId, AppointmentInput input, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"/api/campaigns/{id}/ambassadors/{accountId}", input, ct: ct);
    public virtual Task RemoveAmbassadorAsync(Guid id, Guid accountId, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, $"/api/campaigns/{id}/ambassadors/{accountId}", ct: ct);
    public virtual Task<Tagged<JobPosition>> GetAsync(Guid id, CancellationToken ct = default) => GetTaggedAsync<JobPosition>($"/api/positions/{id}", ct);
    public virtual Task<JobPosition> CreateAsync(PositionInput input, string idempotencyKey, CancellationToken ct = default) =>
        SendAsync<JobPosition>(HttpMethod.Post, "/api/positions", input, idempotencyKey: idempotencyKey, ct: ct);
    public virtual Task<JobPosition> UpdateAsync(Guid id, PositionInput input, string? etag, CancellationToken ct = default) =>
        SendAsync<JobPosition>(HttpMethod.Put, $"/api/positions/{id}", input, ifMatch: etag, ct: ct);
    public virtual Task TransitionAsync(Guid id, string action, CancellationToken ct = default) => SendAsync(HttpMethod.Post, $"/api/positions/{id}/{action}", ct: ct);
    /// <summary>A schema.org JobPosting (JSON-LD) becomes a position; what a posting cannot say goes in the query.</summary>
    public virtual Task<JobPosition> ImportJobPostingAsync(byte[] posting, IEnumerable<(string Name, object? Value)> options, string idempotencyKey, CancellationToken ct = default) =>
        PostDocumentAsync<JobPosition>("/api/positions/import/job-posting" + Query([.. options]), posting, "application/ld+json", idempotencyKey, ct);
}

public class MatchingApi(HttpClient http) : ServiceClient(http)
{
    public virtual Task<Page<ReviewItem>> ReviewsAsync(string? status, Guid? positionId, Guid? institutionId, string? field, string? sort, int page, int pageSize,
        CancellationToken ct = default, Guid? campaignId = null) =>
        GetAsync<Page<ReviewItem>>("/api/reviews" + Query(("status", status), ("positionId", positionId), ("institutionId", institutionId),
            ("campaignId", campaignId), ("field", field), ("sort", sort), ("page", page), ("pageSize", pageSize)), ct);
    public virtual Task<ReviewDetail> ReviewAsync(Guid id, CancellationToken ct = default) => GetAsync<ReviewDetail>($"/api/reviews/{id}", ct);
    public virtual Task<ReviewItem> DecideAsync(Guid id, DecisionRequest decision, CancellationToken ct = default) =>
        SendAsync<ReviewItem>(HttpMethod.Post, $"/api/reviews/{id}/decision", decision, ct: ct);
    public virtual Task<MatchExplanation> ExplainAsync(Guid positionId, Guid profileId, CancellationToken ct = default) =>
        GetAsync<MatchExplanation>($"/api/positions/{positionId}/candidates/{profileId}/explanation", ct);
    public virtual Task<RecommendationsView> RecommendationsAsync(Guid profileId, CancellationToken ct = default) =>
        GetAsync<RecommendationsView>($"/api/profiles/{profileId}/recommendations", ct);
    public virtual Task<IReadOnlyList<ReviewItem>> EndorsedAsync(Guid positionId, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<ReviewItem>>($"/api/positions/{positionId}/endorsed", ct);
    /// <summary>Who recorded it comes from the access token, as for review decisions.</summary>
    public virtual Task RecordOutcomeAsync(Guid matchId, string outcome, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"/api/matches/{matchId}/outcomes", new { outcome }, ct: ct);
    public virtual Task RecordAgreementAsync(Guid matchId, AgreementInput agreement, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"/api/matches/{matchId}/outcomes", new { outcome = "agreement-signed", agreement }, ct: ct);
    /// <summary>The HR office's order of every endorsed candidate of a position, first choice first.</summary>
    public virtual Task ReorderEndorsedAsync(Guid positionId, IReadOnlyList<Guid> profileIds, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"/api/positions/{positionId}/endorsed/order", new { profileIds }, ct: ct);
    public virtual Task<ResearcherAnswer> AnswerAsync(Guid profileId, Guid positionId, AnswerInput answer, CancellationToken ct = default) =>
        SendAsync<ResearcherAnswer>(HttpMethod.Put, $"/api/profiles/{profileId}/recommendations/{positionId}/answer", answer, ct: ct);
    public virtual Task<AssignmentView> AssignmentAsync(Guid campaignId, CancellationToken ct = default) => GetAsync<AssignmentView>($"/api/campaigns/{campaignId}/assignment", ct);
    public virtual Task<AssignmentView> ComputeAssignmentAsync(Guid campaignId, CancellationToken ct = default) =>
        SendAsync<AssignmentView>(HttpMethod.Post, $"/api/campaigns/{campaignId}/assignment", null, ct: ct, timeout: TimeSpan.FromMinutes(2));
    public virtual Task<FunnelView> FunnelAsync(Guid campaignId, CancellationToken ct = default) => GetAsync<FunnelView>($"/api/campaigns/{campaignId}/funnel", ct);
    public virtual Task<IReadOnlyList<ModelSummary>> ModelsAsync(CancellationToken ct = default) => GetAsync<IReadOnlyList<ModelSummary>>("/api/models", ct);
    public virtual Task<RetrainResponse> RetrainAsync(CancellationToken ct = default) => SendAsync<RetrainResponse>(HttpMethod.Post, "/api/models/retrain", null, ct: ct, timeout: TimeSpan.FromMinutes(15));
}

public class IdentityApi(HttpClient http) : ServiceClient(http)
{
    public virtual Task<Page<Account>> AccountsAsync(string? search, int page, int pageSize, CancellationToken ct = default) =>
        GetAsync<Page<Account>>("/api/accounts" + Query(("search", search), ("page", page), ("pageSize", pageSize)), ct);
    /// <summary>Accounts with one role (administrators), e.g. the ambassadors to appoint to a campaign.</summary>
    public virtual Task<Page<Account>> AccountsInRoleAsync(string role, int page, int pageSize, CancellationToken ct = default) =>
        GetAsync<Page<Account>>("/api/accounts" + Query(("role", role), ("page", page), ("pageSize", pageSize)), ct);
    public virtual Task<Account> CreateAccountAsync(AccountInput input, CancellationToken ct = default) =>
        SendAsync<Account>(HttpMethod.Post, "/api/accounts", input, ct: ct);
    public virtual Task SetDisabledAsync(string id, bool disabled, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"/api/accounts/{Uri.EscapeDataString(id)}/{(disabled ? "disable" : "enable")}", ct: ct);
    /// <summary>Anonymous: a researcher's own sign-up (the answer is 202 for a new and a taken address alike).</summary>
    public virtual Task SignUpAsync(string email, string password, string? displayName, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "/api/auth/signup", new { email, password, displayName }, ct: ct);
    public virtual Task DeleteMeAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Delete, "/api/accounts/me", ct: ct);
    /// <summary>The caller's notices, newest first, with the count of unread ones.</summary>
    public virtual Task<NoticeList> NoticesAsync(int page, int pageSize, CancellationToken ct = default) =>
        GetAsync<NoticeList>("/api/me/notices" + Query(("page", page), ("pageSize", pageSize)), ct);
    public virtual Task MarkNoticesReadAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Post, "/api/me/notices/read", ct: ct);
    public virtual Task<NoticeSettings> NoticeSettingsAsync(CancellationToken ct = default) => GetAsync<NoticeSettings>("/api/me/notice-settings", ct);
    public virtual Task<NoticeSettings> UpdateNoticeSettingsAsync(NoticeSettings settings, CancellationToken ct = default) =>
        SendAsync<NoticeSettings>(HttpMethod.Put, "/api/me/notice-settings", settings, ct: ct);
}

public static class ApiSetup
{
    public static IServiceCollection AddApiClients(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTransient<AccessTokenHandler>();
        Add<ProfilesApi>("Profiles", "http://127.0.0.1:5101");
        Add<PositionsApi>("Positions", "http://127.0.0.1:5102");
        Add<MatchingApi>("Matching", "http://127.0.0.1:5103");
        Add<IdentityApi>("Identity", "http://127.0.0.1:5100");
        services.AddSingleton<ReferenceData>();
        services.AddScoped<UnreadNotices>();
        services.AddHttpClient("reference-profiles", c => c.BaseAddress = new Uri(configuration["Services:Profiles"] ?? "http://127.0.0.1:5101"));
        services.AddHttpClient("reference-positions", c => c.BaseAddress = new Uri(configuration["Services:Positions"] ?? "http://127.0.0.1:5102"));
        return services;

        void Add<TClient>(string name, string fallback) where TClient : class =>
            services.AddHttpClient<TClient>(c =>
                {
                    c.BaseAddress = new Uri(configuration[$"Services:{name}"] ?? fallback);
                    // Each call times itself (ServiceClient.Timed); the bulk import's stream runs as long as the file takes.
                    c.Timeout = Timeout.InfiniteTimeSpan;
                    c.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                })
                .AddHttpMessageHandler<AccessTokenHandler>();
    }

    /// <summary>True for the answers that mean "sign in again".</summary>
    public static bool IsUnauthorized(this ApiProblemException e) => e.Problem.Status == HttpStatusCode.Unauthorized;
}
