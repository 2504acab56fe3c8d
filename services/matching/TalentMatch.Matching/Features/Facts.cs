namespace TalentMatch.Matching.Features;

/// <summary>Highest degree level: 0 None, 1 Bachelor, 2 Master, 3 Doctorate.</summary>
public enum DegreeLevel : byte { None = 0, Bachelor = 1, Master = 2, Doctorate = 3 }

/// <summary>Talent-programme tier: 0 none, 1 young talent, 2 provincial/ministerial, 3 national.</summary>
public enum TalentTier : byte { None = 0, YoungTalent = 1, ProvincialOrMinisterial = 2, National = 3 }

/// <summary>Employment modes (flags).</summary>
[Flags]
public enum EmploymentModes : byte { None = 0, FullTime = 1, FlexiblePartTime = 2, Visiting = 4 }

/// <summary>
/// A research-field code <c>DISCIPLINE.FIELD.SUBFIELD[.TOPIC]</c> interned by <see cref="FactsEncoder"/>: up to four
/// 16-bit segment ids packed from the most significant end, so the common dotted prefix of two codes is found with one
/// XOR and a leading-zero count.
/// </summary>
public readonly record struct ResearchFieldCode(ulong Packed)
{
    public const int MaxDepth = 4;

    /// <summary>Number of dotted segments (0 for the empty code).</summary>
    public int Depth => Packed == 0 ? 0 : MaxDepth - System.Numerics.BitOperations.TrailingZeroCount(Packed) / 16;

    /// <summary>Id of the top-level segment (the discipline).</summary>
    public int Discipline => (int)(Packed >> 48);

    /// <summary>Number of leading segments two codes share.</summary>
    public static int CommonPrefix(ResearchFieldCode a, ResearchFieldCode b)
    {
        ulong x = a.Packed ^ b.Packed;
        int common = x == 0 ? MaxDepth : System.Numerics.BitOperations.LeadingZeroCount(x) / 16;
        return Math.Min(common, Math.Min(a.Depth, b.Depth));
    }

    /// <summary>Proximity in [0, 1]: common dotted prefix length / the deeper code's depth (1 = same code).</summary>
    public static float Proximity(ResearchFieldCode a, ResearchFieldCode b)
    {
        int max = Math.Max(a.Depth, b.Depth);
        return max == 0 ? 0f : CommonPrefix(a, b) / (float)max;
    }
}

/// <summary>
/// Pre-encoded facts about a researcher profile, produced once per profile (see <see cref="FactsEncoder"/>).
/// Deliberately has no protected attributes (no name, gender, age, ethnicity): the ranker cannot use what it never sees.
/// Id arrays are sorted ascending and distinct.
/// </summary>
/// <param name="ResearchFields">The profile's research fields; the first one is the primary field (used for field norms).</param>
/// <param name="Skills">Sorted skill ids.</param>
/// <param name="Degree">Highest degree.</param>
/// <param name="CareerStage">EURAXESS stage R1..R4 as 1..4 (0 = unknown).</param>
/// <param name="YearsExperience">Years of research experience.</param>
/// <param name="Publications">Publication count.</param>
/// <param name="HIndex">h-index.</param>
/// <param name="GrantsLed">Grants led as principal investigator.</param>
/// <param name="HonoursTier">Highest talent-programme tier held.</param>
/// <param name="PreferredCities">Sorted city ids; empty = no preference.</param>
/// <param name="AcceptedModes">Employment modes the researcher accepts; None = any.</param>
/// <param name="Languages">Sorted language ids the researcher works in.</param>
/// <param name="EarliestStart">Earliest start date; null = immediately / unknown.</param>
public sealed record ProfileFacts(
    ResearchFieldCode[] ResearchFields,
    int[] Skills,
    DegreeLevel Degree,
    int CareerStage,
    float YearsExperience,
    int Publications,
    float HIndex,
    int GrantsLed,
    TalentTier HonoursTier,
    int[] PreferredCities,
    EmploymentModes AcceptedModes,
    int[] Languages,
    DateOnly? EarliestStart);

/// <summary>Pre-encoded facts about a position, produced once per position (see <see cref="FactsEncoder"/>). Id arrays sorted ascending.</summary>
/// <param name="ResearchFields">Research fields of the position.</param>
/// <param name="RequiredSkills">Sorted required skill ids.</param>
/// <param name="PreferredSkills">Sorted preferred (nice-to-have) skill ids.</param>
/// <param name="MinimumDegree">Minimum degree.</param>
/// <param name="MinCareerStage">Lowest acceptable EURAXESS stage (1..4).</param>
/// <param name="MaxCareerStage">Highest acceptable EURAXESS stage (1..4).</param>
/// <param name="MinYearsExperience">Minimum years of experience.</param>
/// <param name="TierSought">Talent tier the position is meant for (None = any).</param>
/// <param name="City">City id of the position.</param>
/// <param name="Mode">Employment mode(s) offered.</param>
/// <param name="RequiredLanguages">Sorted required language ids.</param>
/// <param name="ApplicationDeadline">Application deadline (null = open).</param>
/// <param name="StartDate">Intended start date (null = unspecified; the deadline is used instead).</param>
public sealed record PositionFacts(
    ResearchFieldCode[] ResearchFields,
    int[] RequiredSkills,
    int[] PreferredSkills,
    DegreeLevel MinimumDegree,
    int MinCareerStage,
    int MaxCareerStage,
    float MinYearsExperience,
    TalentTier TierSought,
    int City,
    EmploymentModes Mode,
    int[] RequiredLanguages,
    DateOnly? ApplicationDeadline,
    DateOnly? StartDate);

/// <summary>Median research output of one discipline (used to normalise a profile's output).</summary>
public sealed record OutputNorm(float Publications, float HIndex, float GrantsLed);

/// <summary>
/// Field-level output medians by discipline code (top-level segment, e.g. <c>MED</c>), with a fallback for unknown
/// disciplines.
/// </summary>
public sealed record FieldOutputNorms(IReadOnlyDictionary<string, OutputNorm> ByDiscipline, OutputNorm Default)
{
    /// <summary>Fallback medians when nothing better is known (a mid-career researcher across fields).</summary>
    public static readonly OutputNorm DefaultNorm = new(Publications: 20f, HIndex: 8f, GrantsLed: 1f);

    public static FieldOutputNorms Empty { get; } = new(new Dictionary<string, OutputNorm>(), DefaultNorm);
}
