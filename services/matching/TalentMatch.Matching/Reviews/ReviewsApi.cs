using System.Security.Claims;
using TalentMatch.Hosting.Auth;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Matching;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;
using TalentMatch.Matching.Answers;
using TalentMatch.Matching.Campaigns;
using TalentMatch.Matching.ReadModel;
using TalentMatch.Matching.Shortlists;

namespace TalentMatch.Matching.Reviews;

public sealed record ReviewItem(
    Guid Id, Guid PositionId, Guid ProfileId, Guid InstitutionId, IReadOnlyList<string> ResearchFields, double Score, int Rank,
    int ModelVersion, MatchStatus Status, DateTimeOffset ProposedAt, JsonElement TopContributions,
    DateTimeOffset? DecidedAt, string? DecidedBy, RejectionReason? Reason, string? ReasonText, CandidateOutcome? Outcome,
    AnswerView? ResearcherAnswer = null, int? HrRank = null)
{
    public static ReviewItem From(Match m, ResearcherAnswer? answer = null) => new(
        m.Id, m.PositionId, m.ProfileId, m.InstitutionId, m.ResearchFields, m.Score, m.Rank, m.ModelVersion, m.Status,
        m.ProposedAt, ShortlistsApi.Json(m.TopContributions), m.DecidedAt, m.DecidedBy, m.Reason, m.ReasonText, m.Outcome,
        AnswerView.From(answer), m.HrRank);

    /// <summary>The items of <paramref name="matches"/> with the researchers' answers (one query).</summary>
    public static async Task<List<ReviewItem>> WithAnswersAsync(MatchingDbContext db, IReadOnlyList<Match> matches, CancellationToken ct)
    {
        var profiles = matches.Select(m => m.ProfileId).Distinct().ToList();
        var positions = matches.Select(m => m.PositionId).Distinct().ToList();
        var answers = (await db.ResearcherAnswers.AsNoTracking()
                .Where(a => profiles.Contains(a.ProfileId) && positions.Contains(a.PositionId)).ToListAsync(ct))
            .ToDictionary(a => (a.ProfileId, a.PositionId));
        return matches.Select(m => From(m, answers.GetValueOrDefault((m.ProfileId, m.PositionId)))).ToList();
    }
}

/// <summary>A match with everything a reviewer may want: the full explanation of its score and its history.</summary>
public sealed record ReviewDetail(
    ReviewItem Match, double BaselineScore, double? Bias, IReadOnlyList<Contribution> Contributions,
    IReadOnlyList<MatchDecision> Decisions, IReadOnlyList<MatchOutcome> Outcomes);

/// <summary>A reviewer's decision. Who decided is the caller's account (from the token), never a name in the body.</summary>
public sealed record DecisionRequest(ReviewDecision? Decision, RejectionReason? Reason, string? ReasonText);

/// <summary>An outcome; who recorded it is the caller's account (from the token). A signed agreement gives its terms.</summary>
public sealed record OutcomeRequest(CandidateOutcome? Outcome, AgreementTerms? Agreement = null);

/// <param name="DaysPerYear">Flexible: days a year at the recruiting institution.</param>
/// <param name="Months">Flexible or visiting: how many months the commitment runs.</param>
/// <param name="HomeInstitutionKept">Flexible: the researcher keeps their post at their home institution (the default).</param>
/// <param name="WithdrawFromMatching">Whether the researcher leaves other matching: by default yes for full-time, no otherwise.</param>
public sealed record AgreementTerms(
    AgreementType? Type, int? DaysPerYear, int? Months, bool? HomeInstitutionKept, DateOnly? StartDate, DateOnly? EndDate, bool? WithdrawFromMatching);

/// <summary>An HR office's own order of its endorsed candidates, first choice first (every endorsed candidate once).</summary>
public sealed record EndorsedOrderRequest(IReadOnlyList<Guid>? ProfileIds);

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
        RuleFor(r => r.Agreement).NotNull().When(r => r.Outcome == CandidateOutcome.AgreementSigned)
            .WithMessage("A signed agreement needs its terms: type (full-time, flexible or visiting) and start date.");
        RuleFor(r => r.Agreement).Null().When(r => r.Outcome != CandidateOutcome.AgreementSigned)
            .WithMessage("Terms go with the outcome 'agreement-signed' only.");
        When(r => r.Agreement is not null, () =>
        {
            RuleFor(r => r.Agreement!.Type).NotNull().IsInEnum();
            RuleFor(r => r.Agreement!.StartDate).NotNull();
            RuleFor(r => r.Agreement!.EndDate)
                .Must((r, end) => end is null || r.Agreement!.StartDate is null || end >= r.Agreement.StartDate)
                .WithMessage("'agreement.endDate' must not be before 'agreement.startDate'.");
            RuleFor(r => r.Agreement!.DaysPerYear).InclusiveBetween(1, 365);
            RuleFor(r => r.Agreement!.Months).InclusiveBetween(1, 120);
            RuleFor(r => r.Agreement!.DaysPerYear).NotNull()
                .When(r => r.Agreement!.Type == AgreementType.Flexible && r.Agreement.Months is null)
                .WithMessage("A flexible agreement says how much time: days per year or months.");
            RuleFor(r => r.Agreement!.DaysPerYear).Null().When(r => r.Agreement!.Type == AgreementType.FullTime)
                .WithMessage("A full-time agreement has no days per year.");
            RuleFor(r => r.Agreement!.HomeInstitutionKept).Null().When(r => r.Agreement!.Type == AgreementType.FullTime)
                .WithMessage("Only a flexible or visiting agreement keeps the home institution.");
        });
    }
}

public sealed class EndorsedOrderRequestValidator : AbstractValidator<EndorsedOrderRequest>
{
    public EndorsedOrderRequestValidator()
    {
        RuleFor(r => r.ProfileIds).NotNull().Must(ids => ids is null || ids.Count <= 1000).WithMessage("At most 1,000 candidates.")
            .Must(ids => ids is null || ids.Distinct().Count() == ids.Count).WithMessage("A candidate is listed twice.");
    }
}

public static class ReviewsApi
{
    public static IServiceCollection AddReviews(this IServiceCollection services) =>
        services
            .AddSingleton<IValidator<DecisionRequest>, DecisionRequestValidator>()
            .AddSingleton<IValidator<OutcomeRequest>, OutcomeRequestValidator>()
            .AddSingleton<IValidator<EndorsedOrderRequest>, EndorsedOrderRequestValidator>();

    public static IEndpointRouteBuilder MapReviewsApi(this IEndpointRouteBuilder app)
    {
        var reviews = app.MapGroup("/api/reviews").WithTags("Reviews");
        reviews.RequireAuthorization(PlatformAuthentication.AmbassadorPolicy);
        reviews.MapGet("/", List).WithName("ListReviews")
            .WithSummary("The review queue: proposed matches by default; filter by status, positionId, institutionId, campaignId, field (code or any subfield); sort newest (default) or score.");
        reviews.MapGet("/{id:guid}", Get).WithName("GetReview").WithSummary("One match with its full explanation and its decision history.");
        reviews.MapPost("/{id:guid}/decision", Decide).Validate<DecisionRequest>().WithName("DecideMatch")
            .WithSummary("Endorse, reject (with a coded reason) or hold a proposed or held match.");
        app.MapPost("/api/matches/{id:guid}/outcomes", RecordOutcome).Validate<OutcomeRequest>().WithTags("Reviews").WithName("RecordOutcome")
            .RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("An HR office records what happened with an endorsed candidate: contacted, interviewed, offered, hired, declined, or agreement-signed with its terms.");
        app.MapGet("/api/positions/{id:guid}/endorsed", Endorsed).WithTags("Reviews").WithName("GetEndorsedCandidates")
            .RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("The candidates ambassadors endorsed for a position, with their latest outcome and the researcher's answer, in the HR office's order (else by score): what its HR office sees.");
        app.MapPut("/api/positions/{id:guid}/endorsed/order", Reorder).Validate<EndorsedOrderRequest>().WithTags("Reviews").WithName("ReorderEndorsedCandidates")
            .RequireAuthorization(PlatformAuthentication.HrPolicy)
            .WithSummary("The HR office's own order of its endorsed candidates (every one of them, first choice first); a campaign's stable assignment follows it.");
        return app;
    }

    private static async Task<Results<Ok<Page<ReviewItem>>, ValidationProblem>> List(
        MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct, string? status = null, Guid? positionId = null, Guid? institutionId = null,
        string? field = null, string? sort = null, int? page = null, int? pageSize = null, Guid? campaignId = null)
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
        var scope = await CallerScope.ForAsync(user, db, ct);
        if (!scope.All)
        {
            // An ambassador's queue holds the institutions in their scope and the positions of their campaigns.
            var institutions = scope.Institutions.ToList();
            var positions = scope.Positions.ToList();
            query = query.Where(m => institutions.Contains(m.InstitutionId) || positions.Contains(m.PositionId));
        }

        if (campaignId is not null)
        {
            var inCampaign = await db.Campaigns.AsNoTracking().Where(c => c.CampaignId == campaignId).Select(c => c.PositionIds).FirstOrDefaultAsync(ct) ?? [];
            query = query.Where(m => inCampaign.Contains(m.PositionId));
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
        return TypedResults.Ok(new Page<ReviewItem>(await ReviewItem.WithAnswersAsync(db, items, ct), paging.PageNumber, paging.PageSize, total));
    }

    private static async Task<Results<Ok<ReviewDetail>, ProblemHttpResult>> Get(Guid id, MatchingDbContext db, ChampionModel champion, ClaimsPrincipal user, CancellationToken ct)
    {
        var match = await db.Matches.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);
        if (match is null || !await InScopeAsync(user, db, match, ct))
        {
            return NotFound(id);
        }

        var model = await champion.LoadAsync(db, match.ModelVersion, ct);
        var explained = model?.Explain(match.Features);
        var decisions = await db.MatchDecisions.AsNoTracking().Where(d => d.MatchId == id).OrderBy(d => d.DecidedAt).ToListAsync(ct);
        var outcomes = await db.MatchOutcomes.AsNoTracking().Where(o => o.MatchId == id).OrderBy(o => o.RecordedAt).ToListAsync(ct);
        return TypedResults.Ok(new ReviewDetail((await ReviewItem.WithAnswersAsync(db, [match], ct))[0], match.BaselineScore, explained?.Bias,
            model is null ? [] : ShortlistRanker.Explain(model, match.Features), decisions, outcomes));
    }

    private static async Task<IResult> Decide(Guid id, DecisionRequest request, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var match = await db.Matches.FirstOrDefaultAsync(m => m.Id == id, ct);
        if (match is not null && !await InScopeAsync(user, db, match, ct))
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
        if (match is null || !await InScopeAsync(user, db, match, ct))
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
        var recorded = new MatchOutcome { MatchId = id, Outcome = outcome, RecordedBy = user.Actor(), RecordedAt = now };
        if (request.Agreement is { } terms)
        {
            recorded.AgreementType = terms.Type;
            recorded.DaysPerYear = terms.DaysPerYear;
            recorded.Months = terms.Months;
            recorded.HomeInstitutionKept = terms.Type == AgreementType.FullTime ? null : terms.HomeInstitutionKept ?? true;
            recorded.StartDate = terms.StartDate;
            recorded.EndDate = terms.EndDate;
            recorded.WithdrawsFromMatching = terms.WithdrawFromMatching ?? terms.Type == AgreementType.FullTime;
            if (recorded.WithdrawsFromMatching == true)
            {
                // The researcher leaves every other shortlist and recommendation at the next ranking pass.
                await db.CandidateProfiles.Where(p => p.ProfileId == match.ProfileId).ExecuteUpdateAsync(u => u.SetProperty(p => p.Placed, true), ct);
                db.RankingQueue.Add(new RankingQueueItem { Kind = RankingQueueItem.Profile, AggregateId = match.ProfileId, EnqueuedAt = now });
            }
        }

        db.MatchOutcomes.Add(recorded);
        db.Enqueue(new CandidateOutcomeRecorded(Guid.NewGuid(), now, match.Id, match.Version, match.PositionId, match.ProfileId,
            Json(outcome), user.Actor()));
        return await SaveOrConflict(db, match, ct);
    }

    private static async Task<Results<Ok<List<ReviewItem>>, ProblemHttpResult>> Endorsed(Guid id, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.PositionId == id, ct) is not { } position
            || !(await CallerScope.ForAsync(user, db, ct)).Covers(position.InstitutionId, id))
        {
            return TypedResults.Problem(statusCode: 404, title: "Unknown position.");
        }

        var items = await db.Matches.AsNoTracking().Where(m => m.PositionId == id && m.Status == MatchStatus.Endorsed)
            .OrderBy(m => m.HrRank ?? int.MaxValue).ThenByDescending(m => m.Score).ThenBy(m => m.Id).ToListAsync(ct);
        return TypedResults.Ok(await ReviewItem.WithAnswersAsync(db, items, ct));
    }

    private static async Task<IResult> Reorder(Guid id, EndorsedOrderRequest request, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.PositionId == id, ct) is not { } position
            || !(user.IsAdmin() || (user.IsHr() && user.Institutions().Contains(position.InstitutionId))))
        {
            return TypedResults.Problem(statusCode: 404, title: "Unknown position.");
        }

        var endorsed = await db.Matches.Where(m => m.PositionId == id && m.Status == MatchStatus.Endorsed).ToListAsync(ct);
        var order = request.ProfileIds!;
        if (!endorsed.Select(m => m.ProfileId).ToHashSet().SetEquals(order) || endorsed.Count != order.Count)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["profileIds"] = ["List every endorsed candidate of the position exactly once (read GET /api/positions/{id}/endorsed)."],
            });
        }

        var rank = order.Select((profile, i) => (profile, i)).ToDictionary(x => x.profile, x => x.i + 1);
        foreach (var match in endorsed)
        {
            match.HrRank = rank[match.ProfileId];
            match.Version++;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: 409, title: "A candidate was changed by someone else at the same time; read the list again.");
        }

        var items = endorsed.OrderBy(m => m.HrRank).ToList();
        return TypedResults.Ok(await ReviewItem.WithAnswersAsync(db, items, ct));
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

    /// <summary>An administrator, an HR office or ambassador acting for the match's institution, or an ambassador of its campaign.</summary>
    internal static async Task<bool> InScopeAsync(ClaimsPrincipal user, MatchingDbContext db, Match match, CancellationToken ct) =>
        (await CallerScope.ForAsync(user, db, ct)).Covers(match.InstitutionId, match.PositionId);

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "Match not found.", detail: $"No match has id {id}.");
}
