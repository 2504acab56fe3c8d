namespace TalentMatch.Matching.Features;

/// <summary>A named feature with a one-line description.</summary>
public sealed record FeatureDefinition(int Index, string Name, string Description);

/// <summary>
/// The profile × position feature schema produced by <see cref="MatchFeatureExtractor"/>. Names are the model's
/// feature names; changing them (or their order) changes the schema and old models will refuse to load.
/// All features are in [0, 1] unless stated otherwise.
/// </summary>
public static class MatchFeatures
{
    public const int FieldProximityMean = 0;
    public const int FieldProximityMax = 1;
    public const int RequiredSkillCoverage = 2;
    public const int PreferredSkillCoverage = 3;
    public const int WeightedSkillCoverage = 4;
    public const int DegreeFit = 5;
    public const int DegreeSurplus = 6;
    public const int CareerStageFit = 7;
    public const int CareerStageOffset = 8;
    public const int ExperienceFit = 9;
    public const int ExperienceSurplus = 10;
    public const int PublicationsRelative = 11;
    public const int HIndexRelative = 12;
    public const int GrantsRelative = 13;
    public const int TalentTierFit = 14;
    public const int TalentTierLevel = 15;
    public const int CityMatch = 16;
    public const int EmploymentModeMatch = 17;
    public const int LanguageCoverage = 18;
    public const int AvailabilityFit = 19;

    /// <summary>Number of features.</summary>
    public const int Count = 20;

    /// <summary>Weight of a required skill relative to a preferred one in <c>weighted_skill_coverage</c>.</summary>
    public const float RequiredSkillWeight = 2f;

    /// <summary>Days late after which availability scores 0.</summary>
    public const int AvailabilityHorizonDays = 180;

    /// <summary>Every feature with its documentation, in schema order.</summary>
    public static IReadOnlyList<FeatureDefinition> Definitions { get; } =
    [
        new(FieldProximityMean, "field_proximity_mean", "For each position field, the best taxonomy proximity to a profile field (common dotted prefix / deeper depth), averaged."),
        new(FieldProximityMax, "field_proximity_max", "Best taxonomy proximity between any profile field and any position field."),
        new(RequiredSkillCoverage, "required_skill_coverage", "Share of the position's required skills the profile has (1 when none are required)."),
        new(PreferredSkillCoverage, "preferred_skill_coverage", "Share of the position's preferred skills the profile has (1 when none are listed)."),
        new(WeightedSkillCoverage, "weighted_skill_coverage", "Skill coverage with required skills weighted 2x preferred ones (1 when the position lists none)."),
        new(DegreeFit, "degree_fit", "1 when the profile's degree meets the minimum, else 1 - levels short / 3."),
        new(DegreeSurplus, "degree_surplus", "Degree levels above the minimum / 3 (0 when at or below)."),
        new(CareerStageFit, "career_stage_fit", "1 when the EURAXESS stage (R1..R4) is inside the position's range, else 1 - distance / 3; 0.5 if unknown."),
        new(CareerStageOffset, "career_stage_offset", "Signed distance of the stage from the range / 3: negative below, positive above, 0 inside (in [-1, 1])."),
        new(ExperienceFit, "experience_fit", "Years of experience / minimum years, saturating at 1 (1 when there is no minimum)."),
        new(ExperienceSurplus, "experience_surplus", "Years beyond the minimum / 10, saturating at 1."),
        new(PublicationsRelative, "publications_rel", "Publications relative to the primary discipline's median: p / (p + median); 0.5 = median."),
        new(HIndexRelative, "h_index_rel", "h-index relative to the discipline median: h / (h + median)."),
        new(GrantsRelative, "grants_rel", "Grants led relative to the discipline median: g / (g + median)."),
        new(TalentTierFit, "talent_tier_fit", "1 when no tier is sought or the profile's honours tier reaches it, else 1 - tiers short / 3."),
        new(TalentTierLevel, "talent_tier", "The profile's honours tier / 3 (none, young talent, provincial/ministerial, national)."),
        new(CityMatch, "city_match", "1 when the position's city is among the preferred cities or the profile states no preference, else 0."),
        new(EmploymentModeMatch, "employment_mode_match", "1 when the profile accepts the position's employment mode (or any mode), else 0."),
        new(LanguageCoverage, "language_coverage", "Share of the position's required languages the profile works in (1 when none are required)."),
        new(AvailabilityFit, "availability_fit", "1 when the profile can start by the position's start date (else its deadline), decaying to 0 at 180 days late."),
    ];

    /// <summary>Feature names in schema order (the model's feature schema).</summary>
    public static IReadOnlyList<string> Names { get; } = Definitions.Select(d => d.Name).ToArray();
}
