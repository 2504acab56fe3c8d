using FluentValidation;
using TalentMatch.Hosting.Web;
using TalentMatch.ReferenceData;

namespace TalentMatch.Profiles;

public sealed record DegreeInput(DegreeLevel? Level, string? Field, string? Institution, int? Year);

public sealed record HonourInput(TalentTier? Tier, string? Programme, int? Year);

/// <summary>What a client sends to register or update a profile. Members are nullable so the validator can name
/// every missing field at once; the validator says which are required.</summary>
public sealed record ProfileRequest(
    string? FullName,
    string? Email,
    string? Phone,
    string? Orcid,
    IReadOnlyList<DegreeInput>? Degrees,
    string? CurrentInstitution,
    string? CurrentTitle,
    CareerStage? CareerStage,
    IReadOnlyList<string>? ResearchFields,
    IReadOnlyList<string>? Skills,
    double? YearsOfExperience,
    int? PublicationsCount,
    int? HIndex,
    int? GrantsLed,
    IReadOnlyList<HonourInput>? Honours,
    IReadOnlyList<string>? Languages,
    IReadOnlyList<string>? PreferredCities,
    IReadOnlyList<EmploymentModes>? EmploymentModes,
    DateOnly? EarliestStartDate,
    bool? ConsentToMatching);

public sealed record ProfileResponse(
    Guid Id,
    long Version,
    ProfileStatus Status,
    string FullName,
    string Email,
    string? Phone,
    string? Orcid,
    IReadOnlyList<Degree> Degrees,
    DegreeLevel HighestDegree,
    string? CurrentInstitution,
    string? CurrentTitle,
    CareerStage CareerStage,
    IReadOnlyList<string> ResearchFields,
    IReadOnlyList<string> Skills,
    double YearsOfExperience,
    int PublicationsCount,
    int HIndex,
    int GrantsLed,
    IReadOnlyList<TalentHonour> Honours,
    TalentTier HighestHonour,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> PreferredCities,
    IReadOnlyList<EmploymentModes> EmploymentModes,
    DateOnly? EarliestStartDate,
    bool ConsentToMatching,
    DateTimeOffset? ConsentGivenAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? ConsentNoticeVersion = null)
{
    public static ProfileResponse From(Profile p) => new(
        p.Id, p.Version, p.Status, p.FullName, p.Email, p.Phone, p.Orcid, p.Degrees, p.HighestDegree,
        p.CurrentInstitution, p.CurrentTitle, p.CareerStage, p.ResearchFields, p.Skills, p.YearsOfExperience,
        p.PublicationsCount, p.HIndex, p.GrantsLed, p.Honours, p.HighestHonour, p.Languages, p.PreferredCities,
        CommonRules.SingleModes.Where(m => p.EmploymentModes.HasFlag(m)).ToList(), p.EarliestStartDate,
        p.ConsentToMatching, p.ConsentGivenAt, p.CreatedAt, p.UpdatedAt, p.ConsentNoticeVersion);
}

public sealed class ProfileRequestValidator : AbstractValidator<ProfileRequest>
{
    public ProfileRequestValidator(ResearchFieldTaxonomy taxonomy, TimeProvider clock)
    {
        var today = () => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

        RuleFor(r => r.FullName).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Email).NotEmpty().MaximumLength(254).DeliverableEmail();
        RuleFor(r => r.Phone).MaximumLength(40).Matches(@"^\+?[0-9 ()\-]{5,40}$").When(r => r.Phone is not null)
            .WithMessage("'phone' may hold digits, spaces, brackets, dashes and a leading +.");
        RuleFor(r => r.Orcid).Must(o => o is null || Orcid.IsValid(o))
            .WithMessage("'orcid' must be an ORCID iD such as 0000-0002-1825-0097 with a valid check digit.");
        RuleFor(r => r.Degrees).Must(d => d is null || d.Count <= 10).WithMessage("At most 10 degrees.");
        RuleForEach(r => r.Degrees).ChildRules(d =>
        {
            d.RuleFor(x => x!.Level).NotNull().IsInEnum().NotEqual(DegreeLevel.None);
            d.RuleFor(x => x!.Field).NotEmpty().Must(f => f is null || taxonomy.Contains(f))
                .WithMessage("Unknown research field code; see GET /api/taxonomy.");
            d.RuleFor(x => x!.Institution).NotEmpty().MaximumLength(200);
            d.RuleFor(x => x!.Year).NotNull().InclusiveBetween(1950, today().Year + 6);
        }).When(r => r.Degrees is not null);
        RuleFor(r => r.CurrentInstitution).MaximumLength(200);
        RuleFor(r => r.CurrentTitle).MaximumLength(200);
        RuleFor(r => r.CareerStage).NotNull().IsInEnum();
        RuleFor(r => r.ResearchFields).ResearchFieldCodes(taxonomy);
        RuleFor(r => r.Skills).Tags();
        RuleFor(r => r.YearsOfExperience).NotNull().InclusiveBetween(0, 70);
        RuleFor(r => r.PublicationsCount).InclusiveBetween(0, 100_000);
        RuleFor(r => r.HIndex).InclusiveBetween(0, 500)
            .Must((r, h) => h is null || h <= (r.PublicationsCount ?? 0))
            .WithMessage("'hIndex' cannot exceed 'publicationsCount'.");
        RuleFor(r => r.GrantsLed).InclusiveBetween(0, 1000);
        RuleFor(r => r.Honours).Must(h => h is null || h.Count <= 20).WithMessage("At most 20 honours.");
        RuleForEach(r => r.Honours).ChildRules(h =>
        {
            h.RuleFor(x => x!.Tier).NotNull().IsInEnum().NotEqual(TalentTier.None);
            h.RuleFor(x => x!.Programme).NotEmpty().MaximumLength(200);
            h.RuleFor(x => x!.Year).NotNull().InclusiveBetween(1980, today().Year);
        }).When(r => r.Honours is not null);
        RuleFor(r => r.Languages).Must(l => l is null || l.Count <= 10).WithMessage("At most 10 languages.");
        RuleForEach(r => r.Languages).Matches("^[a-z]{2,3}$").WithMessage("Use ISO 639 codes such as 'zh' or 'en'.");
        RuleFor(r => r.PreferredCities).Tags();
        RuleFor(r => r.EmploymentModes).NotEmpty().WithMessage("Accept at least one employment mode.");
        RuleForEach(r => r.EmploymentModes).SingleEmploymentMode();
        RuleFor(r => r.EarliestStartDate)
            .Must(d => d is null || (d.Value >= new DateOnly(2000, 1, 1) && d.Value <= today().AddYears(5)))
            .WithMessage("'earliestStartDate' must be within the next five years.");
        RuleFor(r => r.ConsentToMatching).NotNull();
    }
}
