namespace TalentMatch.Matching.Campaigns;

/// <summary>Matching's copy of a recruitment campaign, fed by <c>CampaignChanged</c>: whose matches an appointed ambassador reviews.</summary>
public sealed class CampaignSnapshot
{
    public Guid CampaignId { get; set; }
    public long Version { get; set; }
    public bool Closed { get; set; }
    public string NameEn { get; set; } = "";
    public string NameZh { get; set; } = "";
    public Guid? OrganiserInstitutionId { get; set; }
    public DateOnly OpensOn { get; set; }
    public DateOnly ClosesOn { get; set; }
    public int TargetHires { get; set; }
    public Guid[] InstitutionIds { get; set; } = [];
    public Guid[] PositionIds { get; set; } = [];
    public Guid[] AmbassadorIds { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }
}
