using System.Collections.Immutable;

using TalentMatch.ReferenceData;

namespace TalentMatch.SyntheticData;

/// <summary>One synthetic historical decision: an ambassador's graded judgement of a profile for a seed position.</summary>
/// <param name="Position">The seed position.</param>
/// <param name="Profile">The candidate.</param>
/// <param name="Utility">The hidden utility u (before noise), in [0, ~1.1].</param>
/// <param name="Label">The graded label 0..4 (0 rejected, 1 held, 2 endorsed, 3 interviewed, 4 offered/hired).</param>
public sealed record SyntheticDecision(SeedPosition Position, SyntheticProfile Profile, double Utility, int Label);

/// <summary>Sizes and seed of <see cref="SyntheticHistory.Generate"/>.</summary>
public sealed record SyntheticHistoryOptions
{
    /// <summary>Seed of the pool sampling and the label noise.</summary>
    public int Seed { get; init; } = 20261121;

    /// <summary>Candidates per position drawn from profiles sharing a discipline with it (fewer if there are fewer).</summary>
    public int RelatedPerPosition { get; init; } = 60;

    /// <summary>Candidates per position drawn from all profiles (mostly unrelated ones: the easy negatives).</summary>
    public int RandomPerPosition { get; init; } = 15;

    /// <summary>Standard deviation of the Gaussian noise added to the utility before it is cut into grades.</summary>
    public double NoiseSigma { get; init; } = SyntheticHistory.DefaultNoiseSigma;
}

/// <summary>
/// The documented HIDDEN UTILITY that synthetic ambassadors follow, its graded labels with noise, and a generator of
/// synthetic historical decisions for the seed positions. Used for the learning loop's cold start (a first model
/// trained before any real decision exists) and by the end-to-end test's simulated ambassadors.
/// <para>
/// u(profile, position) is deliberately nonlinear, with interactions a weighted sum cannot express (see
/// <c>seeds/README.md</c>, "Synthetic decisions"):
/// </para>
/// <code>
/// u = fieldGate × (0.30 + 0.30·skills + 0.15·stage + 0.15·experience + wOut·output)
///       × tier × city × mode × language × availability × degree
/// </code>
/// Every factor is in [0, 1] except the core sum, which can exceed 1 for an outstanding senior candidate.
/// </summary>
public static class SyntheticHistory
{
    /// <summary>Default σ of the label noise.</summary>
    public const double DefaultNoiseSigma = 0.06;

    /// <summary>Cut points of u + noise into grades 0..4 (below the first = 0).</summary>
    public static readonly ImmutableArray<double> Thresholds = [0.15, 0.28, 0.42, 0.58];

    /// <summary>Publication counts typical of a post's most senior stage R1..R4 (index = stage).</summary>
    private static readonly double[] ExpectedPublications = [0, 2, 8, 28, 80];

    /// <summary>
    /// The working languages a seed position requires (the seed data lists none): a visiting post needs English,
    /// any other post at a Chinese institution needs Chinese. Send the same list as the position's <c>languages</c>
    /// so the ranking's language feature sees what the ambassadors judge.
    /// </summary>
    public static ImmutableArray<string> RequiredLanguages(SeedPosition position) =>
        position.EmploymentMode == EmploymentModes.Visiting ? ["en"] : ["zh"];

    /// <summary>Proximity of a profile field to a position field: 1 when the same or inside it, else shared leading segments / the deeper depth.</summary>
    public static double FieldProximity(string have, string wanted)
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

        return (double)shared / Math.Max(a.Length, b.Length);
    }

    /// <summary>The hidden utility u of <paramref name="profile"/> for <paramref name="position"/>, with its factors.</summary>
    public static UtilityBreakdown Explain(SyntheticProfile profile, SeedPosition position)
    {
        // Field proximity gates everything: 0.7 × the best-fitting position field + 0.3 × the mean over its fields.
        double best = 0, sum = 0;
        foreach (var wanted in position.ResearchFields)
        {
            var p = profile.ResearchFields.Length == 0 ? 0 : profile.ResearchFields.Max(have => FieldProximity(have, wanted));
            best = Math.Max(best, p);
            sum += p;
        }

        var field = position.ResearchFields.Length == 0 ? 0 : 0.7 * best + 0.3 * sum / position.ResearchFields.Length;
        var fieldGate = field >= 0.9 ? 1.0 : field >= 0.6 ? 0.7 : field >= 0.3 ? 0.3 : 0.0;

        // Skills: coverage of required skills counts most; having all of them is worth a bonus.
        var required = Coverage(profile.Skills, position.RequiredSkills);
        var preferred = Coverage(profile.Skills, position.PreferredSkills);
        var skills = Math.Min(1, 0.65 * required + 0.25 * preferred + (required >= 0.999 && position.RequiredSkills.Length > 0 ? 0.1 : 0));

        // Stage inside the range: 1; one stage below 0.3, one above 0.55; further away 0.
        var stage = (int)profile.CareerStage;
        int lo = (int)position.CareerStageMin, hi = (int)position.CareerStageMax;
        var stageFit = stage >= lo && stage <= hi ? 1.0 : stage == lo - 1 ? 0.3 : stage == hi + 1 ? 0.55 : 0.0;

        // Experience saturating: (years / minimum)² below the minimum, then slowly towards 1 (+ up to 0.2 above).
        var min = Math.Max(0.5, position.MinimumYears);
        var ratio = profile.YearsOfExperience / min;
        var experience = ratio < 1 ? ratio * ratio : 0.8 + 0.2 * Math.Tanh((profile.YearsOfExperience - min) / 8);

        // Output relative to what the post's most senior stage typically has (log scale, capped), which matters more for senior posts.
        var expected = ExpectedPublications[Math.Clamp(hi, 1, 4)];
        var output = Math.Min(1.3, Math.Log(1 + profile.PublicationsCount) / Math.Log(1 + expected));
        var outputWeight = hi >= 3 ? 0.2 : 0.05;

        var core = 0.30 + 0.30 * skills + 0.15 * stageFit + 0.15 * experience + outputWeight * output;

        // Tier fit: a post meant for a talent tier barely considers people well below it.
        var tierGap = (int)position.TalentTierSought - (int)profile.TalentTier;
        var tier = position.TalentTierSought == TalentTier.None || tierGap <= 0 ? 1.0 : tierGap == 1 ? 0.6 : 0.25;

        // Near-hard factors: city preference, employment mode, working language.
        var city = profile.PreferredCities.Length == 0 || profile.PreferredCities.Contains(position.City) ? 1.0 : 0.4;
        var mode = (profile.EmploymentModes & position.EmploymentMode) != 0 ? 1.0 : 0.15;
        var languages = RequiredLanguages(position);
        var language = languages.All(profile.Languages.Contains) ? 1.0 : 0.5;

        // Availability before the deadline: fine up to it, then decaying to 0.4 at 180 days late.
        var late = profile.EarliestStartDate.DayNumber - position.ApplicationDeadline.DayNumber;
        var availability = late <= 0 ? 1.0 : Math.Max(0.4, 1 - 0.6 * late / 180.0);

        // Degree below the minimum: 0.35 per level short.
        var degreeGap = (int)position.MinimumDegree - (int)profile.HighestDegree;
        var degree = degreeGap <= 0 ? 1.0 : Math.Max(0, 1 - 0.35 * degreeGap);

        var u = fieldGate * core * tier * city * mode * language * availability * degree;
        return new UtilityBreakdown(u, fieldGate, skills, stageFit, experience, output, tier, city, mode, language, availability, degree);
    }

    /// <summary>The hidden utility u (see <see cref="Explain"/>).</summary>
    public static double Utility(SyntheticProfile profile, SeedPosition position) => Explain(profile, position).Utility;

    /// <summary>Cuts a (noisy) utility into a grade 0..4 with <see cref="Thresholds"/>.</summary>
    public static int Grade(double noisyUtility)
    {
        var label = 0;
        foreach (var t in Thresholds)
        {
            if (noisyUtility >= t)
            {
                label++;
            }
        }

        return label;
    }

    /// <summary>label = grade(u + N(0, σ²)), the noise drawn from <paramref name="random"/>.</summary>
    public static int Label(double utility, Random random, double sigma = DefaultNoiseSigma) => Grade(utility + sigma * Gaussian(random));

    /// <summary>
    /// The label an ambassador gives this pair: the noise is a deterministic function of (profile id, position id,
    /// seed), so the same pair always gets the same judgement, whatever the order pairs are judged in.
    /// </summary>
    public static int Label(SyntheticProfile profile, SeedPosition position, int seed, double sigma = DefaultNoiseSigma) =>
        Label(Utility(profile, position), new Random(PairSeed(profile.Id, position.Id, seed)), sigma);

    /// <summary>
    /// Synthetic historical decisions: for each position, a candidate pool of up to <see cref="SyntheticHistoryOptions.RelatedPerPosition"/>
    /// profiles sharing a discipline with it plus <see cref="SyntheticHistoryOptions.RandomPerPosition"/> drawn from all
    /// profiles (distinct), each labelled by the hidden utility with noise. Deterministic for the inputs and the seed.
    /// Decisions come grouped by position, in the order of <paramref name="positions"/>.
    /// </summary>
    public static IReadOnlyList<SyntheticDecision> Generate(IReadOnlyList<SyntheticProfile> profiles, IEnumerable<SeedPosition> positions,
        SyntheticHistoryOptions? options = null)
    {
        options ??= new SyntheticHistoryOptions();
        var random = new Random(options.Seed);
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < profiles.Count; i++)
        {
            foreach (var key in profiles[i].ResearchFields.SelectMany(Prefixes).Distinct())
            {
                if (!byKey.TryGetValue(key, out var list))
                {
                    byKey[key] = list = [];
                }

                list.Add(i);
            }
        }

        int[] Sharing(SeedPosition position, Func<string, string> key)
        {
            var found = position.ResearchFields.Select(key).Distinct().SelectMany(k => byKey.GetValueOrDefault(k) ?? []).Distinct().ToArray();
            random.Shuffle(found);
            return found;
        }

        var decisions = new List<SyntheticDecision>();
        foreach (var position in positions)
        {
            // Half of the related pool shares a field (discipline.field) with the position, the rest a discipline.
            var pool = new List<int>();
            var chosen = new HashSet<int>();
            foreach (var pick in Sharing(position, FieldKey).Take(options.RelatedPerPosition / 2))
            {
                pool.Add(pick);
                chosen.Add(pick);
            }

            foreach (var pick in Sharing(position, Discipline))
            {
                if (pool.Count >= options.RelatedPerPosition)
                {
                    break;
                }

                if (chosen.Add(pick))
                {
                    pool.Add(pick);
                }
            }

            var target = pool.Count + Math.Min(options.RandomPerPosition, profiles.Count - pool.Count);
            for (var attempts = 0; pool.Count < target && attempts < options.RandomPerPosition * 10; attempts++)
            {
                var pick = random.Next(profiles.Count);
                if (chosen.Add(pick))
                {
                    pool.Add(pick);
                }
            }

            foreach (var index in pool)
            {
                var profile = profiles[index];
                var u = Utility(profile, position);
                decisions.Add(new SyntheticDecision(position, profile, u, Label(u, random, options.NoiseSigma)));
            }
        }

        return decisions;
    }

    private static string Discipline(string code) => code.Split('.')[0];

    private static string FieldKey(string code) => string.Join('.', code.Split('.').Take(2));

    private static IEnumerable<string> Prefixes(string code) => [Discipline(code), FieldKey(code)];

    private static double Coverage(ImmutableArray<string> have, ImmutableArray<string> wanted) =>
        wanted.Length == 0 ? 1 : (double)wanted.Count(have.Contains) / wanted.Length;

    /// <summary>Standard normal deviate (Box–Muller).</summary>
    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static int PairSeed(Guid profile, Guid position, int seed)
    {
        // A stable hash (Guid.GetHashCode is not guaranteed stable across runtimes): FNV-1a over the bytes.
        var hash = 2166136261u;
        Span<byte> bytes = stackalloc byte[16];
        foreach (var id in (ReadOnlySpan<Guid>)[profile, position])
        {
            id.TryWriteBytes(bytes);
            foreach (var b in bytes)
            {
                hash = (hash ^ b) * 16777619u;
            }
        }

        return (int)(hash ^ (uint)seed);
    }
}

/// <summary>The hidden utility and each of its factors (see <see cref="SyntheticHistory.Explain"/>).</summary>
public sealed record UtilityBreakdown(
    double Utility, double FieldGate, double Skills, double Stage, double Experience, double Output,
    double Tier, double City, double Mode, double Language, double Availability, double Degree);
