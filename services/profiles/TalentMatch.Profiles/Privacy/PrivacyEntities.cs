namespace TalentMatch.Profiles.Privacy;

/// <summary>A researcher's consent to show their name and contact details to one institution's HR office (revocable).</summary>
public sealed class ContactSharing
{
    public Guid ProfileId { get; set; }
    public Guid InstitutionId { get; set; }
    public DateTimeOffset GrantedAt { get; set; }
}

/// <summary>An ambassador endorsed this profile for a position of this institution (learned from <c>MatchReviewed</c>).</summary>
public sealed class Endorsement
{
    public Guid ProfileId { get; set; }
    public Guid PositionId { get; set; }
    public Guid InstitutionId { get; set; }
    public DateTimeOffset EndorsedAt { get; set; }
}

/// <summary>One access to a profile's personal data by someone other than its owner.</summary>
public sealed class PersonalDataAccess
{
    public long Id { get; set; }
    public Guid ProfileId { get; set; }
    public string AccessorId { get; set; } = "";
    public string AccessorRole { get; set; } = "";
    public Guid? InstitutionId { get; set; }

    /// <summary>What was read: profile, card, card-with-contact, export, list.</summary>
    public string Purpose { get; set; } = "";

    public DateTimeOffset AccessedAt { get; set; }
}
