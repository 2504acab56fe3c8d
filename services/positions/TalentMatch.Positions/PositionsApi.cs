using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Positions;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;
using TalentMatch.Seeds;

namespace TalentMatch.Positions;

/// <summary>What an HR office sends to open or update a position; members are optional so every gap is reported.</summary>
public sealed record PositionRequest(
    Guid? InstitutionId,
    string? Title,
    string? Department,
    string? City,
    IReadOnlyList<string>? ResearchFields,
    IReadOnlyList<string>? RequiredSkills,
    IReadOnlyList<string>? PreferredSkills,
    DegreeLevel? MinimumDegree,
    CareerStage? CareerStageMin,
    CareerStage? CareerStageMax,
    double? MinimumYears,
    EmploymentModes? EmploymentMode,
    int? Headcount,
    DateOnly? ApplicationDeadline);

public sealed record PositionResponse(
    Guid Id,
    long Version,
    PositionStatus Status,
    Guid InstitutionId,
    string Title,
    string? Department,
    string City,
    IReadOnlyList<string> ResearchFields,
    IReadOnlyList<string> RequiredSkills,
    IReadOnlyList<string> PreferredSkills,
    DegreeLevel MinimumDegree,
    CareerStage CareerStageMin,
    CareerStage CareerStageMax,
    double MinimumYears,
    EmploymentModes EmploymentMode,
    int Headcount,
    DateOnly? ApplicationDeadline,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static PositionResponse From(Position p) => new(
        p.Id, p.Version, p.Status, p.InstitutionId, p.Title, p.Department, p.City, p.ResearchFields, p.RequiredSkills,
        p.PreferredSkills, p.MinimumDegree, p.CareerStageMin, p.CareerStageMax, p.MinimumYears, p.EmploymentMode,
        p.Headcount, p.ApplicationDeadline, p.CreatedAt, p.UpdatedAt);
}

public sealed class PositionRequestValidator : AbstractValidator<PositionRequest>
{
    public PositionRequestValidator(ResearchFieldTaxonomy taxonomy, Institutions institutions, TimeProvider clock)
    {
        RuleFor(r => r.InstitutionId).NotNull()
            .Must(id => id is null || institutions.TryGet(id.Value, out _))
            .WithMessage("Unknown institution; see GET /api/institutions.");
        RuleFor(r => r.Title).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Department).MaximumLength(200);
        RuleFor(r => r.City).NotEmpty().MaximumLength(100);
        RuleFor(r => r.ResearchFields).ResearchFieldCodes(taxonomy);
        RuleFor(r => r.RequiredSkills).Tags();
        RuleFor(r => r.PreferredSkills).Tags();
        RuleFor(r => r.MinimumDegree).NotNull().IsInEnum();
        RuleFor(r => r.CareerStageMin).NotNull().IsInEnum();
        RuleFor(r => r.CareerStageMax).NotNull().IsInEnum()
            .Must((r, max) => r.CareerStageMin is null || max is null || max >= r.CareerStageMin)
            .WithMessage("'careerStageMax' must not be below 'careerStageMin'.");
        RuleFor(r => r.MinimumYears).NotNull().InclusiveBetween(0, 50);
        RuleFor(r => r.EmploymentMode).NotNull().SingleEmploymentMode();
        RuleFor(r => r.Headcount).NotNull().InclusiveBetween(1, 1000);
        RuleFor(r => r.ApplicationDeadline)
            .Must(d => d is null || d.Value >= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))
            .WithMessage("'applicationDeadline' must not be in the past.");
    }
}

public static class PositionsApi
{
    public static IServiceCollection AddPositions(this IServiceCollection services) =>
        services
            .AddSingleton(TimeProvider.System)
            .AddSingleton(ResearchFieldTaxonomy.Load())
            .AddSingleton(Institutions.Load())
            .AddSingleton<IValidator<PositionRequest>, PositionRequestValidator>();

    public static IEndpointRouteBuilder MapPositionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/positions").WithTags("Positions");
        api.MapPost("/", Open).Validate<PositionRequest>().WithName("OpenPosition");
        api.MapGet("/", List).WithName("ListPositions");
        api.MapGet("/{id:guid}", Get).WithName("GetPosition");
        api.MapPut("/{id:guid}", Update).Validate<PositionRequest>().WithName("UpdatePosition");
        api.MapPost("/{id:guid}/close", Close).WithName("ClosePosition");
        return app;
    }

    private static async Task<Created<PositionResponse>> Open(PositionRequest request, PositionsDbContext db, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var position = new Position
        {
            Id = Guid.CreateVersion7(),
            Version = 1,
            Title = request.Title!.Trim(),
            City = request.City!.Trim(),
            CreatedAt = now,
        };
        Apply(position, request, now);
        db.Positions.Add(position);
        db.Enqueue(new PositionOpened(Guid.NewGuid(), now, position.Id, position.Version, position.ToMatchingView()));
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/positions/{position.Id}", PositionResponse.From(position));
    }

    private static async Task<Results<Ok<Page<PositionResponse>>, ValidationProblem>> List(
        PositionsDbContext db, int? page, int? pageSize, CancellationToken ct)
    {
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var problem))
        {
            return problem!;
        }

        var query = db.Positions.AsNoTracking().OrderBy(p => p.CreatedAt).ThenBy(p => p.Id);
        var total = await query.LongCountAsync(ct);
        var items = await query.Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Page<PositionResponse>(items.Select(PositionResponse.From).ToList(), paging.PageNumber, paging.PageSize, total));
    }

    private static async Task<Results<Ok<PositionResponse>, ProblemHttpResult>> Get(Guid id, PositionsDbContext db, CancellationToken ct)
    {
        var position = await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        return position is null ? NotFound(id) : TypedResults.Ok(PositionResponse.From(position));
    }

    private static async Task<Results<Ok<PositionResponse>, ProblemHttpResult>> Update(
        Guid id, PositionRequest request, PositionsDbContext db, CancellationToken ct)
    {
        var position = await db.Positions.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (position is null)
        {
            return NotFound(id);
        }

        if (position.Status == PositionStatus.Closed)
        {
            return TypedResults.Problem(statusCode: 409, title: "The position is closed and can no longer be changed.");
        }

        var now = DateTimeOffset.UtcNow;
        position.Title = request.Title!.Trim();
        position.City = request.City!.Trim();
        Apply(position, request, now);
        position.Version++;
        db.Enqueue(new PositionUpdated(Guid.NewGuid(), now, position.Id, position.Version, position.ToMatchingView()));
        return await SaveOrConflict(db, position, ct);
    }

    private static async Task<Results<Ok<PositionResponse>, ProblemHttpResult>> Close(Guid id, PositionsDbContext db, CancellationToken ct)
    {
        var position = await db.Positions.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (position is null)
        {
            return NotFound(id);
        }

        if (position.Status == PositionStatus.Closed)
        {
            return TypedResults.Problem(statusCode: 409, title: "The position is already closed.");
        }

        var now = DateTimeOffset.UtcNow;
        position.Status = PositionStatus.Closed;
        position.UpdatedAt = now;
        position.Version++;
        db.Enqueue(new PositionClosed(Guid.NewGuid(), now, position.Id, position.Version));
        return await SaveOrConflict(db, position, ct);
    }

    private static void Apply(Position position, PositionRequest request, DateTimeOffset now)
    {
        position.InstitutionId = request.InstitutionId!.Value;
        position.Department = string.IsNullOrWhiteSpace(request.Department) ? null : request.Department.Trim();
        position.ResearchFields = [.. request.ResearchFields!.Distinct()];
        position.RequiredSkills = CommonRules.NormalizeTags(request.RequiredSkills);
        position.PreferredSkills = CommonRules.NormalizeTags(request.PreferredSkills);
        position.MinimumDegree = request.MinimumDegree!.Value;
        position.CareerStageMin = request.CareerStageMin!.Value;
        position.CareerStageMax = request.CareerStageMax!.Value;
        position.MinimumYears = request.MinimumYears!.Value;
        position.EmploymentMode = request.EmploymentMode!.Value;
        position.Headcount = request.Headcount!.Value;
        position.ApplicationDeadline = request.ApplicationDeadline;
        position.UpdatedAt = now;
    }

    private static async Task<Results<Ok<PositionResponse>, ProblemHttpResult>> SaveOrConflict(PositionsDbContext db, Position position, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(PositionResponse.From(position));
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: 409, title: "The position was changed by another request; read it again and retry.");
        }
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "Position not found.", detail: $"No position has id {id}.");
}
