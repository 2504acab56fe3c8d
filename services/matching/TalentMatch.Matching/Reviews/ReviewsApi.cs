using System.Security.Claims;
using TalentMatch.Hosting.Auth;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Matching;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;
using TalentMatch.Matching.Shortlists;

namespace TalentMatch.Matching.Reviews;

public sealed record ReviewItem(
    Guid Id, Guid PositionId, Guid ProfileId, Guid InstitutionId, IReadOnlyList<string> ResearchFields, double Score, int Rank,
    int ModelVersion, MatchStatus Status, DateTimeOffset ProposedAt, JsonElement TopContributions,
    DateTimeOffset? DecidedAt, string? DecidedBy, RejectionReason? Reason, string? ReasonText, CandidateOutcome? Outcome)
{
    public static ReviewItem From(Match m) => new(
        m.Id, m.PositionId, m.ProfileId, m.InstitutionId, m.ResearchFields, m.Score, m.Rank, m.ModelVersion, m.Status,
        m.ProposedAt, ShortlistsApi.Json(m.TopContributions), m.DecidedAt, m.DecidedBy, m.Reason, m.ReasonText, m.Outcome);
}

/// <summary>A match with everything a reviewer may want: the full explanation of its score and its history.</summary>
public sealed record ReviewDetail(
    ReviewItem Match, double BaselineScore, double? Bias, IReadOnlyList<Contribution> Contributions,
    IReadOnlyList<MatchDecision> Decisions, IReadOnlyList<MatchOutcome> Outcomes);

/// <summary>A reviewer's decision. Who decided is the caller's account (from the token), never a name in the body.</summary>
public sealed record DecisionRequest(ReviewDecision? Decision, RejectionReason? Reason, string? ReasonText);

/// <summary>An outcome; who recorded it is the caller's account (from the token).</summary>
public sealed record OutcomeRequest(CandidateOutcome? Outcome);

public sealed class DecisionRequestValidator : AbstractValidator<DecisionRequest>
{
    public DecisionRequestValidator()
    {
        RuleFor(r => r.Decision).NotNull().IsInEnum();
        RuleFor(r => r.Reason).NotNull().When(r => r.Decision == ReviewDecision.Reject)
            .WithMessage("A rejection needs a reason: field-mismatch, insufficient-seniority, location, already-contacted or other.");
        RuleFor(r => r.Reason).IsInEnum();
        RuleFor(r => r.ReasonText).NotEmpty().When(r => r.Reason == RejectionReason.Other)
            .WithMessage("Say why in 'reasonText' when the reason is 'other'.");
        RuleFor(r => r.ReasonText).MaximumLength(2000);
    }
}

public sealed class OutcomeRequestValidator : AbstractValidator<OutcomeRequest>
{
    public OutcomeRequestValidator()
    {
        RuleFor(r => r.Outcome).NotNull().IsInEnum();
    }
}

public static class ReviewsApi
{
    public static IServiceCollection AddReviews(this IServiceCollection services) =>
        services
            .AddSingleton<IValidator<DecisionRequest>, DecisionRequestValidator>()
            .AddSingleton<IValidator<OutcomeRequest>, OutcomeRequestValidator>();

    public static IEndpointRouteBuilder MapReviewsApi(this IEndpointRouteBuilder app)
    {
        var reviews = app.MapGroup("/api/reviews").WithTags("Reviews");
        reviews.RequireAuthorization(PlatformAuthentication.AmbassadorPolicy);
        reviews.MapGet("/", List).WithName("ListReviews")
            .WithSummary("The review queue: proposed matches by default; filter by status, positionId, institutionId, field (code or any subfield); sort newest (default) or score.");
        reviews.MapGet("/{id:guid}", Get).WithName("GetReview").WithSummary("One match with its full explanation and its decision history.");
        reviews.MapPost("/{id:guid}/decision", Decide).Validate<DecisionRequest>().WithName("DecideMatch")
            .WithSummary("Endorse, reject (with a coded reason) or hold a proposed or held match.");
        app.MapPost("/api/matches/{id:guid}/outcomes", RecordOutcome).Validate<OutcomeRequest>().WithTags("Reviews").WithName("RecordOutcome")
            .RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("An HR office records what happened with an endorsed candidate.");
        app.MapGet("/api/positions/{id:guid}/endorsed", Endorsed).WithTags("Reviews").WithName("GetEndorsedCandidates")
            .RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("The candidates ambassadors endorsed for a position, with their latest outcome: what its HR office sees.");
        return app;
    }

    private static async Task<Results<Ok<Page<ReviewItem>>, ValidationProblem>> List(
        MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct, string? status = null, Guid? positionId = null, Guid? institutionId = null,
        string? field = null, string? sort = null, int? page = null, int? pageSize = null)
    {
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var problem))
        {
            return problem!;
        }

        var errors = new Dictionary<string, string[]>();
        var wanted = MatchStatus.Proposed;
        if (status is not null && !ListQuery.TryParseEnum(status, out wanted))
        {
            errors["status"] = ["Use proposed, held, endorsed, rejected or expired."];
        }

        var query = db.Matches.AsNoTracking().Where(m => m.Status == wanted);
        if (!user.IsAdmin())
        {
            // An ambassador's queue holds only the institutions in their scope.
            var scope = user.Institutions().ToList();
            query = query.Where(m => scope.Contains(m.InstitutionId));
        }

        if (positionId is not null)
        {
            query = query.Where(m => m.PositionId == positionId);
        }

        if (institutionId is not null)
        {
            query = query.Where(m => m.InstitutionId == institutionId);
        }

        if (field is not null)
        {
            var below = field + ".";
            query = query.Where(m => m.ResearchFields.Any(f => f == field || f.StartsWith(below)));
        }

        IOrderedQueryable<Match> sorted = sort switch
        {
            null or "newest" => query.OrderByDescending(m => m.ProposedAt),
            "score" => query.OrderByDescending(m => m.Score),
            _ => query.OrderByDescending(m => m.ProposedAt),
        };
        if (sort is not null and not "newest" and not "score")
        {
            errors["sort"] = ["Sort by newest or score."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid list parameters.");
        }

        var total = await query.LongCountAsync(ct);
        var items = await sorted.ThenBy(m => m.Id).Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Page<ReviewItem>(items.Select(ReviewItem.From).ToList(), paging.PageNumber, paging.PageSize, total));
    }

    private static async Task<Results<Ok<ReviewDetail>, ProblemHttpResult>> Get(Guid id, MatchingDbContext db, ChampionModel champion, ClaimsPrincipal user, CancellationToken ct)
    {
        var match = await db.Matches.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);
        if (match is null || !InScope(user, match.InstitutionId))
        {
            return NotFound(id);
        }

        var model = await champion.LoadAsync(db, match.ModelVersion, ct);
        var explained = model?.Explain(match.Features);
        var decisions = await db.MatchDecisions.AsNoTracking().Where(d => d.MatchId == id).OrderBy(d => d.DecidedAt).ToListAsync(ct);
        var outcomes = await db.MatchOutcomes.AsNoTracking().Where(o => o.MatchId == id).OrderBy(o => o.RecordedAt).ToListAsync(ct);
        return TypedResults.Ok(new ReviewDetail(ReviewItem.From(match), match.BaselineScore, explained?.Bias,
            model is null ? [] : ShortlistRanker.Explain(model, match.Features), decisions, outcomes));
    }

    private static async Task<IResult> Decide(Guid id, DecisionRequest request, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var match = await db.Matches.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (match is not null && !InScope(user, match.InstitutionId))
        {
            return NotFound(id);
        }

        if (match is null || match.Status == MatchStatus.Expired)
        {
            return match is null ? NotFound(id) : TypedResults.Problem(statusCode: 404, title: "This match no longer exists.",
                detail: "The candidate left the shortlist (withdrawn, changed, or outranked) or the position closed before review.");
        }

        var decision = request.Decision!.Value;
        if (match.Status is not (MatchStatus.Proposed or MatchStatus.Held) || (match.Status == MatchStatus.Held && decision == ReviewDecision.Hold))
        {
            return TypedResults.Problem(statusCode: 409, title: $"This match has already been reviewed ({Json(match.Status)}).",
                detail: "A match is endorsed or rejected once; a held match can be endorsed or rejected later.");
        }

        var now = DateTimeOffset.UtcNow;
        match.Status = decision switch
        {
            ReviewDecision.Endorse => MatchStatus.Endorsed,
            ReviewDecision.Reject => MatchStatus.Rejected,
            _ => MatchStatus.Held,
        };
        match.DecidedAt = now;
        match.DecidedBy = user.Actor();
        match.Reason = decision == ReviewDecision.Reject ? request.Reason : null;
        match.ReasonText = string.IsNullOrWhiteSpace(request.ReasonText) ? null : request.ReasonText.Trim();
        match.Version++;
        db.MatchDecisions.Add(new MatchDecision
        {
            MatchId = match.Id, Decision = decision, Reason = match.Reason, ReasonText = match.ReasonText, Reviewer = match.DecidedBy,
            DecidedAt = now, Score = match.Score, ModelVersion = match.ModelVersion, Features = match.Features,
        });
        db.Enqueue(new MatchReviewed(Guid.NewGuid(), now, match.Id, match.Version, match.PositionId, match.ProfileId,
            Json(decision), match.Reason is { } r ? Json(r) : null, match.DecidedBy, match.Score, match.ModelVersion, match.InstitutionId));
        return await SaveOrConflict(db, match, ct);
    }

    private static async Task<IResult> RecordOutcome(Guid id, OutcomeRequest request, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var match = await db.Matches.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (match is null || !InScope(user, match.InstitutionId))
        {
            return NotFound(id);
        }

        if (match.Status != MatchStatus.Endorsed)
        {
            return TypedResults.Problem(statusCode: 409, title: "Outcomes are recorded for endorsed matches only.");
        }

        var outcome = request.Outcome!.Value;
        if (await db.MatchOutcomes.AnyAsync(o => o.MatchId == id && o.Outcome == outcome, ct))
        {
            return TypedResults.Problem(statusCode: 409, title: $"The outcome '{Json(outcome)}' is already recorded for this match.");
        }

        var now = DateTimeOffset.UtcNow;
        match.Outcome = outcome;
        match.OutcomeAt = now;
        match.Version++;
        db.MatchOutcomes.Add(new MatchOutcome { MatchId = id, Outcome = outcome, RecordedBy = user.Actor(), RecordedAt = now });
        db.Enqueue(new CandidateOutcomeRecorded(Guid.NewGuid(), now, match.Id, match.Version, match.PositionId, match.ProfileId,
            Json(outcome), user.Actor()));
        return await SaveOrConflict(db, match, ct);
    }

    private static async Task<Results<Ok<List<ReviewItem>>, ProblemHttpResult>> Endorsed(Guid id, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.PositionId == id, ct) is not { } position
            || !InScope(user, position.InstitutionId))
        {
            return TypedResults.Problem(statusCode: 404, title: "Unknown position.");
        }

        var items = await db.Matches.AsNoTracking().Where(m => m.PositionId == id && m.Status == MatchStatus.Endorsed)
            .OrderByDescending(m => m.Score).ToListAsync(ct);
        return TypedResults.Ok(items.Select(ReviewItem.From).ToList());
    }

    private static async Task<IResult> SaveOrConflict(MatchingDbContext db, Match match, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(ReviewItem.From(match));
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: 409, title: "This match was changed by someone else at the same time; read it again.");
        }
    }

    private static string Json<T>(T value) where T : struct, Enum => JsonSerializer.Serialize(value, ServiceDefaults.Json).Trim('"');

    /// <summary>An administrator, or an HR office / ambassador acting for this institution.</summary>
    internal static bool InScope(ClaimsPrincipal user, Guid institutionId) => user.IsAdmin() || user.ActsFor(institutionId);

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "Match not found.", detail: $"No match has id {id}.");
}
