using TalentMatch.Matching.Learning;
using TalentMatch.ReferenceData;
using TalentMatch.SyntheticData;

namespace TalentMatch.Matching.Synthetic;

/// <summary>
/// Makes matching's cold-start history from the synthetic-data project: generated profiles, the seed positions and
/// the hidden utility's noisy grades, mapped to the read model. The embedded file is <see cref="Generate"/> with the
/// defaults; tests and benchmarks make other sizes.
/// </summary>
public static class ColdStartHistoryGenerator
{
    public const int DefaultProfiles = 3000;
    public const int DefaultSeed = 20261121;

    public static ColdStartHistory Generate(int profiles = DefaultProfiles, int seed = DefaultSeed, SyntheticHistoryOptions? options = null)
    {
        var generated = new ProfileGenerator(seed).Generate(profiles).ToList();
        var history = SyntheticHistory.Generate(generated, SeedPositions.Load().All, options ?? new SyntheticHistoryOptions { Seed = seed });
        var candidates = history.Select(d => d.Profile).DistinctBy(p => p.Id).Select(SyntheticMapping.Candidate).ToList();
        var positions = history.Select(d => d.Position).DistinctBy(p => p.Id).Select(SyntheticMapping.Position).ToList();
        var decisions = history.Select(d => new ColdStartDecision(d.Position.Id, d.Profile.Id, d.Label)).ToList();
        return new ColdStartHistory($"{profiles} generated profiles, seed {seed}", candidates, positions, decisions);
    }

    /// <summary>The training rows of a generated history, featurised as the service does.</summary>
    public static List<LabelledRow> Rows(int profiles = DefaultProfiles, int seed = DefaultSeed, SyntheticHistoryOptions? options = null) =>
        Generate(profiles, seed, options).Rows();
}
