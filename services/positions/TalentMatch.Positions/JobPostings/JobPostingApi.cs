using TalentMatch.Hosting.Auth;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using TalentMatch.ReferenceData;

namespace TalentMatch.Positions.JobPostings;

/// <summary>
/// schema.org JobPosting (JSON-LD) in and out: <c>POST /api/positions/import/job-posting</c> creates a position from one
/// posting through the same validation and create path as <c>POST /api/positions</c>; <c>GET /api/positions/job-postings</c>
/// exports every open position as a JobPosting graph for job boards.
/// </summary>
public static partial class JobPostingApi
{
    public const string LdJson = "application/ld+json";

    internal static RouteGroupBuilder MapJobPostings(this RouteGroupBuilder api)
    {
        api.MapPost("/import/job-posting", Import).WithName("ImportJobPosting").RequireAuthorization(PlatformAuthentication.HrPolicy)
            .Accepts<JsonElement>(LdJson, "application/json")
            .Produces<PositionResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Creates a position from a schema.org JobPosting (JSON-LD). Missing pieces come as query parameters: researchFields, careerStageMin, careerStageMax, employmentMode, institutionId, status. Idempotency-Key supported.");
        api.MapGet("/job-postings", Export).WithName("ExportJobPostings").AllowAnonymous()
            .Produces(StatusCodes.Status200OK, contentType: LdJson)
            .WithSummary("Every open position as a schema.org JobPosting, in one JSON-LD @graph.");
        return api;
    }

    private static async Task<IResult> Import(
        HttpContext http, PositionsDbContext db, IValidator<PositionRequest> validator, ResearchFieldTaxonomy taxonomy,
        ReferenceData.Institutions institutions, CancellationToken ct)
    {
        var mediaType = http.Request.ContentType is { } ctype && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(ctype, out var media)
            ? media.MediaType.Value?.ToLowerInvariant() : null;
        if (mediaType is not (LdJson or "application/json"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type.",
                detail: "Send the JobPosting as application/ld+json (or application/json).");
        }

        JsonNode? document;
        var errors = new Dictionary<string, string[]>();
        try
        {
            // Duplicate members are refused while parsing; text that cannot be stored is found before anything reads it.
            using var parsed = await JsonDocument.ParseAsync(http.Request.Body, Hosting.Web.JsonInput.DocumentOptions, ct);
            Hosting.Web.JsonInput.CheckText(parsed.RootElement, errors);
            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors, title: "The JobPosting contains text that is not accepted.");
            }

            document = JsonNode.Parse(parsed.RootElement.GetRawText());
        }
        catch (InvalidOperationException)
        {
            // The duplicate-member check decodes member names; one with a lone surrogate cannot be decoded.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A member name is not valid Unicode (a lone surrogate)."] },
                title: "The body is not valid JSON.");
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [path] = [e.Message.Split(" Path:", 2)[0]] },
                title: "The body is not valid JSON.");
        }

        var options = JobPostingQuery.Read(http.Request.Query, taxonomy, errors);
        var posting = document is null ? null : JobPostingMapper.FindPosting(document, errors);
        if (posting is null || errors.Count > 0)
        {
            if (errors.Count == 0)
            {
                errors["body"] = ["Send one schema.org JobPosting object."];
            }

            return TypedResults.ValidationProblem(errors, title: "The request is not a usable JobPosting.");
        }

        var request = JobPostingMapper.Map(posting, options, institutions, TaxonomyLabels.Default, CareerStages.Load(), errors);
        if (request is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The JobPosting lacks what a position requires; fix it or send the named query parameters.");
        }

        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.ToDictionary(), title: "The position made from the JobPosting is invalid.");
        }

        return await PositionsApi.CreateAsync(request, "ImportJobPosting", db, http, ct);
    }

    private static async Task<IResult> Export(PositionsDbContext db, ResearchFieldTaxonomy taxonomy, CancellationToken ct)
    {
        var open = await db.Positions.AsNoTracking().Where(p => p.Status == PositionStatus.Open)
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(ct);
        var institutionIds = open.Select(p => p.InstitutionId).Distinct().ToList();
        var byId = await db.Institutions.AsNoTracking().Where(i => institutionIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var graph = new JsonArray(open.Select(p => (JsonNode)JobPostingMapper.ToJobPosting(p, byId[p.InstitutionId], taxonomy)).ToArray());
        var body = new JsonObject { ["@context"] = "https://schema.org", ["@graph"] = graph };
        return TypedResults.Text(body.ToJsonString(), LdJson);
    }
}

/// <summary>Query parameters of the JobPosting import: what a posting cannot say, or the caller's override.</summary>
internal sealed record JobPostingQuery(
    IReadOnlyList<string>? ResearchFields,
    CareerStage? CareerStageMin,
    CareerStage? CareerStageMax,
    EmploymentModes? EmploymentMode,
    Guid? InstitutionId,
    PositionStatus? Status)
{
    public static JobPostingQuery Read(IQueryCollection query, ResearchFieldTaxonomy taxonomy, Dictionary<string, string[]> errors)
    {
        List<string>? fields = query.TryGetValue("researchFields", out var f)
            ? f.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList()
            : null;
        if (fields is not null && fields.Any(c => !taxonomy.Contains(c)))
        {
            errors["researchFields"] = ["Unknown research field code; see GET /api/taxonomy."];
        }

        CareerStage? Stage(string name)
        {
            if (!query.TryGetValue(name, out var v))
            {
                return null;
            }

            try
            {
                return SeedEnums.ParseCareerStage(v.ToString().ToUpperInvariant());
            }
            catch (FormatException)
            {
                errors[name] = ["Use R1, R2, R3 or R4."];
                return null;
            }
        }

        EmploymentModes? mode = null;
        if (query.TryGetValue("employmentMode", out var m))
        {
            try
            {
                mode = SeedEnums.ParseEmploymentMode(m.ToString());
            }
            catch (FormatException)
            {
                errors["employmentMode"] = ["Use full-time, flexible-part-time or visiting."];
            }
        }

        Guid? institution = null;
        if (query.TryGetValue("institutionId", out var i))
        {
            if (Guid.TryParse(i.ToString(), out var id))
            {
                institution = id;
            }
            else
            {
                errors["institutionId"] = ["Use an institution id from GET /api/institutions."];
            }
        }

        PositionStatus? status = null;
        if (query.TryGetValue("status", out var s))
        {
            status = s.ToString() switch
            {
                "open" => PositionStatus.Open,
                "draft" => PositionStatus.Draft,
                _ => null,
            };
            if (status is null)
            {
                errors["status"] = ["Use open or draft."];
            }
        }

        return new JobPostingQuery(fields, Stage("careerStageMin"), Stage("careerStageMax"), mode, institution, status);
    }
}
