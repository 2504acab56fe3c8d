using TalentMatch.Matching.ReadModel;

namespace TalentMatch.Matching.Baseline;

/// <summary>One criterion's share of a score: its fit in [0, 1], its weight, and the product.</summary>
public sealed record ScorePart(string Criterion, double Value, double Weight, double Contribution);

public sealed record BaselineScore(double Score, IReadOnlyList<ScorePart> Parts);

/// <summary>
/// The transparent baseline: a weighted sum of four fits, each in [0, 1]. It stays in the product as the reference
/// the learned ranking model has to beat, and as a fallback anyone can explain on paper.
/// <list type="bullet">
/// <item>researchFields (0.40): for each position field, the best taxonomy proximity to any of the profile's fields
/// (1 when the profile's field is the same or inside it, otherwise shared leading segments / the position code's
/// depth), averaged over the position's fields;</item>
/// <item>skills (0.30): share of required skills the profile lists, weighted 3:1 with the share of preferred ones;</item>
/// <item>degree (0.15): 1 at or above the minimum degree, minus 0.5 per level short;</item>
/// <item>experience (0.15): years of experience over the minimum, capped at 1.</item>
/// </list>
/// </summary>
public static class BaselineScorer
{
    public const string Name = "baseline";
    public const double FieldsWeight = 0.40, SkillsWeight = 0.30, DegreeWeight = 0.15, ExperienceWeight = 0.15;

    public static BaselineScore Score(CandidateProfile profile, PositionSnapshot position)
    {
        ScorePart[] parts =
        [
            Part("researchFields", FieldFit(profile.ResearchFields, position.ResearchFields), FieldsWeight),
            Part("skills", SkillFit(profile.Skills, position.RequiredSkills, position.PreferredSkills), SkillsWeight),
            Part("degree", Math.Max(0, 1 - 0.5 * Math.Max(0, position.MinimumDegree - profile.DegreeLevel)), DegreeWeight),
            Part("experience", position.MinimumYears <= 0 ? 1 : Math.Min(1, profile.YearsOfExperience / position.MinimumYears), ExperienceWeight),
        ];
        return new BaselineScore(Math.Round(parts.Sum(p => p.Contribution), 6), parts);
    }

    public static double FieldFit(IReadOnlyCollection<string> profileFields, IReadOnlyCollection<string> positionFields)
    {
        if (positionFields.Count == 0)
        {
            return 0;
        }

        return positionFields.Average(wanted => profileFields.Count == 0 ? 0 : profileFields.Max(have => Proximity(have, wanted)));
    }

    /// <summary>How well a researcher's field <paramref name="have"/> fits a position's field <paramref name="wanted"/>.</summary>
    public static double Proximity(string have, string wanted)
    {
        if (have == wanted || have.StartsWith(wanted + ".", StringComparison.Ordinal))
        {
            return 1;
        }

        var a = have.Split('.');
        var b = wanted.Split('.');
        var shared = 0;
        while (shared < a.Length && shared < b.Length && a[shared] == b[shared])
        {
            shared++;
        }

        return (double)shared / b.Length;
    }

    public static double SkillFit(IReadOnlyCollection<string> skills, IReadOnlyCollection<string> required, IReadOnlyCollection<string> preferred)
    {
        double Coverage(IReadOnlyCollection<string> wanted) =>
            wanted.Count == 0 ? 1 : (double)wanted.Count(skills.Contains) / wanted.Count;

        return 0.75 * Coverage(required) + 0.25 * Coverage(preferred);
    }

    private static ScorePart Part(string criterion, double value, double weight) =>
        new(criterion, Math.Round(value, 6), weight, Math.Round(value * weight, 6));
}
