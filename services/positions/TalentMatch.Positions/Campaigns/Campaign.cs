using TalentMatch.Contracts.Campaigns;

namespace TalentMatch.Positions.Campaigns;

public enum CampaignStatus { Open = 0, Closed = 1 }

/// <summary>
/// A recruitment campaign: an organiser (a body such as a municipal organisation department, or an institution) runs it,
/// institutions join it with their openings, and ambassadors are appointed to review its matches.
/// </summary>
public sealed class Campaign
{
    public Guid Id { get; set; }

    /// <summary>Aggregate version: 1 when created, +1 per change (positions and appointments included); also the ETag.</summary>
    public long Version { get; set; }

    public CampaignStatus Status { get; set; }
    public required string NameEn { get; set; }
    public required string NameZh { get; set; }
    public required string OrganiserNameEn { get; set; }
    public required string OrganiserNameZh { get; set; }

    /// <summary>When the organiser is an institution, its HR office runs the campaign with the administrators.</summary>
    public Guid? OrganiserInstitutionId { get; set; }

    public List<Guid> InstitutionIds { get; set; } = [];
    public DateOnly OpensOn { get; set; }
    public DateOnly ClosesOn { get; set; }
    public int TargetHires { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public List<CampaignPosition> Positions { get; set; } = [];
    public List<AmbassadorAppointment> Ambassadors { get; set; } = [];

    public CampaignChanged ToEvent(DateTimeOffset now) => new(
        Guid.NewGuid(), now, Id, Version, Status == CampaignStatus.Open ? "open" : "closed", NameEn, NameZh, OrganiserInstitutionId,
        OpensOn, ClosesOn, TargetHires, InstitutionIds, Positions.Select(p => p.PositionId).Order().ToList(),
        Ambassadors.Select(a => a.AccountId).Order().ToList());
}

/// <summary>A position an HR office attached to a campaign.</summary>
public sealed class CampaignPosition
{
    public Guid CampaignId { get; set; }
    public Guid PositionId { get; set; }
    public DateTimeOffset AttachedAt { get; set; }
    public required string AttachedBy { get; set; }
}

/// <summary>An ambassador appointed to a campaign, with the date and reference of the appointment letter.</summary>
public sealed class AmbassadorAppointment
{
    public Guid CampaignId { get; set; }

    /// <summary>The ambassador's account (identity's id).</summary>
    public Guid AccountId { get; set; }

    public DateOnly AppointedOn { get; set; }
    public required string LetterReference { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public required string RecordedBy { get; set; }
}
