using BenchmarkDotNet.Attributes;
using TalentMatch.Assignment;

namespace TalentMatch.Benchmarks;

/// <summary>
/// The stable assignment of a large campaign, in process on one core (target: under a second): 10,000 researchers each
/// listing 20 of 1,000 positions, positions with a headcount of 1–19 (about 10,000 places in all) listing the
/// researchers who listed them (90 %) ordered by a score, plus some endorsed candidates who did not list them. Popular
/// positions are listed more often and ranked higher (a shared position quality plus each researcher's own taste), and
/// the positions' scores share a researcher quality, so proposals compete the way they would in a real campaign.
/// </summary>
[MemoryDiagnoser]
public class AssignmentBenchmarks
{
    private const int Researchers = 10_000;
    private const int Positions = 1_000;
    private const int ListLength = 20;

    private AssignmentInstance _instance = null!;
    private CompiledInstance _compiled = null!;

    [GlobalSetup]
    public void Setup()
    {
        _instance = Generate(new Random(16));
        _compiled = CompiledInstance.Compile(_instance);
        var placed = DeferredAcceptance.ResearcherProposing(_instance).PositionOf.Count;
        Console.WriteLine($"// instance: {Researchers} researchers, {Positions} positions, {_instance.Positions.Sum(p => p.Capacity)} places, " +
            $"{_instance.Positions.Sum(p => p.Researchers.Count)} position-list entries; researcher-proposing places {placed}");
    }

    internal static AssignmentInstance Generate(Random random)
    {
        var researcherIds = Enumerable.Range(0, Researchers).Select(_ => NewGuid(random)).ToArray();
        var positionIds = Enumerable.Range(0, Positions).Select(_ => NewGuid(random)).ToArray();
        var positionQuality = positionIds.Select(_ => random.NextDouble() * 3).ToArray();
        var researcherQuality = researcherIds.Select(_ => random.NextDouble() * 3).ToArray();

        // Each researcher picks 20 distinct positions, a position's chance growing with its quality (the most popular
        // about four times as likely as the least), and ranks them by quality plus their own taste.
        var cumulative = new double[Positions];
        for (var p = 0; p < Positions; p++) cumulative[p] = (p == 0 ? 0 : cumulative[p - 1]) + 1 + positionQuality[p];
        var lists = new Guid[Researchers][];
        var listedBy = Enumerable.Range(0, Positions).Select(_ => new List<int>()).ToArray();
        var chosen = new List<(int P, double Taste)>(ListLength);
        for (var r = 0; r < Researchers; r++)
        {
            chosen.Clear();
            while (chosen.Count < ListLength)
            {
                var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
                var p = index >= 0 ? index : ~index;
                if (!chosen.Exists(x => x.P == p)) chosen.Add((p, positionQuality[p] + random.NextDouble() * 3));
            }
            chosen.Sort((a, b) => b.Taste.CompareTo(a.Taste));
            lists[r] = [.. chosen.Select(x => positionIds[x.P])];
            foreach (var (p, _) in chosen) listedBy[p].Add(r);
        }

        var positions = new PositionPreferences[Positions];
        for (var p = 0; p < Positions; p++)
        {
            // Those who listed it (90 % endorsed) and a few endorsed who did not; ordered by score.
            var candidates = listedBy[p].Where(_ => random.NextDouble() < 0.9).ToList();
            for (var extra = 0; extra < 10; extra++) candidates.Add(random.Next(Researchers));
            var ranked = candidates.Distinct()
                .Select(r => (r, score: researcherQuality[r] + random.NextDouble() * 2))
                .OrderByDescending(x => x.score)
                .Select(x => researcherIds[x.r])
                .ToArray();
            positions[p] = new PositionPreferences(positionIds[p], 1 + random.Next(19), ranked);
        }
        return new AssignmentInstance(
            [.. researcherIds.Select((id, r) => new ResearcherPreferences(id, lists[r]))],
            positions);
    }

    private static Guid NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>The whole call: validation and mapping from GUIDs, the algorithm, the result keyed by GUID.</summary>
    [Benchmark(Baseline = true)]
    public AssignmentResult ResearcherProposing() => DeferredAcceptance.ResearcherProposing(_instance);

    /// <summary>The reference variant on the same instance, same run.</summary>
    [Benchmark]
    public AssignmentResult PositionProposing() => DeferredAcceptance.PositionProposing(_instance);

    /// <summary>Validation and mapping to dense indices alone.</summary>
    [Benchmark]
    public int Compile() => CompiledInstance.Compile(_instance).ResearcherCount;

    /// <summary>The algorithm alone on the compiled instance.</summary>
    [Benchmark]
    public int[] ResearcherProposingCore() => DeferredAcceptance.ResearcherProposing(_compiled);

    [Benchmark]
    public int[] PositionProposingCore() => DeferredAcceptance.PositionProposing(_compiled);

    /// <summary>The whole call plus the explanation of every pair and every researcher not placed.</summary>
    [Benchmark]
    public AssignmentExplanation ResearcherProposingAndExplain() => DeferredAcceptance.ResearcherProposing(_instance).Explain();
}
