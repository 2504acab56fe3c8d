using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Hosting.Auth;

namespace TalentMatch.Matching.Campaigns;

/// <summary>A campaign's stable assignment and funnel (the campaign itself lives in the positions service).</summary>
public static class CampaignsApi
{
    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/campaigns/{id:guid}").WithTags("Campaigns").RequireAuthorization(PlatformAuthentication.HrOrAmbassadorPolicy);
        api.MapGet("/assignment", GetAssignment).WithName("GetCampaignAssignment")
            .WithSummary("The campaign's latest stable assignment: proposed offers with both sides' ranks, and for each researcher not placed which positions preferred others. HR offices confirm an offer by recording the outcome 'offered'.");
        api.MapPost("/assignment", ComputeAssignment).WithName("ComputeCampaignAssignment")
            .WithSummary("Computes the assignment now (administrators and the organising institution's HR office); it is also computed when the campaign closes.");
        api.MapGet("/funnel", GetFunnel).WithName("GetCampaignFunnel")
            .WithSummary("The campaign's funnel (proposed → endorsed → interested/applied → interviewed → offered → agreement signed by type) per institution and position, with median days between stages; format=csv for CSV.");
        return app;
    }

    private static async Task<Results<Ok<AssignmentView>, ProblemHttpResult>> GetAssignment(Guid id, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await Visible(db, id, user, ct) is not { } campaign)
        {
            return NotFound(id);
        }

        return await CampaignAssignment.LatestAsync(db, campaign.CampaignId, ct) is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: 404, title: "No assignment yet.",
                detail: "The assignment is computed when the campaign closes, or when an administrator asks for it.");
    }

    private static async Task<Results<Ok<AssignmentView>, ProblemHttpResult>> ComputeAssignment(Guid id, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await Visible(db, id, user, ct) is not { } campaign)
        {
            return NotFound(id);
        }

        if (!user.IsAdmin() && !(user.IsHr() && campaign.OrganiserInstitutionId is { } organiser && user.Institutions().Contains(organiser)))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only administrators and the organising institution's HR office compute the assignment.");
        }

        var view = (await CampaignAssignment.ComputeAsync(db, id, user.Actor(), ct))!;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(view);
    }

    private static async Task<IResult> GetFunnel(Guid id, MatchingDbContext db, ClaimsPrincipal user, CancellationToken ct, string? format = null)
    {
        if (format is not (null or "json" or "csv"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["Use json (the default) or csv."] });
        }

        if (await Visible(db, id, user, ct) is null || await CampaignFunnel.BuildAsync(db, id, ct) is not { } funnel)
        {
            return NotFound(id);
        }

        return format == "csv"
            ? TypedResults.Text(CampaignFunnel.Csv(funnel), "text/csv; charset=utf-8")
            : TypedResults.Ok(funnel);
    }

    /// <summary>
    /// The campaign, when the caller may see its results: administrators; HR offices of its organiser or participants;
    /// ambassadors appointed to it or whose scope holds one of its institutions.
    /// </summary>
    private static async Task<CampaignSnapshot?> Visible(MatchingDbContext db, Guid id, ClaimsPrincipal user, CancellationToken ct)
    {
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.CampaignId == id, ct);
        if (campaign is null || user.IsAdmin())
        {
            return campaign;
        }

        var own = user.Institutions();
        var visible = campaign.InstitutionIds.Any(own.Contains)
            || (user.IsHr() && campaign.OrganiserInstitutionId is { } organiser && own.Contains(organiser))
            || (user.IsAmbassador() && user.UserGuid() is { } account && campaign.AmbassadorIds.Contains(account));
        return visible ? campaign : null;
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "Campaign not found.", detail: $"Matching has no campaign {id} that you take part in.");
}
