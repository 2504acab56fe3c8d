using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Matching.Answers;

public sealed record AnswerRequest(AnswerKind? Answer, NotInterestedReason? Reason, string? ReasonText, int? PreferenceRank);

public sealed record AnswerView(AnswerKind Answer, NotInterestedReason? Reason, string? ReasonText, int? PreferenceRank, DateTimeOffset AnsweredAt)
{
    public static AnswerView? From(ResearcherAnswer? a) => a is null ? null : new(a.Answer, a.Reason, a.ReasonText, a.PreferenceRank, a.AnsweredAt);
}

public sealed class AnswerRequestValidator : AbstractValidator<AnswerRequest>
{
    public AnswerRequestValidator()
    {
        RuleFor(r => r.Answer).NotNull().IsInEnum();
        RuleFor(r => r.Reason).NotNull().When(r => r.Answer == AnswerKind.NotInterested)
            .WithMessage("Say why: location, field, seniority, timing or other.");
        RuleFor(r => r.Reason).IsInEnum();
        RuleFor(r => r.Reason).Null().When(r => r.Answer != AnswerKind.NotInterested).WithMessage("A reason goes with 'not-interested' only.");
        RuleFor(r => r.ReasonText).NotEmpty().When(r => r.Reason == NotInterestedReason.Other)
            .WithMessage("Say why in 'reasonText' when the reason is 'other'.");
        RuleFor(r => r.ReasonText).MaximumLength(2000);
        RuleFor(r => r.PreferenceRank).InclusiveBetween(1, 100);
        RuleFor(r => r.PreferenceRank).Null().When(r => r.Answer == AnswerKind.NotInterested).WithMessage("Only a position you are interested in or apply to has a preference rank.");
    }
}

public static class AnswersApi
{
    public static IServiceCollection AddAnswers(this IServiceCollection services) =>
        services.AddSingleton<IValidator<AnswerRequest>, AnswerRequestValidator>();

    public static IEndpointRouteBuilder MapAnswersApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/profiles/{id:guid}/recommendations/{positionId:guid}/answer", Answer).Validate<AnswerRequest>()
            .WithTags("Shortlists").WithName("AnswerRecommendation").RequireAuthorization(PlatformAuthentication.ResearcherPolicy)
            .WithSummary("A researcher answers a recommended position: interested (optionally with a preference rank, 1 = first choice), not-interested (with a reason: location, field, seniority, timing, other) or apply. The latest answer counts.");
        return app;
    }

    private static async Task<Results<Ok<AnswerView>, ProblemHttpResult>> Answer(
        Guid id, Guid positionId, AnswerRequest request, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!user.IsAdmin() && !user.Owns(id))
        {
            return TypedResults.Problem(statusCode: 404, title: "No active profile with this id.");
        }

        // Only what the platform put in front of the researcher can be answered: a recommendation or a proposed match.
        var offered = await db.Positions.AnyAsync(p => p.PositionId == positionId && !p.Closed, ct)
            && (await db.Recommendations.AnyAsync(r => r.ProfileId == id && r.PositionId == positionId, ct)
                || await db.Matches.AnyAsync(m => m.ProfileId == id && m.PositionId == positionId, ct));
        if (!offered)
        {
            return TypedResults.Problem(statusCode: 404, title: "This position is not among your recommendations.",
                detail: "Only an open position recommended to you can be answered.");
        }

        var answer = await db.ResearcherAnswers.FirstOrDefaultAsync(a => a.ProfileId == id && a.PositionId == positionId, ct);
        if (answer is null)
        {
            answer = new ResearcherAnswer { ProfileId = id, PositionId = positionId };
            db.ResearcherAnswers.Add(answer);
        }

        answer.Answer = request.Answer!.Value;
        answer.Reason = request.Reason;
        answer.ReasonText = string.IsNullOrWhiteSpace(request.ReasonText) ? null : request.ReasonText.Trim();
        answer.PreferenceRank = request.PreferenceRank;
        answer.AnsweredAt = DateTimeOffset.UtcNow;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem(statusCode: 409, title: "Another answer to this position was saved at the same moment; read your recommendations again.");
        }

        return TypedResults.Ok(AnswerView.From(answer)!);
    }
}
