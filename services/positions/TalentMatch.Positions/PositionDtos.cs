using FluentValidation;
using TalentMatch.Hosting.Web;
using TalentMatch.ReferenceData;

namespace TalentMatch.Positions;

public sealed record SalaryBandInput(decimal? MinCny, decimal? MaxCny);

/// <summary>What an HR office sends to create or update a position; members are nullable so every gap is reported.</summary>
/// <param name="Status">On create only: <c>open</c> (the default) or <c>draft</c>; ignored on update.</param>
public sealed record PositionRequest(
    Guid? InstitutionId,
    string? Title,
    string? Department,
    string? Description,
    string? City,
    IReadOnlyList<string>? ResearchFields,
    IReadOnlyList<string>? RequiredSkills,
    IReadOnlyList<string>? PreferredSkills,
    DegreeLevel? MinimumDegree,
    CareerStage? CareerStageMin,
    CareerStage? CareerStageMax,
    double? MinimumYears,
    TalentTier? TalentTierSought,
    EmploymentModes? EmploymentMode,
    IReadOnlyList<string>? Languages,
    int? Headcount,
    SalaryBandInput? SalaryBand,
    decimal? StartupFundingCny,
    DateOnly? ApplicationDeadline,
    PositionStatus? Status = null);

public sealed record PositionResponse(
    Guid Id,
    long Version,
    PositionStatus Status,
    Guid InstitutionId,
    string Title,
    string? Department,
    string? Description,
    string City,
    IReadOnlyList<string> ResearchFields,
    IReadOnlyList<string> RequiredSkills,
    IReadOnlyList<string> PreferredSkills,
    DegreeLevel MinimumDegree,
    CareerStage CareerStageMin,
    CareerStage CareerStageMax,
    double MinimumYears,
    TalentTier TalentTierSought,
    EmploymentModes EmploymentMode,
    IReadOnlyList<string> Languages,
    int Headcount,
    SalaryBand? SalaryBand,
    decimal? StartupFundingCny,
    DateOnly? ApplicationDeadline,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static PositionResponse From(Position p) => new(
        p.Id, p.Version, p.Status, p.InstitutionId, p.Title, p.Department, p.Description, p.City, p.ResearchFields,
        p.RequiredSkills, p.PreferredSkills, p.MinimumDegree, p.CareerStageMin, p.CareerStageMax, p.MinimumYears,
        p.TalentTierSought, p.EmploymentMode, p.Languages, p.Headcount, p.SalaryBand, p.StartupFundingCny,
        p.ApplicationDeadline, p.CreatedAt, p.UpdatedAt);
}

public sealed class PositionRequestValidator : AbstractValidator<PositionRequest>
{
    public PositionRequestValidator(ResearchFieldTaxonomy taxonomy, ReferenceData.Institutions institutions, TimeProvider clock)
    {
        RuleFor(r => r.InstitutionId).NotNull()
            .Must(id => id is null || institutions.TryGet(id.Value, out _))
            .WithMessage("Unknown institution; see GET /api/institutions.");
        RuleFor(r => r.Title).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Department).MaximumLength(200);
        RuleFor(r => r.Description).MaximumLength(5000);
        RuleFor(r => r.City).MaximumLength(100);
        RuleFor(r => r.ResearchFields).ResearchFieldCodes(taxonomy);
        RuleFor(r => r.RequiredSkills).Tags();
        RuleFor(r => r.PreferredSkills).Tags();
        RuleFor(r => r.MinimumDegree).NotNull().IsInEnum();
        RuleFor(r => r.CareerStageMin).NotNull().IsInEnum();
        RuleFor(r => r.CareerStageMax).NotNull().IsInEnum()
            .Must((r, max) => r.CareerStageMin is null || max is null || max >= r.CareerStageMin)
            .WithMessage("'careerStageMax' must not be below 'careerStageMin'.");
        RuleFor(r => r.MinimumYears).NotNull().InclusiveBetween(0, 50);
        RuleFor(r => r.TalentTierSought).IsInEnum();
        RuleFor(r => r.EmploymentMode).NotNull().SingleEmploymentMode();
        RuleFor(r => r.Languages).Must(l => l is null || l.Count <= 10).WithMessage("At most 10 languages.");
        RuleForEach(r => r.Languages).Matches("^[a-z]{2,3}$").WithMessage("Use ISO 639 codes such as 'zh' or 'en'.");
        RuleFor(r => r.Headcount).NotNull().InclusiveBetween(1, 1000);
        RuleFor(r => r.SalaryBand!.MinCny).NotNull().InclusiveBetween(0, 100_000_000).When(r => r.SalaryBand is not null);
        RuleFor(r => r.SalaryBand!.MaxCny).NotNull().InclusiveBetween(0, 100_000_000)
            .Must((r, max) => max is null || r.SalaryBand!.MinCny is null || max >= r.SalaryBand.MinCny)
            .WithMessage("'salaryBand.maxCny' must not be below 'salaryBand.minCny'.")
            .When(r => r.SalaryBand is not null);
        RuleFor(r => r.StartupFundingCny).InclusiveBetween(0, 1_000_000_000);
        RuleFor(r => r.ApplicationDeadline)
            .Must(d => d is null || d.Value >= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))
            .WithMessage("'applicationDeadline' must not be in the past.");
        RuleFor(r => r.Status).Must(s => s is null or PositionStatus.Open or PositionStatus.Draft)
            .WithMessage("A new position is 'open' or 'draft'; close or fill it with its own action.");
    }
}
