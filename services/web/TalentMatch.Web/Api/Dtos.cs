using System.Text.Json;

namespace TalentMatch.Web.Api;

// What the web app reads from the services. Enum-like members stay strings (the services' kebab-case names), so a
// value added by a service does not break a page; labels come from the resource files.

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long Total);

public sealed record Title(string En, string Zh);

public sealed record CareerStageInfo(string Code, string En, string Zh, string? Description, IReadOnlyList<Title> ResearchTitles, IReadOnlyList<Title> ClinicalGrades);

public sealed record ResearchField(string Code, string En, string Zh, string? Level, string? ParentCode, IReadOnlyList<string>? ChildCodes);

public sealed record Skill(string Name, string En, string? Category, IReadOnlyList<string>? Fields);

public sealed record Institution(Guid Id, string Slug, string NameEn, string NameZh, string City, string? Kind);

public sealed record Contribution(string Feature, double Value, double Amount);

public sealed record ScorePart(string Criterion, double Value, double Weight, double Contribution);

public sealed record BaselineScore(double Score, IReadOnlyList<ScorePart> Parts);

public sealed record ReviewItem(
    Guid Id, Guid PositionId, Guid ProfileId, Guid InstitutionId, IReadOnlyList<string> ResearchFields, double Score, int Rank,
    int ModelVersion, string Status, DateTimeOffset ProposedAt, JsonElement TopContributions,
    DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, string? ReasonText, string? Outcome,
    ResearcherAnswer? ResearcherAnswer = null, int? HrRank = null)
{
    public IReadOnlyList<Contribution> Top() =>
        TopContributions.ValueKind == JsonValueKind.Array
            ? TopContributions.Deserialize<List<Contribution>>(ApiJson.Options) ?? []
            : [];
}

public sealed record MatchDecision(string Decision, string? Reason, string? ReasonText, string Reviewer, DateTimeOffset DecidedAt, double Score, int ModelVersion);

public sealed record MatchOutcome(
    string Outcome, string RecordedBy, DateTimeOffset RecordedAt, string? AgreementType = null, int? DaysPerYear = null, int? Months = null,
    bool? HomeInstitutionKept = null, DateOnly? StartDate = null, DateOnly? EndDate = null);

/// <summary>A researcher's answer to a recommended position (interested, not-interested, apply); the latest counts.</summary>
public sealed record ResearcherAnswer(string Answer, string? Reason, string? ReasonText, int? PreferenceRank, DateTimeOffset AnsweredAt);

/// <summary>What a researcher sends to answer a recommendation; a reason only with not-interested.</summary>
public sealed record AnswerInput(string Answer, string? Reason = null, string? ReasonText = null, int? PreferenceRank = null);

/// <summary>The terms of a signed agreement (outcome <c>agreement-signed</c>).</summary>
public sealed class AgreementInput
{
    public string? Type { get; set; } = "full-time";
    public int? DaysPerYear { get; set; }
    public int? Months { get; set; }
    public bool? HomeInstitutionKept { get; set; }
    public DateOnly? StartDate { get; set; }
    public DateOnly? EndDate { get; set; }
    public bool? WithdrawFromMatching { get; set; }
}

public sealed record ReviewDetail(
    ReviewItem Match, double BaselineScore, double? Bias, IReadOnlyList<Contribution> Contributions,
    IReadOnlyList<MatchDecision> Decisions, IReadOnlyList<MatchOutcome> Outcomes);

public sealed record MatchExplanation(
    Guid PositionId, Guid ProfileId, bool PassesHardConstraints, int ModelVersion, double Score, double Bias,
    IReadOnlyList<Contribution> Contributions, BaselineScore Baseline);

public sealed record DecisionRequest(string Decision, string? Reason, string? ReasonText);

public sealed record RecommendationItem(
    Guid PositionId, string Title, Guid InstitutionId, string City, double Score, int ModelVersion, JsonElement TopContributions,
    ResearcherAnswer? Answer = null, IReadOnlyList<Guid>? CampaignIds = null)
{
    public IReadOnlyList<Contribution> Top() =>
        TopContributions.ValueKind == JsonValueKind.Array ? TopContributions.Deserialize<List<Contribution>>(ApiJson.Options) ?? [] : [];
}

public sealed record RecommendationsView(Guid ProfileId, IReadOnlyList<RecommendationItem> Items);

public sealed record SalaryBand(decimal? MinCny, decimal? MaxCny);

public sealed record JobPosition(
    Guid Id, long Version, string Status, Guid InstitutionId, string Title, string? Department, string? Description, string City,
    IReadOnlyList<string> ResearchFields, IReadOnlyList<string> RequiredSkills, IReadOnlyList<string> PreferredSkills,
    string MinimumDegree, string CareerStageMin, string CareerStageMax, double MinimumYears, string TalentTierSought,
    string EmploymentMode, IReadOnlyList<string> Languages, int Headcount, SalaryBand? SalaryBand, decimal? StartupFundingCny,
    DateOnly? ApplicationDeadline, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What the position form sends (create and update).</summary>
public sealed class PositionInput
{
    public Guid? InstitutionId { get; set; }
    public string? Title { get; set; }
    public string? Department { get; set; }
    public string? Description { get; set; }
    public string? City { get; set; }
    public List<string> ResearchFields { get; set; } = [];
    public List<string> RequiredSkills { get; set; } = [];
    public List<string> PreferredSkills { get; set; } = [];
    public string? MinimumDegree { get; set; } = "doctorate";
    public string? CareerStageMin { get; set; } = "R2";
    public string? CareerStageMax { get; set; } = "R3";
    public double? MinimumYears { get; set; }
    public string? TalentTierSought { get; set; } = "none";
    public string? EmploymentMode { get; set; } = "full-time";
    public List<string> Languages { get; set; } = [];
    public int? Headcount { get; set; } = 1;
    public SalaryBand? SalaryBand { get; set; }
    public decimal? StartupFundingCny { get; set; }
    public DateOnly? ApplicationDeadline { get; set; }
    public string? Status { get; set; }

    public static PositionInput From(JobPosition p) => new()
    {
        InstitutionId = p.InstitutionId, Title = p.Title, Department = p.Department, Description = p.Description, City = p.City,
        ResearchFields = [.. p.ResearchFields], RequiredSkills = [.. p.RequiredSkills], PreferredSkills = [.. p.PreferredSkills],
        MinimumDegree = p.MinimumDegree, CareerStageMin = p.CareerStageMin, CareerStageMax = p.CareerStageMax, MinimumYears = p.MinimumYears,
        TalentTierSought = p.TalentTierSought, EmploymentMode = p.EmploymentMode, Languages = [.. p.Languages], Headcount = p.Headcount,
        SalaryBand = p.SalaryBand, StartupFundingCny = p.StartupFundingCny, ApplicationDeadline = p.ApplicationDeadline,
    };
}

public sealed class DegreeInput
{
    public string? Level { get; set; } = "doctorate";
    public string? Field { get; set; }
    public string? Institution { get; set; }
    public int? Year { get; set; }
}

public sealed class HonourInput
{
    public string? Tier { get; set; } = "young";
    public string? Programme { get; set; }
    public int? Year { get; set; }
}

/// <summary>What the profile form sends (create and update).</summary>
public sealed class ProfileInput
{
    public string? FullName { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Orcid { get; set; }
    public List<DegreeInput> Degrees { get; set; } = [];
    public string? CurrentInstitution { get; set; }
    public string? CurrentTitle { get; set; }
    public string? CareerStage { get; set; }
    public List<string> ResearchFields { get; set; } = [];
    public List<string> Skills { get; set; } = [];
    public double? YearsOfExperience { get; set; }
    public int? PublicationsCount { get; set; }
    public int? HIndex { get; set; }
    public int? GrantsLed { get; set; }
    public List<HonourInput> Honours { get; set; } = [];
    public List<string> Languages { get; set; } = [];
    public List<string> PreferredCities { get; set; } = [];
    public List<string> EmploymentModes { get; set; } = ["full-time"];
    public DateOnly? EarliestStartDate { get; set; }
    public bool? ConsentToMatching { get; set; }
}

public sealed record Degree(string Level, string Field, string Institution, int Year);

public sealed record TalentHonour(string Tier, string Programme, int Year);

public sealed record Profile(
    Guid Id, long Version, string Status, string FullName, string Email, string? Phone, string? Orcid, IReadOnlyList<Degree> Degrees,
    string HighestDegree, string? CurrentInstitution, string? CurrentTitle, string CareerStage, IReadOnlyList<string> ResearchFields,
    IReadOnlyList<string> Skills, double YearsOfExperience, int PublicationsCount, int HIndex, int GrantsLed,
    IReadOnlyList<TalentHonour> Honours, string HighestHonour, IReadOnlyList<string> Languages, IReadOnlyList<string> PreferredCities,
    IReadOnlyList<string> EmploymentModes, DateOnly? EarliestStartDate, bool ConsentToMatching, DateTimeOffset? ConsentGivenAt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public ProfileInput ToInput() => new()
    {
        FullName = FullName, Email = Email, Phone = Phone, Orcid = Orcid,
        Degrees = Degrees.Select(d => new DegreeInput { Level = d.Level, Field = d.Field, Institution = d.Institution, Year = d.Year }).ToList(),
        CurrentInstitution = CurrentInstitution, CurrentTitle = CurrentTitle, CareerStage = CareerStage, ResearchFields = [.. ResearchFields],
        Skills = [.. Skills], YearsOfExperience = YearsOfExperience, PublicationsCount = PublicationsCount, HIndex = HIndex, GrantsLed = GrantsLed,
        Honours = Honours.Select(h => new HonourInput { Tier = h.Tier, Programme = h.Programme, Year = h.Year }).ToList(),
        Languages = [.. Languages], PreferredCities = [.. PreferredCities], EmploymentModes = [.. EmploymentModes],
        EarliestStartDate = EarliestStartDate, ConsentToMatching = ConsentToMatching,
    };
}

public sealed record CandidateCard(
    Guid ProfileId, string CareerStage, string HighestDegree, IReadOnlyList<string> ResearchFields, IReadOnlyList<string> Skills,
    double YearsOfExperience, int PublicationsCount, int HIndex, IReadOnlyList<string> PreferredCities, bool ContactShared,
    string? FullName, string? Email, string? Phone, string? Orcid);

public sealed record SharingResponse(Guid InstitutionId, DateTimeOffset GrantedAt);

public sealed record ModelSummary(
    int Version, DateTimeOffset CreatedAt, string Kind, string Status, int TrainingRows, int TrainingGroups, int Labels, double TrainSeconds,
    int HeldOutGroups, double HeldOutNdcgAt10, double? ChampionNdcgAt10, double? BaselineNdcgAt10, DateTimeOffset? PromotedAt, string? Notes,
    string Trainer, string TrainerVersion);

public sealed record RetrainResponse(ModelSummary Model, bool Promoted);

public sealed record Account(string UserId, string Email, string? DisplayName, string Role, IReadOnlyList<Guid>? Institutions, bool Disabled, bool EmailConfirmed);

/// <summary>A notice of the signed-in account (identity service); <see cref="Kind"/> is recommendation, proposal or endorsement.</summary>
public sealed record NoticeItem(long Id, string Kind, Guid PositionId, Guid MatchId, double Score, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, DateTimeOffset? EmailedAt)
{
    public bool Unread => ReadAt is null;
}

/// <summary>A page of the account's notices, newest first, with how many of all of them are unread.</summary>
public sealed record NoticeList(IReadOnlyList<NoticeItem> Items, int PageNumber, int PageSize, long Total, long Unread);

/// <summary>Which kinds of notice the account gets, in the web app and by e-mail (all three are sent on update).</summary>
public sealed record NoticeSettings(bool Recommendations, bool Proposals, bool Endorsements);

public sealed record AccountInput(string Email, string Password, string Role, IReadOnlyList<Guid> InstitutionIds, string? DisplayName);

/// <summary>A value with the entity tag it was read with (for If-Match on update).</summary>
public sealed record Tagged<T>(T Value, string? ETag);

public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed record ErrorQueueCount(string Queue, string ErrorQueue, long Messages);

public sealed record ErrorQueuesView(string Service, IReadOnlyList<ErrorQueueCount> Queues, long Total);

public sealed record Organiser(string NameEn, string NameZh, Guid? InstitutionId);

public sealed record AmbassadorAppointment(Guid AccountId, DateOnly AppointedOn, string LetterReference, DateTimeOffset RecordedAt);

/// <summary>A recruitment campaign (positions service); <see cref="Status"/> is open or closed.</summary>
public sealed record Campaign(
    Guid Id, long Version, string Status, string NameEn, string NameZh, Organiser Organiser, IReadOnlyList<Guid> InstitutionIds,
    DateOnly OpensOn, DateOnly ClosesOn, int TargetHires, IReadOnlyList<Guid> PositionIds, IReadOnlyList<AmbassadorAppointment> Ambassadors,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ClosedAt)
{
    public string Name => TalentMatch.Web.Localization.Cultures.Pick(NameEn, NameZh);
    public string OrganiserName => TalentMatch.Web.Localization.Cultures.Pick(Organiser.NameEn, Organiser.NameZh);
}

public sealed class OrganiserInput
{
    public string? NameEn { get; set; }
    public string? NameZh { get; set; }
    public Guid? InstitutionId { get; set; }
}

/// <summary>What the campaign form sends (create and update).</summary>
public sealed class CampaignInput
{
    public string? NameEn { get; set; }
    public string? NameZh { get; set; }
    public OrganiserInput Organiser { get; set; } = new();
    public List<Guid> InstitutionIds { get; set; } = [];
    public DateOnly? OpensOn { get; set; }
    public DateOnly? ClosesOn { get; set; }
    public int? TargetHires { get; set; }

    public static CampaignInput From(Campaign c) => new()
    {
        NameEn = c.NameEn, NameZh = c.NameZh,
        Organiser = new OrganiserInput { NameEn = c.Organiser.NameEn, NameZh = c.Organiser.NameZh, InstitutionId = c.Organiser.InstitutionId },
        InstitutionIds = [.. c.InstitutionIds], OpensOn = c.OpensOn, ClosesOn = c.ClosesOn, TargetHires = c.TargetHires,
    };
}

public sealed record AppointmentInput(DateOnly? AppointedOn, string? LetterReference);

/// <summary>A position on a researcher's list that did not take them, with the reason in both languages.</summary>
public sealed record PositionRefusal(
    Guid PositionId, int ResearcherRankOfPosition, int? PositionRankOfResearcher, string Reason, IReadOnlyList<Guid>? PreferredHeld, int? WorstHeldRank,
    string Message, string MessageZh)
{
    public string Text => TalentMatch.Web.Localization.Cultures.Pick(Message, MessageZh);
}

public sealed record ProposedOffer(
    Guid ProfileId, Guid PositionId, Guid MatchId, int ResearcherRankOfPosition, int PositionRankOfResearcher, IReadOnlyList<PositionRefusal> PreferredPositions);

public sealed record UnplacedResearcher(Guid ResearcherId, IReadOnlyList<PositionRefusal> Positions);

/// <summary>A campaign's stable assignment: proposed offers for the HR offices to confirm, and who was not placed and why.</summary>
public sealed record AssignmentView(
    Guid CampaignId, DateTimeOffset ComputedAt, string Trigger, int Researchers, int Positions, int Capacity,
    IReadOnlyList<ProposedOffer> Offers, IReadOnlyList<UnplacedResearcher> Unplaced);

public sealed record FunnelRow(
    string Level, Guid? InstitutionId, Guid? PositionId, string? PositionTitle,
    int Proposed, int Endorsed, int Interested, int Applied, int Interviewed, int Offered,
    int SignedFullTime, int SignedFlexible, int SignedVisiting,
    double? MedianDaysProposedToEndorsed, double? MedianDaysEndorsedToInterviewed, double? MedianDaysInterviewedToOffered, double? MedianDaysOfferedToSigned)
{
    public int Signed => SignedFullTime + SignedFlexible + SignedVisiting;
}

public sealed record FunnelView(
    Guid CampaignId, string NameEn, string NameZh, int TargetHires, FunnelRow Total, IReadOnlyList<FunnelRow> Institutions, IReadOnlyList<FunnelRow> Positions);
