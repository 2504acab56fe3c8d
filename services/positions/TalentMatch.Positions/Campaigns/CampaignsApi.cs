using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Positions.Campaigns;

/// <summary>
/// Campaigns are created and run by administrators and, when an institution organises one, by its HR office; the HR
/// office of a participating institution attaches its own positions. Every change publishes the whole campaign, and
/// every change honours If-Match (the campaign's version, positions and appointments included).
/// </summary>
public static class CampaignsApi
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddSingleton(configuration.GetSection("Campaigns").Get<CampaignOptions>() ?? new CampaignOptions())
            .AddSingleton<IValidator<CampaignRequest>, CampaignRequestValidator>()
            .AddSingleton<IValidator<AppointmentRequest>, AppointmentRequestValidator>()
            .AddHostedService<CampaignCloser>();

    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/campaigns").WithTags("Campaigns");
        api.MapPost("/", Create).Validate<CampaignRequest>().WithName("CreateCampaign").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .Produces<CampaignResponse>(StatusCodes.Status201Created)
            .WithSummary("Creates an open campaign (administrators, or the HR office of the organising institution). Send an Idempotency-Key header to make retries safe.");
        api.MapGet("/", List).WithName("ListCampaigns")
            .WithSummary("Campaigns, paged, newest first; filter by status (open, closed), institution (participating) or mine=true (an ambassador's appointments, an HR office's institution).");
        api.MapGet("/{id:guid}", Get).WithName("GetCampaign").WithSummary("One campaign with its positions and (for staff) its ambassadors; its ETag is its version.");
        api.MapPut("/{id:guid}", Update).Validate<CampaignRequest>().WithName("UpdateCampaign").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("Replaces an open campaign's details. Send If-Match with the ETag you read; a stale one gets 412.");
        api.MapPost("/{id:guid}/close", Close).WithName("CloseCampaign").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("Closes the campaign (it also closes by itself once its closing date has passed); matching then computes its stable assignment for the HR offices to confirm.");
        api.MapPut("/{id:guid}/positions/{positionId:guid}", Attach).WithName("AttachCampaignPosition").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("Attaches an open or draft position of a participating institution (its HR office, or whoever runs the campaign).");
        api.MapDelete("/{id:guid}/positions/{positionId:guid}", Detach).WithName("DetachCampaignPosition").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("Takes a position out of the campaign.");
        api.MapPut("/{id:guid}/ambassadors/{accountId:guid}", Appoint).Validate<AppointmentRequest>().WithName("AppointAmbassador")
            .RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("Appoints an ambassador (their account id) with the appointment letter's date and reference; takes effect without a new sign-in.");
        api.MapDelete("/{id:guid}/ambassadors/{accountId:guid}", Remove).WithName("RemoveAmbassador").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("Ends an ambassador's appointment to the campaign.");
        return app;
    }

    private static Task<IResult> Create(CampaignRequest request, PositionsDbContext db, HttpContext http, CancellationToken ct) =>
        !MayRun(http.User, request.Organiser!.InstitutionId)
            ? Task.FromResult<IResult>(Forbidden())
            : db.CreateIdempotentlyAsync(http, "CreateCampaign", request, token =>
        {
            var now = DateTimeOffset.UtcNow;
            var campaign = new Campaign
            {
                Id = Guid.CreateVersion7(), Version = 1, Status = CampaignStatus.Open, NameEn = "", NameZh = "", OrganiserNameEn = "",
                OrganiserNameZh = "", CreatedAt = now,
            };
            Apply(campaign, request, now);
            db.Campaigns.Add(campaign);
            db.Enqueue(campaign.ToEvent(now));
            return Task.FromResult(new CreatedResource<CampaignResponse>($"/api/campaigns/{campaign.Id}", CampaignResponse.From(campaign, true), campaign.Version));
        }, ct);

    private static async Task<Results<Ok<Page<CampaignResponse>>, ValidationProblem>> List(
        PositionsDbContext db, ClaimsPrincipal user, CancellationToken ct, string? status = null, Guid? institution = null, bool? mine = null,
        int? page = null, int? pageSize = null)
    {
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var problem))
        {
            return problem!;
        }

        var query = db.Campaigns.AsNoTracking();
        if (status is not null)
        {
            if (!ListQuery.TryParseEnum<CampaignStatus>(status, out var s))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["Use open or closed."] }, title: "Invalid list parameters.");
            }

            query = query.Where(c => c.Status == s);
        }

        if (institution is not null)
        {
            query = query.Where(c => c.InstitutionIds.Contains(institution.Value));
        }

        if (mine == true)
        {
            var account = user.UserGuid();
            var own = user.Institutions().ToList();
            query = user.IsAmbassador()
                ? query.Where(c => c.Ambassadors.Any(a => a.AccountId == account) || c.InstitutionIds.Any(i => own.Contains(i)))
                : query.Where(c => c.InstitutionIds.Any(i => own.Contains(i)) || (c.OrganiserInstitutionId != null && own.Contains(c.OrganiserInstitutionId.Value)));
        }

        var total = await query.LongCountAsync(ct);
        var items = await query.Include(c => c.Positions).Include(c => c.Ambassadors).AsSplitQuery()
            .OrderByDescending(c => c.OpensOn).ThenBy(c => c.Id).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        var staff = !user.IsResearcher() || user.IsAdmin();
        return TypedResults.Ok(new Page<CampaignResponse>(items.Select(c => CampaignResponse.From(c, staff)).ToList(), paging.PageNumber, paging.PageSize, total));
    }

    private static async Task<Results<Ok<CampaignResponse>, ProblemHttpResult>> Get(Guid id, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        if (await Load(db, id, tracked: false, ct) is not { } campaign)
        {
            return NotFound(id);
        }

        ETags.Set(http, campaign.Version);
        return TypedResults.Ok(CampaignResponse.From(campaign, !http.User.IsResearcher() || http.User.IsAdmin()));
    }

    private static async Task<IResult> Update(Guid id, CampaignRequest request, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var (campaign, refusal) = await ForChangeAsync(db, id, http, c => MayRun(http.User, c.OrganiserInstitutionId) && MayRun(http.User, request.Organiser!.InstitutionId), ct);
        if (campaign is null)
        {
            return refusal!;
        }

        var leaving = campaign.InstitutionIds.Except(request.InstitutionIds!).ToHashSet();
        if (leaving.Count > 0)
        {
            var attached = campaign.Positions.Select(p => p.PositionId).ToList();
            if (await db.Positions.AnyAsync(p => attached.Contains(p.Id) && leaving.Contains(p.InstitutionId), ct))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["institutionIds"] = ["An institution that leaves the campaign still has positions attached to it; detach them first."],
                });
            }
        }

        var now = DateTimeOffset.UtcNow;
        Apply(campaign, request, now);
        return await Changed(db, campaign, http, now, ct);
    }

    private static async Task<IResult> Close(Guid id, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var (campaign, refusal) = await ForChangeAsync(db, id, http, c => MayRun(http.User, c.OrganiserInstitutionId), ct);
        if (campaign is null)
        {
            return refusal!;
        }

        var now = DateTimeOffset.UtcNow;
        campaign.Status = CampaignStatus.Closed;
        campaign.ClosedAt = now;
        return await Changed(db, campaign, http, now, ct);
    }

    private static async Task<IResult> Attach(Guid id, Guid positionId, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var position = await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.Id == positionId, ct);
        if (position is null || (position.Status == PositionStatus.Draft && !PositionsApi.MayManage(http.User, position.InstitutionId)))
        {
            return TypedResults.Problem(statusCode: 404, title: "Position not found.", detail: $"No position has id {positionId}.");
        }

        var (campaign, refusal) = await ForChangeAsync(db, id, http, c => MayPlace(http.User, c, position.InstitutionId), ct);
        if (campaign is null)
        {
            return refusal!;
        }

        if (!campaign.InstitutionIds.Contains(position.InstitutionId))
        {
            return TypedResults.Problem(statusCode: 409, title: "The position's institution does not take part in this campaign.",
                detail: "Add the institution to the campaign's participating institutions first.");
        }

        if (position.Status is PositionStatus.Closed or PositionStatus.Filled)
        {
            return TypedResults.Problem(statusCode: 409, title: $"The position is {position.Status.ToString().ToLowerInvariant()}; only open or draft positions join a campaign.");
        }

        if (campaign.Positions.Any(p => p.PositionId == positionId))
        {
            ETags.Set(http, campaign.Version);
            return TypedResults.Ok(CampaignResponse.From(campaign, true));
        }

        var now = DateTimeOffset.UtcNow;
        campaign.Positions.Add(new CampaignPosition { CampaignId = id, PositionId = positionId, AttachedAt = now, AttachedBy = http.User.Actor() });
        return await Changed(db, campaign, http, now, ct);
    }

    private static async Task<IResult> Detach(Guid id, Guid positionId, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var institution = await db.Positions.Where(p => p.Id == positionId).Select(p => (Guid?)p.InstitutionId).FirstOrDefaultAsync(ct);
        var (campaign, refusal) = await ForChangeAsync(db, id, http, c => institution is null || MayPlace(http.User, c, institution.Value), ct);
        if (campaign is null)
        {
            return refusal!;
        }

        if (campaign.Positions.FirstOrDefault(p => p.PositionId == positionId) is not { } attached)
        {
            return TypedResults.Problem(statusCode: 404, title: "The position is not attached to this campaign.");
        }

        campaign.Positions.Remove(attached);
        return await Changed(db, campaign, http, DateTimeOffset.UtcNow, ct);
    }

    private static async Task<IResult> Appoint(Guid id, Guid accountId, AppointmentRequest request, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var (campaign, refusal) = await ForChangeAsync(db, id, http, c => MayRun(http.User, c.OrganiserInstitutionId), ct);
        if (campaign is null)
        {
            return refusal!;
        }

        var now = DateTimeOffset.UtcNow;
        var appointment = campaign.Ambassadors.FirstOrDefault(a => a.AccountId == accountId);
        if (appointment is null)
        {
            appointment = new AmbassadorAppointment { CampaignId = id, AccountId = accountId, LetterReference = "", RecordedBy = "" };
            campaign.Ambassadors.Add(appointment);
        }

        appointment.AppointedOn = request.AppointedOn!.Value;
        appointment.LetterReference = request.LetterReference!.Trim();
        appointment.RecordedAt = now;
        appointment.RecordedBy = http.User.Actor();
        return await Changed(db, campaign, http, now, ct);
    }

    private static async Task<IResult> Remove(Guid id, Guid accountId, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var (campaign, refusal) = await ForChangeAsync(db, id, http, c => MayRun(http.User, c.OrganiserInstitutionId), ct);
        if (campaign is null)
        {
            return refusal!;
        }

        if (campaign.Ambassadors.FirstOrDefault(a => a.AccountId == accountId) is not { } appointment)
        {
            return TypedResults.Problem(statusCode: 404, title: "This account is not appointed to the campaign.");
        }

        campaign.Ambassadors.Remove(appointment);
        return await Changed(db, campaign, http, DateTimeOffset.UtcNow, ct);
    }

    /// <summary>
    /// The campaign a request may change, tracked, or the answer that refuses it: unknown (404), not the caller's to
    /// change (403), a stale If-Match (412), closed (409), in that order.
    /// </summary>
    private static async Task<(Campaign? Campaign, IResult? Refusal)> ForChangeAsync(
        PositionsDbContext db, Guid id, HttpContext http, Func<Campaign, bool> mayChange, CancellationToken ct)
    {
        var campaign = await Load(db, id, tracked: true, ct);
        IResult? refusal = campaign switch
        {
            null => NotFound(id),
            _ when !mayChange(campaign) => Forbidden(),
            _ when !ETags.IfMatchSatisfied(http, campaign.Version) => ETags.PreconditionFailed(campaign.Version),
            { Status: CampaignStatus.Closed } => TypedResults.Problem(statusCode: 409, title: "The campaign is closed and can no longer be changed."),
            _ => null,
        };
        return refusal is null ? (campaign, null) : (null, refusal);
    }

    private static void Apply(Campaign campaign, CampaignRequest request, DateTimeOffset now)
    {
        campaign.NameEn = request.NameEn!.Trim();
        campaign.NameZh = request.NameZh!.Trim();
        campaign.OrganiserNameEn = request.Organiser!.NameEn!.Trim();
        campaign.OrganiserNameZh = request.Organiser.NameZh!.Trim();
        campaign.OrganiserInstitutionId = request.Organiser.InstitutionId;
        campaign.InstitutionIds = [.. request.InstitutionIds!];
        campaign.OpensOn = request.OpensOn!.Value;
        campaign.ClosesOn = request.ClosesOn!.Value;
        campaign.TargetHires = request.TargetHires!.Value;
        campaign.UpdatedAt = now;
    }

    /// <summary>One version step and one event per change, saved together; a concurrent change makes it 412.</summary>
    private static Task<IResult> Changed(PositionsDbContext db, Campaign campaign, HttpContext http, DateTimeOffset now, CancellationToken ct)
    {
        campaign.Version++;
        campaign.UpdatedAt = now;
        db.Enqueue(campaign.ToEvent(now));
        return db.SaveVersionedAsync(http, campaign.Version, () => CampaignResponse.From(campaign, true), "campaign", ct);
    }

    private static Task<Campaign?> Load(PositionsDbContext db, Guid id, bool tracked, CancellationToken ct)
    {
        var query = db.Campaigns.Include(c => c.Positions).Include(c => c.Ambassadors).AsSplitQuery();
        return (tracked ? query : query.AsNoTracking()).FirstOrDefaultAsync(c => c.Id == id, ct);
    }

    /// <summary>A position joins or leaves a campaign by its own HR office or by whoever runs the campaign.</summary>
    private static bool MayPlace(ClaimsPrincipal user, Campaign campaign, Guid positionInstitution) =>
        PositionsApi.MayManage(user, positionInstitution) || MayRun(user, campaign.OrganiserInstitutionId);

    /// <summary>Administrators run every campaign; an organising institution's HR office runs its own.</summary>
    internal static bool MayRun(ClaimsPrincipal user, Guid? organiserInstitutionId) =>
        user.IsAdmin() || (organiserInstitutionId is { } id && user.IsHr() && user.Institutions().Contains(id));

    private static ProblemHttpResult Forbidden() =>
        TypedResults.Problem(statusCode: 403, title: "Only administrators and the organising institution's HR office run a campaign; a position's own HR office attaches or detaches it.");

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "Campaign not found.", detail: $"No campaign has id {id}.");
}
