using FluentValidation;

namespace TalentMatch.Positions.Campaigns;

/// <param name="InstitutionId">Set when an institution organises the campaign (its HR office then runs it too).</param>
public sealed record OrganiserInput(string? NameEn, string? NameZh, Guid? InstitutionId);

/// <summary>What an administrator or the organiser's staff send to create or change a campaign.</summary>
public sealed record CampaignRequest(
    string? NameEn, string? NameZh, OrganiserInput? Organiser, IReadOnlyList<Guid>? InstitutionIds,
    DateOnly? OpensOn, DateOnly? ClosesOn, int? TargetHires);

/// <summary>An appointment of an ambassador: the date on the letter and its reference.</summary>
public sealed record AppointmentRequest(DateOnly? AppointedOn, string? LetterReference);

public sealed record Organiser(string NameEn, string NameZh, Guid? InstitutionId);

public sealed record AppointmentResponse(Guid AccountId, DateOnly AppointedOn, string LetterReference, DateTimeOffset RecordedAt);

public sealed record CampaignResponse(
    Guid Id, long Version, CampaignStatus Status, string NameEn, string NameZh, Organiser Organiser, IReadOnlyList<Guid> InstitutionIds,
    DateOnly OpensOn, DateOnly ClosesOn, int TargetHires, IReadOnlyList<Guid> PositionIds, IReadOnlyList<AppointmentResponse> Ambassadors,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ClosedAt)
{
    /// <param name="withAppointments">Appointments are shown to the staff of the platform and institutions, not to researchers.</param>
    public static CampaignResponse From(Campaign c, bool withAppointments) => new(
        c.Id, c.Version, c.Status, c.NameEn, c.NameZh, new Organiser(c.OrganiserNameEn, c.OrganiserNameZh, c.OrganiserInstitutionId),
        c.InstitutionIds, c.OpensOn, c.ClosesOn, c.TargetHires,
        c.Positions.OrderBy(p => p.AttachedAt).ThenBy(p => p.PositionId).Select(p => p.PositionId).ToList(),
        withAppointments
            ? c.Ambassadors.OrderBy(a => a.AppointedOn).ThenBy(a => a.AccountId)
                .Select(a => new AppointmentResponse(a.AccountId, a.AppointedOn, a.LetterReference, a.RecordedAt)).ToList()
            : [],
        c.CreatedAt, c.UpdatedAt, c.ClosedAt);
}

public sealed class CampaignRequestValidator : AbstractValidator<CampaignRequest>
{
    public CampaignRequestValidator(ReferenceData.Institutions institutions)
    {
        RuleFor(r => r.NameEn).NotEmpty().MaximumLength(200);
        RuleFor(r => r.NameZh).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Organiser).NotNull().WithMessage("Name the organiser: a body such as a municipal organisation department, or an institution.");
        RuleFor(r => r.Organiser!.NameEn).NotEmpty().MaximumLength(200).When(r => r.Organiser is not null);
        RuleFor(r => r.Organiser!.NameZh).NotEmpty().MaximumLength(200).When(r => r.Organiser is not null);
        RuleFor(r => r.Organiser!.InstitutionId)
            .Must(id => id is null || institutions.TryGet(id.Value, out _)).WithMessage("Unknown institution; see GET /api/institutions.")
            .When(r => r.Organiser is not null);
        RuleFor(r => r.InstitutionIds).NotEmpty().WithMessage("A campaign needs at least one participating institution.")
            .Must(ids => ids is null || ids.Count <= 100).WithMessage("At most 100 participating institutions.")
            .Must(ids => ids is null || ids.Distinct().Count() == ids.Count).WithMessage("An institution is listed twice.");
        RuleForEach(r => r.InstitutionIds).Must(id => institutions.TryGet(id, out _)).WithMessage("Unknown institution; see GET /api/institutions.");
        RuleFor(r => r.OpensOn).NotNull();
        RuleFor(r => r.ClosesOn).NotNull()
            .Must((r, closes) => r.OpensOn is null || closes is null || closes >= r.OpensOn)
            .WithMessage("'closesOn' must not be before 'opensOn'.");
        RuleFor(r => r.TargetHires).NotNull().InclusiveBetween(1, 100_000);
    }
}

public sealed class AppointmentRequestValidator : AbstractValidator<AppointmentRequest>
{
    public AppointmentRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.AppointedOn).NotNull()
            .Must(d => d is null || d.Value <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(366))
            .WithMessage("'appointedOn' is more than a year ahead.");
        RuleFor(r => r.LetterReference).NotEmpty().MaximumLength(100)
            .WithMessage("Give the appointment letter's reference (at most 100 characters).");
    }
}
