using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TalentMatch.ReferenceData;

namespace TalentMatch.Hosting.Web;

/// <summary>The vocabularies clients need to fill in a profile or a position, served read-only by both services.</summary>
public static class ReferenceDataApi
{
    public static IEndpointRouteBuilder MapReferenceDataApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Reference data").AllowAnonymous();
        api.MapGet("/taxonomy", () => TypedResults.Ok(ResearchFieldTaxonomy.Load().All))
            .WithName("GetResearchFieldTaxonomy").WithSummary("Research-field codes (discipline, field, subfield) with English and Chinese labels and the synonyms imports match.");
        api.MapGet("/career-stages", () => TypedResults.Ok(CareerStages.Load().Stages))
            .WithName("GetCareerStages").WithSummary("EURAXESS stages R1-R4 with the Chinese research titles and clinical grades they cover.");
        api.MapGet("/skills", () => TypedResults.Ok(SkillVocabulary.Load().All))
            .WithName("GetSkills").WithSummary("The controlled vocabulary of skills and techniques.");
        return app;
    }
}
