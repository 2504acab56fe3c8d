using TalentMatch.Hosting.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Web;
using TalentMatch.Matching.Baseline;
using TalentMatch.Matching.ReadModel;

namespace TalentMatch.Matching;

public sealed record RankedCandidate(int Rank, Guid ProfileId, double Score, IReadOnlyList<ScorePart> Parts);

public sealed record CandidateList(Guid PositionId, string Scorer, long PositionVersion, Page<RankedCandidate> Candidates);

public static class CandidatesApi
{
    public static IEndpointRouteBuilder MapCandidatesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/positions/{id:guid}/candidates", GetCandidates)
            .WithTags("Candidates")
            .WithName("GetCandidates")
            .RequireAuthorization(PlatformAuthentication.AmbassadorPolicy)
            .WithSummary("Candidates for an open position, best first, with the score and the parts that make it up.");
        return app;
    }

    private static async Task<Results<Ok<CandidateList>, ProblemHttpResult, ValidationProblem>> GetCandidates(
        Guid id, MatchingDbContext db, System.Security.Claims.ClaimsPrincipal user, int? page, int? pageSize, CancellationToken ct)
    {
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var problem))
        {
            return problem!;
        }

        var position = await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.PositionId == id, ct);
        if (position is not null && !(await Campaigns.CallerScope.ForAsync(user, db, ct)).Covers(position.InstitutionId, position.PositionId))
        {
            position = null;
        }

        if (position is null || position.Closed)
        {
            return TypedResults.Problem(statusCode: 404, title: "No open position with this id.",
                detail: position is null ? $"Matching has not seen position {id}." : $"Position {id} is closed.");
        }

        // Candidate generation: only consenting, active profiles sharing a discipline/field with the position,
        // found through the GIN index on field_keys rather than a scan of every profile.
        var keys = ResearchFieldKeys.QueryKeys(position.ResearchFields);
        var pool = await db.CandidateProfiles.AsNoTracking()
            .Where(c => !c.Withdrawn && c.ConsentToMatching && c.FieldKeys.Any(k => keys.Contains(k)))
            .ToListAsync(ct);

        var ranked = pool
            .Select(c => (c.ProfileId, Score: BaselineScorer.Score(c, position)))
            .OrderByDescending(c => c.Score.Score)
            .ThenBy(c => c.ProfileId)
            .ToList();
        var items = ranked
            .Skip(paging.Skip).Take(paging.PageSize)
            .Select((c, i) => new RankedCandidate(paging.Skip + i + 1, c.ProfileId, c.Score.Score, c.Score.Parts))
            .ToList();
        return TypedResults.Ok(new CandidateList(position.PositionId, BaselineScorer.Name, position.Version,
            new Page<RankedCandidate>(items, paging.PageNumber, paging.PageSize, ranked.Count)));
    }
}
