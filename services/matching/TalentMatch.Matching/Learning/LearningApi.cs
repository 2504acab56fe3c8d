using TalentMatch.Hosting.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace TalentMatch.Matching.Learning;

/// <summary>A model registry entry without the model itself.</summary>
public sealed record ModelSummary(
    int Version, DateTimeOffset CreatedAt, string Kind, ModelStatus Status,
    int TrainingRows, int TrainingGroups, int Labels, double TrainSeconds,
    int HeldOutGroups, double HeldOutNdcgAt10, double? ChampionNdcgAt10, double? BaselineNdcgAt10,
    DateTimeOffset? PromotedAt, string? Notes, string Trainer, string TrainerVersion)
{
    public static ModelSummary Of(RegisteredModel m) => new(m.Version, m.CreatedAt, m.Kind, m.Status, m.TrainingRows, m.TrainingGroups,
        m.Labels, m.TrainSeconds, m.HeldOutGroups, m.HeldOutNdcgAt10, m.ChampionNdcgAt10, m.BaselineNdcgAt10, m.PromotedAt, m.Notes,
        m.Trainer, m.TrainerVersion);
}

public sealed record RetrainResponse(ModelSummary Model, bool Promoted);

public static class LearningApi
{
    public static IEndpointRouteBuilder MapLearningApi(this IEndpointRouteBuilder app)
    {
        app.ServiceProvider.GetService<LearningApiMarker>()?.MarkMapped();
        var models = app.MapGroup("/api/models").WithTags("Models").RequireAuthorization(PlatformAuthentication.AmbassadorPolicy);
        models.MapPost("/retrain", Retrain).RequireAuthorization(PlatformAuthentication.AdminPolicy)
            .WithName("RetrainModel")
            .WithSummary("Trains a challenger from the decided matches now, evaluates it on held-out positions and promotes it if it beats the champion by the margin.");
        models.MapGet("/", List)
            .WithName("ListModels")
            .WithSummary("The model registry, newest first, with each model's held-out metrics (without the model itself).");
        models.MapGet("/champion", Champion)
            .WithName("GetChampionModel")
            .WithSummary("The model that ranks the shortlists now.");
        models.MapGet("/{version:int}/mlnet", MlNetModel)
            .WithName("GetMlNetModel")
            .WithSummary("ML.NET's own model zip of a registered model (open with MLContext.Model.Load).");
        return app;
    }

    private static async Task<Results<Ok<RetrainResponse>, ProblemHttpResult>> Retrain(ModelTrainer trainer, CancellationToken ct) =>
        await trainer.RetrainAsync("on demand", ct) switch
        {
            TrainingOutcome.Trained t => TypedResults.Ok(new RetrainResponse(ModelSummary.Of(t.Model), t.Promoted)),
            TrainingOutcome.Busy => TypedResults.Problem(statusCode: 409, title: "A training is already running.",
                detail: "Only one model is trained at a time (in any instance); try again when it has finished."),
            TrainingOutcome.TooFewLabels f => TypedResults.Problem(statusCode: 422, title: "Too few labelled matches to train on.",
                detail: $"Retraining needs at least {f.MinLabels} decided matches over at least {f.MinPositions} positions; there are {f.Labels} over {f.Positions}.",
                extensions: new Dictionary<string, object?>
                {
                    ["labels"] = f.Labels, ["positions"] = f.Positions, ["minLabels"] = f.MinLabels, ["minPositions"] = f.MinPositions,
                }),
            var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
        };

    private static async Task<Ok<List<ModelSummary>>> List(MatchingDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Models.AsNoTracking().OrderByDescending(m => m.Version).Select(Projection).ToListAsync(ct)));

    private static async Task<Results<Ok<ModelSummary>, ProblemHttpResult>> Champion(MatchingDbContext db, CancellationToken ct) =>
        await db.Models.AsNoTracking().Where(m => m.Status == ModelStatus.Champion).Select(Projection).FirstOrDefaultAsync(ct) is { } champion
            ? TypedResults.Ok(champion)
            : TypedResults.Problem(statusCode: 404, title: "No champion model yet.", detail: "Shortlists are ranked by the baseline scorer until a model is trained.");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> MlNetModel(int version, MatchingDbContext db, CancellationToken ct)
    {
        var model = await db.Models.AsNoTracking().Where(m => m.Version == version)
            .Select(m => new { m.MlNetModel }).FirstOrDefaultAsync(ct);
        if (model is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "No such model.", detail: $"The registry has no model version {version}.");
        }

        return model.MlNetModel is { } zip
            ? TypedResults.File(zip, "application/zip", $"ranking-model-v{version}.mlnet.zip")
            : TypedResults.Problem(statusCode: 404, title: "This model has no ML.NET model.", detail: $"Model v{version} was trained before the platform trained with ML.NET.");
    }

    private static readonly System.Linq.Expressions.Expression<Func<RegisteredModel, ModelSummary>> Projection = m => new ModelSummary(
        m.Version, m.CreatedAt, m.Kind, m.Status, m.TrainingRows, m.TrainingGroups, m.Labels, m.TrainSeconds,
        m.HeldOutGroups, m.HeldOutNdcgAt10, m.ChampionNdcgAt10, m.BaselineNdcgAt10, m.PromotedAt, m.Notes, m.Trainer, m.TrainerVersion);
}
