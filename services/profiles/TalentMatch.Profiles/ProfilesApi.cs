using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Auth;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Profiles.Privacy;
using TalentMatch.Hosting.Web;
using TalentMatch.Profiles.Imports;
using TalentMatch.ReferenceData;

namespace TalentMatch.Profiles;

public static class ProfilesApi
{
    public static IServiceCollection AddProfiles(this IServiceCollection services) =>
        services
            .AddSingleton(TimeProvider.System)
            .AddSingleton(ResearchFieldTaxonomy.Load())
            .AddSingleton(Institutions.Load())
            .AddSingleton<IValidator<ProfileRequest>, ProfileRequestValidator>()
            .AddSingleton<ProfileRegistrations>()
            .AddScoped<Imports.BulkProfileImporter>()
            .AddOptions<Imports.BulkImportOptions>().BindConfiguration("BulkImport").Services;

    public static IEndpointRouteBuilder MapProfilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/profiles").WithTags("Profiles");
        api.MapPost("/", Register).Validate<ProfileRequest>().WithName("RegisterProfile").RequireAuthorization(PlatformAuthentication.ResearcherPolicy)
            .Produces<ProfileResponse>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Registers a profile. Send an Idempotency-Key header to make retries safe.");
        api.MapProfileImports();
        api.MapGet("/", List).WithName("ListProfiles").RequireAuthorization(PlatformAuthentication.AdminPolicy)
            .WithSummary("Profiles, paged; filter by field (code or any subfield of it), city, stage, institution, status; sort by createdAt, updatedAt, fullName or yearsOfExperience (prefix - for descending).");
        api.MapGet("/{id:guid}", Get).WithName("GetProfile").WithSummary("One profile; its ETag is its version.");
        api.MapPut("/{id:guid}", Update).Validate<ProfileRequest>().WithName("UpdateProfile")
            .WithSummary("Replaces a profile. Send If-Match with the ETag you read; a stale one gets 412.");
        api.MapPost("/{id:guid}/withdraw", Withdraw).WithName("WithdrawProfile")
            .WithSummary("Withdraws a profile from matching; it can no longer be changed.");
        api.MapPrivacyApi();
        return app;
    }

    private static Task<IResult> Register(
        ProfileRequest request, ProfilesDbContext db, ProfileRegistrations registrations, HttpContext http, CancellationToken ct) =>
        RegisterAsync(request, "RegisterProfile", db, registrations, http, ct);

    /// <summary>
    /// Creates a profile from a validated request, with its <see cref="ProfileRegistered"/> event and (when the client
    /// sent an Idempotency-Key) the stored answer, in one transaction (group-committed with concurrent registrations).
    /// Shared by <c>POST /api/profiles</c> and the single-document imports; <paramref name="scope"/> keeps their
    /// idempotency keys apart.
    /// </summary>
    internal static async Task<IResult> RegisterAsync(
        ProfileRequest request, string scope, ProfilesDbContext db, ProfileRegistrations registrations, HttpContext http, CancellationToken ct)
    {
        var idempotent = IdempotentRequest.From(http, scope, request, out var badKey);
        if (badKey is not null)
        {
            return badKey;
        }

        if (idempotent is not null && await idempotent.TryReplayAsync(db, ct) is { } replay)
        {
            return replay;
        }

        // A researcher has one profile, and its id is their account id; an administrator registers profiles for others.
        Guid id;
        if (http.User.IsAdmin())
        {
            id = Guid.CreateVersion7();
        }
        else if (http.User.IsResearcher() && http.User.UserGuid() is { } own)
        {
            if (await db.Profiles.AnyAsync(p => p.Id == own, ct))
            {
                return AlreadyRegistered(own);
            }

            id = own;
        }
        else
        {
            return TypedResults.Problem(statusCode: 403, title: "Only researchers register profiles.");
        }

        var now = DateTimeOffset.UtcNow;
        var profile = new Profile { Id = id, Version = 1, FullName = "", Email = "", CreatedAt = now };
        Apply(profile, request, now);
        var response = ProfileResponse.From(profile);
        var location = $"/api/profiles/{profile.Id}";
        try
        {
            await registrations.AddAsync(new Registration(
                profile,
                new ProfileRegistered(Guid.NewGuid(), now, profile.Id, profile.Version, profile.ToMatchingView()),
                idempotent?.ToRecord(StatusCodes.Status201Created, location, response)), ct);
        }
        catch (PostgresException e) when (idempotent is not null && IdempotentRequest.IsDuplicateKey(e))
        {
            // A concurrent request with the same key committed first: answer as it was answered.
            return (await idempotent.TryReplayAsync(db, ct))!;
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "profiles" })
        {
            return AlreadyRegistered(id); // the same researcher registering twice at once
        }

        ETags.Set(http, profile.Version);
        return TypedResults.Created(location, response);
    }

    private static ProblemHttpResult AlreadyRegistered(Guid id) =>
        TypedResults.Problem(statusCode: 409, title: "This account already has a profile.", detail: $"See /api/profiles/{id}.");

    private static async Task<Results<Ok<Page<ProfileResponse>>, ValidationProblem>> List(
        ProfilesDbContext db, ResearchFieldTaxonomy taxonomy, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct,
        string? field = null, string? city = null, string? stage = null, string? institution = null,
        string? status = null, string? sort = null, int? page = null, int? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem!;
        }

        var query = db.Profiles.AsNoTracking();
        if (field is not null)
        {
            if (!taxonomy.Contains(field))
            {
                errors["field"] = ["Unknown research field code; see GET /api/taxonomy."];
            }

            var below = field + ".";
            query = query.Where(p => p.ResearchFields.Any(f => f == field || f.StartsWith(below)));
        }

        if (city is not null)
        {
            query = query.Where(p => p.PreferredCities.Contains(city));
        }

        if (stage is not null)
        {
            if (ListQuery.TryParseEnum<CareerStage>(stage, out var s))
            {
                query = query.Where(p => p.CareerStage == s);
            }
            else
            {
                errors["stage"] = ["Use R1, R2, R3 or R4."];
            }
        }

        if (institution is not null)
        {
            var lowered = institution.ToLowerInvariant();
            query = query.Where(p => p.CurrentInstitution != null && p.CurrentInstitution.ToLower() == lowered);
        }

        if (status is not null)
        {
            if (ListQuery.TryParseEnum<ProfileStatus>(status, out var s))
            {
                query = query.Where(p => p.Status == s);
            }
            else
            {
                errors["status"] = ["Use active or withdrawn."];
            }
        }

        var sorted = ListQuery.Sort(query, sort, errors, p => p.CreatedAt, new()
        {
            ["createdAt"] = ListQuery.By<Profile>(p => p.CreatedAt),
            ["updatedAt"] = ListQuery.By<Profile>(p => p.UpdatedAt),
            ["fullName"] = ListQuery.By<Profile>(p => p.FullName),
            ["yearsOfExperience"] = ListQuery.By<Profile>(p => p.YearsOfExperience),
        });
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid list parameters.");
        }

        var total = await query.LongCountAsync(ct);
        var items = await sorted.ThenBy(p => p.Id).Skip(paging.Skip).Take(paging.PageSize).AsNoTracking().ToListAsync(ct);
        // Listing is for administrators only, and every profile it shows is an audited access.
        foreach (var item in items.Where(p => !user.Owns(p.Id)))
        {
            db.PersonalDataAccess.Add(new PersonalDataAccess
            {
                ProfileId = item.Id, AccessorId = user.UserId() ?? "unknown", AccessorRole = Roles.All.FirstOrDefault(user.IsInRole) ?? "unknown",
                Purpose = "list", AccessedAt = DateTimeOffset.UtcNow,
            });
        }

        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new Page<ProfileResponse>(items.Select(ProfileResponse.From).ToList(), paging.PageNumber, paging.PageSize, total));
    }

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> Get(Guid id, ProfilesDbContext db, HttpContext http, CancellationToken ct)
    {
        if (!MayAccess(http.User, id))
        {
            return NotFound(id);
        }

        var profile = await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (profile is null)
        {
            return NotFound(id);
        }

        if (!http.User.Owns(id))
        {
            await Audit.RecordAsync(db, http.User, id, null, "profile", ct);
        }

        ETags.Set(http, profile.Version);
        return TypedResults.Ok(ProfileResponse.From(profile));
    }

    private static async Task<IResult> Update(
        Guid id, ProfileRequest request, ProfilesDbContext db, HttpContext http, CancellationToken ct)
    {
        var (profile, problem) = await LoadForChangeAsync(id, db, http, "The profile has been withdrawn and can no longer be changed.", ct);
        if (problem is not null)
        {
            return problem;
        }

        var now = DateTimeOffset.UtcNow;
        Apply(profile, request, now);
        profile.Version++;
        db.Enqueue(new ProfileUpdated(Guid.NewGuid(), now, profile.Id, profile.Version, profile.ToMatchingView()));
        return await SaveOrConflict(db, profile, http, ct);
    }

    private static async Task<IResult> Withdraw(Guid id, ProfilesDbContext db, HttpContext http, CancellationToken ct)
    {
        var (profile, problem) = await LoadForChangeAsync(id, db, http, "The profile is already withdrawn.", ct);
        if (problem is not null)
        {
            return problem;
        }

        var now = DateTimeOffset.UtcNow;
        profile.Status = ProfileStatus.Withdrawn;
        profile.UpdatedAt = now;
        profile.Version++;
        db.Enqueue(new ProfileWithdrawn(Guid.NewGuid(), now, profile.Id, profile.Version));
        return await SaveOrConflict(db, profile, http, ct);
    }

    /// <summary>
    /// The profile a write may change: the caller's own (else 404), matching If-Match (else 412), still active (else 409
    /// with <paramref name="withdrawnTitle"/>).
    /// </summary>
    private static async Task<(Profile Profile, IResult? Problem)> LoadForChangeAsync(
        Guid id, ProfilesDbContext db, HttpContext http, string withdrawnTitle, CancellationToken ct)
    {
        var profile = MayAccess(http.User, id) ? await db.Profiles.FirstOrDefaultAsync(p => p.Id == id, ct) : null;
        if (profile is null)
        {
            return (null!, NotFound(id));
        }

        if (!ETags.IfMatchSatisfied(http, profile.Version))
        {
            return (profile, ETags.PreconditionFailed(profile.Version));
        }

        return profile.Status == ProfileStatus.Withdrawn
            ? (profile, TypedResults.Problem(statusCode: 409, title: withdrawnTitle))
            : (profile, null);
    }

    /// <summary>Copies a validated request onto the profile.</summary>
    internal static void Apply(Profile profile, ProfileRequest request, DateTimeOffset now)
    {
        profile.FullName = request.FullName!.Trim();
        profile.Email = request.Email!.Trim();
        profile.Phone = Blank(request.Phone);
        profile.Orcid = Blank(request.Orcid)?.ToUpperInvariant();
        profile.Degrees = (request.Degrees ?? []).Select(d => new Degree(d.Level!.Value, d.Field!, d.Institution!.Trim(), d.Year!.Value)).ToList();
        profile.HighestDegree = profile.Degrees.Count == 0 ? DegreeLevel.None : profile.Degrees.Max(d => d.Level);
        profile.CurrentInstitution = Blank(request.CurrentInstitution);
        profile.CurrentTitle = Blank(request.CurrentTitle);
        profile.CareerStage = request.CareerStage!.Value;
        profile.ResearchFields = [.. request.ResearchFields!.Distinct()];
        profile.Skills = CommonRules.NormalizeTags(request.Skills);
        profile.YearsOfExperience = request.YearsOfExperience!.Value;
        profile.PublicationsCount = request.PublicationsCount ?? 0;
        profile.HIndex = request.HIndex ?? 0;
        profile.GrantsLed = request.GrantsLed ?? 0;
        profile.Honours = (request.Honours ?? []).Select(h => new TalentHonour(h.Tier!.Value, h.Programme!.Trim(), h.Year!.Value)).ToList();
        profile.Languages = CommonRules.NormalizeTags(request.Languages);
        profile.PreferredCities = CommonRules.NormalizeTags(request.PreferredCities, lowerCase: false);
        profile.EmploymentModes = request.EmploymentModes!.Aggregate(EmploymentModes.None, (flags, m) => flags | m);
        profile.EarliestStartDate = request.EarliestStartDate;
        if (request.ConsentToMatching!.Value && !profile.ConsentToMatching)
        {
            profile.ConsentGivenAt = now;
            profile.ConsentNoticeVersion = ConsentNoticeVersion;
        }
        else if (!request.ConsentToMatching.Value)
        {
            profile.ConsentGivenAt = null;
            profile.ConsentNoticeVersion = null;
        }

        profile.ConsentToMatching = request.ConsentToMatching.Value;
        profile.UpdatedAt = now;
    }

    /// <summary>The privacy notice researchers agree to when they consent to matching (<c>Consent:NoticeVersion</c>).</summary>
    public static string ConsentNoticeVersion { get; set; } = "2026-11";

    /// <summary>The profile's owner (a researcher's profile id is their account id) or an administrator.</summary>
    internal static bool MayAccess(System.Security.Claims.ClaimsPrincipal user, Guid profileId) => user.IsAdmin() || user.Owns(profileId);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static Task<IResult> SaveOrConflict(ProfilesDbContext db, Profile profile, HttpContext http, CancellationToken ct) =>
        db.SaveVersionedAsync(http, profile.Version, () => ProfileResponse.From(profile), "profile", ct);

    internal static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "Profile not found.", detail: $"No profile has id {id}.");
}
