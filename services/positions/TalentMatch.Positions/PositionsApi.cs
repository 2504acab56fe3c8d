using TalentMatch.Hosting.Auth;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts;
using TalentMatch.Contracts.Positions;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;
using TalentMatch.Positions.JobPostings;
using TalentMatch.ReferenceData;

namespace TalentMatch.Positions;

public static class PositionsApi
{
    public static IServiceCollection AddPositions(this IServiceCollection services) =>
        services
            .AddSingleton(TimeProvider.System)
            .AddSingleton(ResearchFieldTaxonomy.Load())
            .AddSingleton(ReferenceData.Institutions.Load())
            .AddSingleton<IValidator<PositionRequest>, PositionRequestValidator>()
            .AddHostedService<ReferenceDataSeeder>();

    public static IEndpointRouteBuilder MapPositionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/positions").WithTags("Positions");
        api.MapPost("/", Create).Validate<PositionRequest>().WithName("CreatePosition").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .Produces<PositionResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Creates a position, open (the default) or as a draft. Send an Idempotency-Key header to make retries safe.");
        api.MapJobPostings();
        api.MapGet("/", List).WithName("ListPositions")
            .WithSummary("Positions, paged; filter by field (code or any subfield), city, stage (within the position's range), institution id, campaign id, status; sort by createdAt, updatedAt, applicationDeadline or title (prefix - for descending).");
        api.MapGet("/{id:guid}", Get).WithName("GetPosition").WithSummary("One position; its ETag is its version.");
        api.MapPut("/{id:guid}", Update).Validate<PositionRequest>().WithName("UpdatePosition").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("Replaces a draft or open position. Send If-Match with the ETag you read; a stale one gets 412.");
        api.MapPost("/{id:guid}/open", (Guid id, PositionsDbContext db, HttpContext http, CancellationToken ct) =>
                Transition(id, PositionStatus.Open, db, http, ct))
            .WithName("OpenPosition").RequireAuthorization(PlatformAuthentication.HrPolicy).WithSummary("Publishes a draft position to matching.");
        api.MapPost("/{id:guid}/close", (Guid id, PositionsDbContext db, HttpContext http, CancellationToken ct) =>
                Transition(id, PositionStatus.Closed, db, http, ct))
            .WithName("ClosePosition").RequireAuthorization(PlatformAuthentication.HrPolicy).WithSummary("Closes a draft or open position without filling it.");
        api.MapPost("/{id:guid}/fill", (Guid id, PositionsDbContext db, HttpContext http, CancellationToken ct) =>
                Transition(id, PositionStatus.Filled, db, http, ct))
            .WithName("FillPosition").RequireAuthorization(PlatformAuthentication.HrPolicy).WithSummary("Marks an open position as filled.");

        var institutions = app.MapGroup("/api/institutions").WithTags("Institutions").AllowAnonymous();
        institutions.MapGet("/", async (PositionsDbContext db, CancellationToken ct, string? city = null) =>
                TypedResults.Ok(await db.Institutions.AsNoTracking().Where(i => city == null || i.City == city).OrderBy(i => i.NameEn).ToListAsync(ct)))
            .WithName("ListInstitutions").WithSummary("Institutions that post positions, optionally in one city.");
        institutions.MapGet("/{id:guid}", async Task<Results<Ok<Institution>, ProblemHttpResult>> (Guid id, PositionsDbContext db, CancellationToken ct) =>
                await db.Institutions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct) is { } found
                    ? TypedResults.Ok(found)
                    : TypedResults.Problem(statusCode: 404, title: "Institution not found."))
            .WithName("GetInstitution");
        return app;
    }

    private static Task<IResult> Create(PositionRequest request, PositionsDbContext db, HttpContext http, CancellationToken ct) =>
        CreateAsync(request, "CreatePosition", db, http, ct);

    /// <summary>
    /// Creates a position from a validated request with its event and (with an Idempotency-Key) the stored answer in one
    /// SaveChanges. Shared by <c>POST /api/positions</c> and the JobPosting import; <paramref name="scope"/> keeps their keys apart.
    /// </summary>
    internal static Task<IResult> CreateAsync(PositionRequest request, string scope, PositionsDbContext db, HttpContext http, CancellationToken ct) =>
        !MayManage(http.User, request.InstitutionId!.Value)
            ? Task.FromResult<IResult>(Forbidden())
            : db.CreateIdempotentlyAsync(http, scope, request, async token =>
        {
            var now = DateTimeOffset.UtcNow;
            var position = new Position
            {
                Id = Guid.CreateVersion7(), Version = 1, Status = request.Status ?? PositionStatus.Open, Title = "", City = "", CreatedAt = now,
            };
            await Apply(position, request, db, now, token);
            db.Positions.Add(position);
            if (position.Status == PositionStatus.Open)
            {
                db.Enqueue(new PositionOpened(Guid.NewGuid(), now, position.Id, position.Version, position.ToMatchingView()));
            }

            return new CreatedResource<PositionResponse>($"/api/positions/{position.Id}", PositionResponse.From(position), position.Version);
        }, ct);

    private static async Task<Results<Ok<Page<PositionResponse>>, ValidationProblem>> List(
        PositionsDbContext db, ResearchFieldTaxonomy taxonomy, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct,
        string? field = null, string? city = null, string? stage = null, Guid? institution = null,
        string? status = null, string? sort = null, int? page = null, int? pageSize = null, Guid? campaign = null)
    {
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem!;
        }

        var errors = new Dictionary<string, string[]>();
        var query = db.Positions.AsNoTracking();
        if (!user.IsAdmin())
        {
            // Drafts are visible only to their own institution's HR office.
            var own = user.IsHr() ? user.Institutions().ToList() : [];
            query = query.Where(p => p.Status != PositionStatus.Draft || own.Contains(p.InstitutionId));
        }

        if (field is not null)
        {
            if (!taxonomy.Contains(field))
            {
                errors["field"] = ["Unknown research field code; see GET /api/taxonomy."];
            }

            var below = field + ".";
            query = query.Where(p => p.ResearchFields.Any(f => f == field || f.StartsWith(below)));
        }

        if (city is not null)
        {
            query = query.Where(p => p.City == city);
        }

        if (stage is not null)
        {
            if (ListQuery.TryParseEnum<CareerStage>(stage, out var s))
            {
                query = query.Where(p => p.CareerStageMin <= s && s <= p.CareerStageMax);
            }
            else
            {
                errors["stage"] = ["Use R1, R2, R3 or R4."];
            }
        }

        if (institution is not null)
        {
            query = query.Where(p => p.InstitutionId == institution);
        }

        if (campaign is not null)
        {
            query = query.Where(p => db.CampaignPositions.Any(c => c.CampaignId == campaign && c.PositionId == p.Id));
        }

        if (status is not null)
        {
            if (ListQuery.TryParseEnum<PositionStatus>(status, out var s))
            {
                query = query.Where(p => p.Status == s);
            }
            else
            {
                errors["status"] = ["Use draft, open, closed or filled."];
            }
        }

        var sorted = ListQuery.Sort(query, sort, errors, p => p.CreatedAt, new()
        {
            ["createdAt"] = ListQuery.By<Position>(p => p.CreatedAt),
            ["updatedAt"] = ListQuery.By<Position>(p => p.UpdatedAt),
            ["applicationDeadline"] = ListQuery.By<Position>(p => p.ApplicationDeadline),
            ["title"] = ListQuery.By<Position>(p => p.Title),
        });
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid list parameters.");
        }

        var total = await query.LongCountAsync(ct);
        var items = await sorted.ThenBy(p => p.Id).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Page<PositionResponse>(items.Select(PositionResponse.From).ToList(), paging.PageNumber, paging.PageSize, total));
    }

    private static async Task<Results<Ok<PositionResponse>, ProblemHttpResult>> Get(Guid id, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var position = await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (position is null || (position.Status == PositionStatus.Draft && !MayManage(http.User, position.InstitutionId)))
        {
            return NotFound(id);
        }

        ETags.Set(http, position.Version);
        return TypedResults.Ok(PositionResponse.From(position));
    }

    private static async Task<IResult> Update(Guid id, PositionRequest request, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var position = await db.Positions.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (position is null)
        {
            return NotFound(id);
        }

        if (!MayManage(http.User, position.InstitutionId))
        {
            return Forbidden();
        }

        if (!ETags.IfMatchSatisfied(http, position.Version))
        {
            return ETags.PreconditionFailed(position.Version);
        }

        if (position.Status is PositionStatus.Closed or PositionStatus.Filled)
        {
            return TypedResults.Problem(statusCode: 409, title: $"The position is {position.Status.ToString().ToLowerInvariant()} and can no longer be changed.");
        }

        if (!MayManage(http.User, request.InstitutionId!.Value))
        {
            return Forbidden();
        }

        var now = DateTimeOffset.UtcNow;
        await Apply(position, request, db, now, ct);
        position.Version++;
        if (position.Status == PositionStatus.Open)
        {
            db.Enqueue(new PositionUpdated(Guid.NewGuid(), now, position.Id, position.Version, position.ToMatchingView()));
        }

        return await SaveOrConflict(db, position, http, ct);
    }

    /// <summary>
    /// Draft → open publishes <see cref="PositionOpened"/>; open → closed or filled publishes <see cref="PositionClosed"/>;
    /// closing a draft publishes nothing, since matching never saw it.
    /// </summary>
    private static async Task<IResult> Transition(Guid id, PositionStatus target, PositionsDbContext db, HttpContext http, CancellationToken ct)
    {
        var position = await db.Positions.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (position is null)
        {
            return NotFound(id);
        }

        if (!MayManage(http.User, position.InstitutionId))
        {
            return Forbidden();
        }

        if (!ETags.IfMatchSatisfied(http, position.Version))
        {
            return ETags.PreconditionFailed(position.Version);
        }

        var allowed = (position.Status, target) switch
        {
            (PositionStatus.Draft, PositionStatus.Open) => true,
            (PositionStatus.Draft or PositionStatus.Open, PositionStatus.Closed) => true,
            (PositionStatus.Open, PositionStatus.Filled) => true,
            _ => false,
        };
        if (!allowed)
        {
            return TypedResults.Problem(statusCode: 409,
                title: $"A {position.Status.ToString().ToLowerInvariant()} position cannot become {target.ToString().ToLowerInvariant()}.");
        }

        var now = DateTimeOffset.UtcNow;
        var wasOpen = position.Status == PositionStatus.Open;
        position.Status = target;
        position.UpdatedAt = now;
        position.Version++;
        IIntegrationEvent? @event = target switch
        {
            PositionStatus.Open => new PositionOpened(Guid.NewGuid(), now, position.Id, position.Version, position.ToMatchingView()),
            _ when wasOpen => new PositionClosed(Guid.NewGuid(), now, position.Id, position.Version, Filled: target == PositionStatus.Filled),
            _ => null,
        };
        if (@event is not null)
        {
            db.Enqueue(@event);
        }

        return await SaveOrConflict(db, position, http, ct);
    }

    private static async Task Apply(Position position, PositionRequest request, PositionsDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        position.InstitutionId = request.InstitutionId!.Value;
        position.Title = request.Title!.Trim();
        position.Department = Blank(request.Department);
        position.Description = Blank(request.Description);
        // An omitted city means the institution's own.
        position.City = Blank(request.City)
            ?? await db.Institutions.Where(i => i.Id == position.InstitutionId).Select(i => i.City).FirstAsync(ct);
        position.ResearchFields = [.. request.ResearchFields!.Distinct()];
        position.RequiredSkills = CommonRules.NormalizeTags(request.RequiredSkills);
        position.PreferredSkills = CommonRules.NormalizeTags(request.PreferredSkills);
        position.MinimumDegree = request.MinimumDegree!.Value;
        position.CareerStageMin = request.CareerStageMin!.Value;
        position.CareerStageMax = request.CareerStageMax!.Value;
        position.MinimumYears = request.MinimumYears!.Value;
        position.TalentTierSought = request.TalentTierSought ?? TalentTier.None;
        position.EmploymentMode = request.EmploymentMode!.Value;
        position.Languages = CommonRules.NormalizeTags(request.Languages);
        position.Headcount = request.Headcount!.Value;
        position.SalaryMinCny = request.SalaryBand?.MinCny;
        position.SalaryMaxCny = request.SalaryBand?.MaxCny;
        position.StartupFundingCny = request.StartupFundingCny;
        position.ApplicationDeadline = request.ApplicationDeadline;
        position.UpdatedAt = now;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static Task<IResult> SaveOrConflict(PositionsDbContext db, Position position, HttpContext http, CancellationToken ct) =>
        db.SaveVersionedAsync(http, position.Version, () => PositionResponse.From(position), "position", ct);

    /// <summary>An HR office manages its own institution's positions; an administrator any.</summary>
    internal static bool MayManage(System.Security.Claims.ClaimsPrincipal user, Guid institutionId) =>
        user.IsAdmin() || (user.IsHr() && user.Institutions().Contains(institutionId));

    internal static ProblemHttpResult Forbidden() =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only the institution's HR office may do this.");

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "Position not found.", detail: $"No position has id {id}.");
}
