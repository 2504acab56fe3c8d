using System.Security.Claims;
using TalentMatch.Hosting.Auth;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Matching.Baseline;
using TalentMatch.Matching.ReadModel;

namespace TalentMatch.Matching.Shortlists;

public sealed record ShortlistItem(int Rank, Guid ProfileId, double Score, JsonElement TopContributions);

public sealed record ShortlistView(Guid PositionId, string Title, int? ModelVersion, IReadOnlyList<ShortlistItem> Items);

/// <param name="Answer">The researcher's answer (interested or apply); positions they are not interested in leave the list.</param>
public sealed record RecommendationItem(
    Guid PositionId, string Title, Guid InstitutionId, string City, double Score, int ModelVersion, JsonElement TopContributions,
    Answers.AnswerView? Answer = null, IReadOnlyList<Guid>? CampaignIds = null);

public sealed record RecommendationsView(Guid ProfileId, IReadOnlyList<RecommendationItem> Items);

/// <summary>Why a candidate scores what it scores for a position: every feature's value and contribution.</summary>
public sealed record MatchExplanation(
    Guid PositionId,
    Guid ProfileId,
    bool PassesHardConstraints,
    int ModelVersion,
    double Score,
    double Bias,
    IReadOnlyList<Contribution> Contributions,
    BaselineScore Baseline);

public static class ShortlistsApi
{
    public static IServiceCollection AddShortlists(this IServiceCollection services)
    {
        services.AddOptions<ShortlistOptions>().BindConfiguration("Shortlists");
        return services
            .AddSingleton<MatchFacts>()
            .AddSingleton<ChampionModel>()
            .AddSingleton<ShortlistWorkerStats>()
            .AddHostedService<ShortlistWorker>();
    }

    public static IEndpointRouteBuilder MapShortlistsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/positions/{id:guid}/shortlist", GetShortlist).WithTags("Shortlists").WithName("GetShortlist")
            .RequireAuthorization(PlatformAuthentication.AmbassadorPolicy)
            .WithSummary("The position's top candidates as ranked by the learned model, with each score's largest feature contributions.");
        app.MapGet("/api/profiles/{id:guid}/recommendations", GetRecommendations).WithTags("Shortlists").WithName("GetRecommendations")
            .RequireAuthorization(PlatformAuthentication.ResearcherPolicy)
            .WithSummary("The open positions that fit a researcher best, with the researcher's answer and the campaigns each belongs to; positions they are not interested in are left out.");
        app.MapGet("/api/positions/{positionId:guid}/candidates/{profileId:guid}/explanation", Explain).WithTags("Shortlists").WithName("ExplainMatch")
            .RequireAuthorization(PlatformAuthentication.AmbassadorPolicy)
            .WithSummary("One candidate-position pair with its full explanation: every feature's value and contribution (they add up, with the bias, to the score), and the baseline's parts.");
        return app;
    }

    private static async Task<Results<Ok<ShortlistView>, ProblemHttpResult>> GetShortlist(Guid id, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var position = await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.PositionId == id, ct);
        if (position is null || position.Closed || !(await Campaigns.CallerScope.ForAsync(user, db, ct)).Covers(position.InstitutionId, position.PositionId))
        {
            return NoOpenPosition(id);
        }

        var entries = await db.ShortlistEntries.AsNoTracking().Where(e => e.PositionId == id).OrderBy(e => e.Rank).ToListAsync(ct);
        return TypedResults.Ok(new ShortlistView(id, position.Title, entries.FirstOrDefault()?.ModelVersion,
            entries.Select(e => new ShortlistItem(e.Rank, e.ProfileId, e.Score, Json(e.TopContributions))).ToList()));
    }

    private static async Task<Results<Ok<RecommendationsView>, ProblemHttpResult>> GetRecommendations(
        Guid id, MatchingDbContext db, ChampionModel champion, MatchFacts facts, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!user.IsAdmin() && !user.Owns(id))
        {
            return TypedResults.Problem(statusCode: 404, title: "No active profile with this id.");
        }

        var profile = await db.CandidateProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.ProfileId == id, ct);
        if (profile is null || profile.Withdrawn)
        {
            return TypedResults.Problem(statusCode: 404, title: "No active profile with this id.");
        }

        var answers = await db.ResearcherAnswers.AsNoTracking().Where(a => a.ProfileId == id).ToDictionaryAsync(a => a.PositionId, ct);
        var dismissed = answers.Values.Where(a => a.Answer == Answers.AnswerKind.NotInterested).Select(a => a.PositionId).ToList();
        var items = await db.Recommendations.AsNoTracking().Where(r => r.ProfileId == id && !dismissed.Contains(r.PositionId))
            .Join(db.Positions.AsNoTracking(), r => r.PositionId, p => p.PositionId, (r, p) => new { r, p })
            .Where(x => !x.p.Closed)
            .OrderByDescending(x => x.r.Score)
            .ToListAsync(ct);
        var listed = items.Select(x => x.p.PositionId).ToList();
        var campaigns = await db.Campaigns.AsNoTracking().Where(c => !c.Closed && c.PositionIds.Any(p => listed.Contains(p)))
            .Select(c => new { c.CampaignId, c.PositionIds }).ToListAsync(ct);
        // The worker leaves most recommendations unexplained (see RankingBatch): explained here, with the model that scored them.
        var models = new Dictionary<int, Ranking.Model.RankingModel?>();
        var result = new List<RecommendationItem>(items.Count);
        foreach (var x in items)
        {
            var contributions = x.r.TopContributions;
            if (contributions == Recommendation.NotExplained)
            {
                if (!models.TryGetValue(x.r.ModelVersion, out var model))
                {
                    model = models[x.r.ModelVersion] = await champion.LoadAsync(db, x.r.ModelVersion, ct);
                }

                if (model is not null)
                {
                    contributions = ShortlistRanker.TopContributionsJson(model, facts.Features(profile, x.p));
                }
            }

            result.Add(new RecommendationItem(x.p.PositionId, x.p.Title, x.p.InstitutionId, x.p.City, x.r.Score, x.r.ModelVersion, Json(contributions),
                Answers.AnswerView.From(answers.GetValueOrDefault(x.p.PositionId)),
                campaigns.Where(c => c.PositionIds.Contains(x.p.PositionId)).Select(c => c.CampaignId).ToList()));
        }

        return TypedResults.Ok(new RecommendationsView(id, result));
    }

    private static async Task<Results<Ok<MatchExplanation>, ProblemHttpResult>> Explain(
        Guid positionId, Guid profileId, MatchingDbContext db, ChampionModel champion, MatchFacts facts, ClaimsPrincipal user, CancellationToken ct)
    {
        var position = await db.Positions.AsNoTracking().FirstOrDefaultAsync(p => p.PositionId == positionId, ct);
        if (position is null || position.Closed || !(await Campaigns.CallerScope.ForAsync(user, db, ct)).Covers(position.InstitutionId, position.PositionId))
        {
            return NoOpenPosition(positionId);
        }

        var profile = await db.CandidateProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.ProfileId == profileId, ct);
        if (profile is null || profile.Withdrawn)
        {
            return TypedResults.Problem(statusCode: 404, title: "No active profile with this id.");
        }

        if (await champion.RefreshAsync(db, ct) is not { } model)
        {
            return TypedResults.Problem(statusCode: 503, title: "No ranking model is available yet; try again shortly.");
        }

        var features = facts.Features(profile, position);
        var explained = model.Model.Explain(features);
        return TypedResults.Ok(new MatchExplanation(positionId, profileId, CandidateConstraints.Satisfied(profile, position), model.Version,
            explained.Score, explained.Bias, ShortlistRanker.Explain(model.Model, features), BaselineScorer.Score(profile, position)));
    }

    internal static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ProblemHttpResult NoOpenPosition(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "No open position with this id.", detail: $"Matching has no open position {id}.");
}
