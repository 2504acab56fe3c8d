using TalentMatch.Hosting.Auth;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using TalentMatch.Hosting.Web;
using TalentMatch.ReferenceData;

namespace TalentMatch.Profiles.Imports;

public static class ProfileImportsApi
{
    /// <summary>Largest bulk-import body: 2 GiB (about five million profiles); everything else keeps the 256 KiB limit.</summary>
    public const long MaxBulkBodyBytes = 2L * 1024 * 1024 * 1024;

    // Unknown members are allowed (a résumé has many a profile does not use); the text rules of every other endpoint apply.
    private static readonly JsonSerializerOptions ResumeJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new NulRejectingStringConverter() },
        AllowDuplicateProperties = false,
    };

    internal static RouteGroupBuilder MapProfileImports(this RouteGroupBuilder api)
    {
        api.MapPost("/import/json-resume", ImportJsonResume).WithName("ImportJsonResume").RequireAuthorization(PlatformAuthentication.ResearcherPolicy)
            .Accepts<JsonElement>("application/json")
            .Produces<ProfileResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Registers a profile from a JSON Resume (jsonresume.org v1). What a résumé cannot say comes as query parameters: consentToMatching (default false), employmentModes, researchFields, careerStage, degreeField, preferredCities, earliestStartDate. Idempotency-Key supported.");
        api.MapPost("/import", BulkImport).WithName("BulkImportProfiles").RequireAuthorization(PlatformAuthentication.AdminPolicy)
            .WithMetadata(new BulkBodyLimit())
            .Accepts<string>("text/csv", "application/x-ndjson")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson")
            .WithSummary("Bulk import of profiles from CSV (header row, lists separated by ';') or JSON Lines (one profile request per line). Streams progress lines and a final summary with per-line errors; every valid row is stored with its ProfileRegistered event, invalid rows are reported and skipped.");
        return api;
    }

    private sealed class BulkBodyLimit : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => MaxBulkBodyBytes;
    }

    private static async Task<IResult> ImportJsonResume(
        HttpContext http, ProfilesDbContext db, ProfileRegistrations registrations, IValidator<ProfileRequest> validator,
        ResearchFieldTaxonomy taxonomy, TimeProvider clock, CancellationToken ct)
    {
        if (!http.Request.HasJsonContentType())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type.", detail: "Send the JSON Resume document as application/json.");
        }

        JsonResumeDocument? resume;
        try
        {
            resume = await JsonSerializer.DeserializeAsync<JsonResumeDocument>(http.Request.Body, ResumeJson, ct);
        }
        catch (JsonException e)
        {
            var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [path] = [e.Message.Split(" Path:", 2)[0]] },
                title: "The body is not a JSON Resume document.");
        }

        if (resume is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "A JSON Resume document is required.");
        }

        if (NullEntries.Find(resume) is { } nullEntry)
        {
            return TypedResults.ValidationProblem(NullEntries.Errors(nullEntry), title: "The body is not a JSON Resume document.");
        }

        if (!TryReadResumeOptions(http.Request.Query, taxonomy, out var options, out var queryErrors))
        {
            return TypedResults.ValidationProblem(queryErrors, title: "Invalid query parameters.");
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var (request, errors) = JsonResumeMapper.Map(resume, options, TaxonomyLabels.Default, CareerStages.Load(), today);
        if (request is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The résumé lacks what a profile requires; send the named query parameters.");
        }

        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.ToDictionary(), title: "The profile made from the résumé is invalid.");
        }

        return await ProfilesApi.RegisterAsync(request, "ImportJsonResume", db, registrations, http, ct);
    }

    private static bool TryReadResumeOptions(
        IQueryCollection query, ResearchFieldTaxonomy taxonomy, out ResumeImportOptions options, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var consent = false;
        if (query.TryGetValue("consentToMatching", out var c) && !bool.TryParse(c.ToString(), out consent))
        {
            errors["consentToMatching"] = ["Use true or false."];
        }

        List<EmploymentModes>? modes = null;
        if (List(query, "employmentModes") is { } modeNames)
        {
            modes = [];
            foreach (var name in modeNames)
            {
                try
                {
                    modes.Add(SeedEnums.ParseEmploymentMode(name));
                }
                catch (FormatException)
                {
                    errors["employmentModes"] = ["Use full-time, flexible-part-time or visiting, comma-separated."];
                }
            }
        }

        var fields = List(query, "researchFields");
        if (fields is not null && fields.Any(f => !taxonomy.Contains(f)))
        {
            errors["researchFields"] = ["Unknown research field code; see GET /api/taxonomy."];
        }

        CareerStage? stage = null;
        if (query.TryGetValue("careerStage", out var s))
        {
            try
            {
                stage = SeedEnums.ParseCareerStage(s.ToString().ToUpperInvariant());
            }
            catch (FormatException)
            {
                errors["careerStage"] = ["Use R1, R2, R3 or R4."];
            }
        }

        string? degreeField = query.TryGetValue("degreeField", out var df) ? df.ToString() : null;
        if (degreeField is not null && !taxonomy.Contains(degreeField))
        {
            errors["degreeField"] = ["Unknown research field code; see GET /api/taxonomy."];
        }

        DateOnly? start = null;
        if (query.TryGetValue("earliestStartDate", out var sd))
        {
            if (DateOnly.TryParseExact(sd.ToString(), "yyyy-MM-dd", out var parsed))
            {
                start = parsed;
            }
            else
            {
                errors["earliestStartDate"] = ["Use YYYY-MM-DD."];
            }
        }

        options = new ResumeImportOptions(consent, modes, fields, stage, degreeField, List(query, "preferredCities"), start);
        return errors.Count == 0;
    }

    /// <summary>A list parameter, given as repeated parameters and/or comma-separated values; null when absent.</summary>
    private static List<string>? List(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values)
            ? values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList()
            : null;

    private static async Task BulkImport(HttpContext http, BulkProfileImporter importer, CancellationToken ct)
    {
        // Kestrel enforces its own body limit (256 KiB for the service); lift it for this request only.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBulkBodyBytes;
        }

        await importer.RunAsync(http, ct);
    }
}
