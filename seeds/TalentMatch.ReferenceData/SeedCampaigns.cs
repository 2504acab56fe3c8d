using System.Collections.Immutable;

namespace TalentMatch.ReferenceData;

/// <summary>Who runs a seed campaign: a body (no institution id) or an institution.</summary>
public sealed record SeedOrganiser(string NameEn, string NameZh, Guid? InstitutionId);

/// <summary>The appointment letter the demo ambassador is appointed with (the seed documents name no one).</summary>
public sealed record SeedAppointment(DateOnly AppointedOn, string LetterReference);

/// <summary>A recruitment campaign the seed documents describe, with the seed positions it recruits for.</summary>
public sealed record SeedCampaign(
    Guid Id, string Key, string NameEn, string NameZh, SeedOrganiser Organiser, ImmutableArray<Guid> InstitutionIds,
    DateOnly OpensOn, DateOnly ClosesOn, int TargetHires, ImmutableArray<Guid> PositionIds, SeedAppointment? AmbassadorLetter, string Source);

/// <summary>The seed campaigns from <c>campaigns.json</c> (for the demo loader and tests; the services do not load them).</summary>
public static class SeedCampaigns
{
    private static readonly Lazy<ImmutableArray<SeedCampaign>> Cached = new(() =>
        [.. SeedResources.Deserialize<CampaignsFile>(SeedResources.CampaignsFile).Campaigns]);

    public static ImmutableArray<SeedCampaign> All => Cached.Value;

    private sealed record CampaignsFile(List<SeedCampaign> Campaigns);
}
