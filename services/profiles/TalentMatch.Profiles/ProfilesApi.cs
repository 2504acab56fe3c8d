using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TalentMatch.Contracts.Profiles;
using TalentMatch.Hosting.Messaging;
using TalentMatch.Hosting.Web;
using TalentMatch.Seeds;

namespace TalentMatch.Profiles;

/// <summary>What a client sends to register or update a profile. Every member is optional here so that the
/// validator can name every missing field at once.</summary>
public sealed record ProfileRequest(
    string? FullName,
    string? Email,
    string? Phone,
    IReadOnlyList<string>? ResearchFields,
    IReadOnlyList<string>? Skills,
    DegreeLevel? Degree,
    CareerStage? CareerStage,
    double? YearsOfExperience,
    int? PublicationsCount,
    IReadOnlyList<string>? PreferredCities,
    IReadOnlyList<EmploymentModes>? EmploymentModes,
    bool? ConsentToMatching);

public sealed record ProfileResponse(
    Guid Id,
    long Version,
    ProfileStatus Status,
    string FullName,
    string Email,
    string? Phone,
    IReadOnlyList<string> ResearchFields,
    IReadOnlyList<string> Skills,
    DegreeLevel Degree,
    CareerStage CareerStage,
    double YearsOfExperience,
    int PublicationsCount,
    IReadOnlyList<string> PreferredCities,
    IReadOnlyList<EmploymentModes> EmploymentModes,
    bool ConsentToMatching,
    DateTimeOffset? ConsentGivenAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ProfileResponse From(Profile p) => new(
        p.Id, p.Version, p.Status, p.FullName, p.Email, p.Phone, p.ResearchFields, p.Skills, p.Degree, p.CareerStage,
        p.YearsOfExperience, p.PublicationsCount, p.PreferredCities,
        CommonRules.SingleModes.Where(m => p.EmploymentModes.HasFlag(m)).ToList(),
        p.ConsentToMatching, p.ConsentGivenAt, p.CreatedAt, p.UpdatedAt);
}

public sealed class ProfileRequestValidator : AbstractValidator<ProfileRequest>
{
    public ProfileRequestValidator(ResearchFieldTaxonomy taxonomy)
    {
        RuleFor(r => r.FullName).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Email).NotEmpty().MaximumLength(254).EmailAddress();
        RuleFor(r => r.Phone).MaximumLength(40).Matches(@"^\+?[0-9 ()\-]{5,40}$").When(r => r.Phone is not null)
            .WithMessage("'phone' may hold digits, spaces, brackets, dashes and a leading +.");
        RuleFor(r => r.ResearchFields).ResearchFieldCodes(taxonomy);
        RuleFor(r => r.Skills).Tags();
        RuleFor(r => r.Degree).NotNull().IsInEnum();
        RuleFor(r => r.CareerStage).NotNull().IsInEnum();
        RuleFor(r => r.YearsOfExperience).NotNull().InclusiveBetween(0, 70);
        RuleFor(r => r.PublicationsCount).NotNull().InclusiveBetween(0, 100_000);
        RuleFor(r => r.PreferredCities).Tags();
        RuleFor(r => r.EmploymentModes).NotEmpty().WithMessage("Accept at least one employment mode.");
        RuleForEach(r => r.EmploymentModes).SingleEmploymentMode();
        RuleFor(r => r.ConsentToMatching).NotNull();
    }
}

public static class ProfilesApi
{
    public static IServiceCollection AddProfiles(this IServiceCollection services) =>
        services
            .AddSingleton(ResearchFieldTaxonomy.Load())
            .AddSingleton<IValidator<ProfileRequest>, ProfileRequestValidator>();

    public static IEndpointRouteBuilder MapProfilesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/profiles").WithTags("Profiles");
        api.MapPost("/", Register).Validate<ProfileRequest>().WithName("RegisterProfile");
        api.MapGet("/", List).WithName("ListProfiles");
        api.MapGet("/{id:guid}", Get).WithName("GetProfile");
        api.MapPut("/{id:guid}", Update).Validate<ProfileRequest>().WithName("UpdateProfile");
        api.MapPost("/{id:guid}/withdraw", Withdraw).WithName("WithdrawProfile");
        return app;
    }

    private static async Task<Created<ProfileResponse>> Register(ProfileRequest request, ProfilesDbContext db, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var profile = new Profile
        {
            Id = Guid.CreateVersion7(),
            Version = 1,
            FullName = request.FullName!.Trim(),
            Email = request.Email!.Trim(),
            CreatedAt = now,
        };
        Apply(profile, request, now);
        db.Profiles.Add(profile);
        db.Enqueue(new ProfileRegistered(Guid.NewGuid(), now, profile.Id, profile.Version, profile.ToMatchingView()));
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/profiles/{profile.Id}", ProfileResponse.From(profile));
    }

    private static async Task<Results<Ok<Page<ProfileResponse>>, ProblemHttpResult, ValidationProblem>> List(
        ProfilesDbContext db, int? page, int? pageSize, CancellationToken ct)
    {
        if (!PageRequest.TryRead(page, pageSize, out var paging, out var problem))
        {
            return problem!;
        }

        var query = db.Profiles.AsNoTracking().OrderBy(p => p.CreatedAt).ThenBy(p => p.Id);
        var total = await query.LongCountAsync(ct);
        var items = await query.Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Page<ProfileResponse>(items.Select(ProfileResponse.From).ToList(), paging.PageNumber, paging.PageSize, total));
    }

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> Get(Guid id, ProfilesDbContext db, CancellationToken ct)
    {
        var profile = await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        return profile is null ? NotFound(id) : TypedResults.Ok(ProfileResponse.From(profile));
    }

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> Update(
        Guid id, ProfileRequest request, ProfilesDbContext db, CancellationToken ct)
    {
        var profile = await db.Profiles.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (profile is null)
        {
            return NotFound(id);
        }

        if (profile.Status == ProfileStatus.Withdrawn)
        {
            return TypedResults.Problem(statusCode: 409, title: "The profile has been withdrawn and can no longer be changed.");
        }

        var now = DateTimeOffset.UtcNow;
        profile.FullName = request.FullName!.Trim();
        profile.Email = request.Email!.Trim();
        Apply(profile, request, now);
        profile.Version++;
        db.Enqueue(new ProfileUpdated(Guid.NewGuid(), now, profile.Id, profile.Version, profile.ToMatchingView()));
        return await SaveOrConflict(db, profile, ct);
    }

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> Withdraw(Guid id, ProfilesDbContext db, CancellationToken ct)
    {
        var profile = await db.Profiles.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (profile is null)
        {
            return NotFound(id);
        }

        if (profile.Status == ProfileStatus.Withdrawn)
        {
            return TypedResults.Problem(statusCode: 409, title: "The profile is already withdrawn.");
        }

        var now = DateTimeOffset.UtcNow;
        profile.Status = ProfileStatus.Withdrawn;
        profile.UpdatedAt = now;
        profile.Version++;
        db.Enqueue(new ProfileWithdrawn(Guid.NewGuid(), now, profile.Id, profile.Version));
        return await SaveOrConflict(db, profile, ct);
    }

    private static void Apply(Profile profile, ProfileRequest request, DateTimeOffset now)
    {
        profile.Phone = string.IsNullOrWhiteSpace(request.Phone) ? null : request.Phone.Trim();
        profile.ResearchFields = [.. request.ResearchFields!.Distinct()];
        profile.Skills = CommonRules.NormalizeTags(request.Skills);
        profile.Degree = request.Degree!.Value;
        profile.CareerStage = request.CareerStage!.Value;
        profile.YearsOfExperience = request.YearsOfExperience!.Value;
        profile.PublicationsCount = request.PublicationsCount!.Value;
        profile.PreferredCities = CommonRules.NormalizeTags(request.PreferredCities, lowerCase: false);
        profile.EmploymentModes = request.EmploymentModes!.Aggregate(EmploymentModes.None, (flags, m) => flags | m);
        if (request.ConsentToMatching!.Value && !profile.ConsentToMatching)
        {
            profile.ConsentGivenAt = now;
        }

        profile.ConsentToMatching = request.ConsentToMatching.Value;
        profile.UpdatedAt = now;
    }

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> SaveOrConflict(ProfilesDbContext db, Profile profile, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(ProfileResponse.From(profile));
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: 409, title: "The profile was changed by another request; read it again and retry.");
        }
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, title: "Profile not found.", detail: $"No profile has id {id}.");
}
