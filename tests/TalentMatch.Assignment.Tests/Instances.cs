using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace TalentMatch.Assignment.Tests;

/// <summary>A generated instance that prints itself compactly (R0 = researchers[0], P1 = positions[1]) on failure.</summary>
public sealed record Case(AssignmentInstance Instance)
{
    public override string ToString()
    {
        var name = new Dictionary<Guid, string>();
        for (var r = 0; r < Instance.Researchers.Count; r++) name[Instance.Researchers[r].Id] = "R" + r;
        for (var p = 0; p < Instance.Positions.Count; p++) name[Instance.Positions[p].Id] = "P" + p;
        var text = new StringBuilder();
        foreach (var r in Instance.Researchers) text.Append($"{name[r.Id]}:[{string.Join(",", r.Positions.Select(x => name[x]))}] ");
        foreach (var p in Instance.Positions) text.Append($"{name[p.Id]}(cap {p.Capacity}):[{string.Join(",", p.Researchers.Select(x => name[x]))}] ");
        return text.ToString().TrimEnd();
    }
}

/// <summary>Generators of random hospitals/residents instances and the fixed-seed runner.</summary>
public static class Instances
{
    public static Guid ResearcherId(int i) => new(0x52000000 + i, 0, 0, new byte[8]);

    public static Guid PositionId(int i) => new(0x50000000 + i, 0, 0, new byte[8]);

    /// <summary>
    /// Instances with up to <paramref name="maxResearchers"/> researchers and <paramref name="maxPositions"/> positions:
    /// each researcher lists the positions in random order, cut at a random length; each position lists either a random
    /// subset of all researchers, or (more often) most of those who listed it plus a few who did not in random order, or
    /// most of those who listed it ordered against their own ranking (preference cycles: several stable matchings), so
    /// acceptability is sometimes mutual and sometimes one-sided. <paramref name="contested"/> makes long lists and
    /// cycles much more frequent, for the tests that compare all stable matchings. Sizes lean towards the maxima; capacities 0..<paramref name="maxCapacity"/>, most often 1.
    /// </summary>
    public static Gen<Case> Random(int maxResearchers, int maxPositions, int maxCapacity, bool contested = false) =>
        from nR in Gen.Frequency<int>((1, Gen.Choose(0, maxResearchers)), (4, Gen.Choose(maxResearchers / 2, maxResearchers)))
        from nP in Gen.Frequency<int>((1, Gen.Choose(0, maxPositions)), (4, Gen.Choose(Math.Max(1, maxPositions / 2), maxPositions)))
        let positionIds = Enumerable.Range(0, nP).Select(PositionId).ToArray()
        let researcherIds = Enumerable.Range(0, nR).Select(ResearcherId).ToArray()
        from researcherLists in Gen.CollectToArray(researcherIds, _ => ResearcherList(positionIds, contested))
        from capacities in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Constant(1)), (4, Gen.Choose(1, maxCapacity))), nP)
        from positionLists in Gen.CollectToArray(Enumerable.Range(0, nP), p => PositionList(p, researcherIds, positionIds, researcherLists, contested))
        select new Case(new AssignmentInstance(
            [.. researcherIds.Select((id, r) => new ResearcherPreferences(id, researcherLists[r]))],
            [.. positionIds.Select((id, p) => new PositionPreferences(id, capacities[p], positionLists[p]))]));

    /// <summary>A random order of the positions, cut at a random length (long lists more likely than short ones).</summary>
    private static Gen<Guid[]> ResearcherList(Guid[] positionIds, bool contested) =>
        from order in Gen.Shuffle(positionIds)
        from length in Gen.Frequency<int>(
            (1, Gen.Choose(0, positionIds.Length)), (2, Gen.Choose(positionIds.Length / 2, positionIds.Length)), (contested ? 6 : 0, Gen.Constant(positionIds.Length)))
        select order.Take(length).ToArray();

    /// <summary>Keeps each item with probability <paramref name="percent"/> %.</summary>
    private static Gen<Guid[]> Keep(Guid[] items, int percent) =>
        Gen.CollectToArray(items, id => Gen.Choose(0, 99).Select(x => (id, keep: x < percent)))
            .Select(xs => xs.Where(x => x.keep).Select(x => x.id).ToArray());

    private static Gen<Guid[]> PositionList(int p, Guid[] researcherIds, Guid[] positionIds, Guid[][] researcherLists, bool contested)
    {
        var listedBy = researcherIds.Where((_, r) => researcherLists[r].Contains(positionIds[p])).ToArray();
        var others = researcherIds.Except(listedBy).ToArray();
        var mostlyMutual =
            from mutual in Keep(listedBy, 85)
            from extra in Keep(others, 20)
            from order in Gen.Shuffle(mutual.Concat(extra).ToArray())
            select order;
        // Conflicting: the position prefers those who rank it low (give or take one place), which makes preference
        // cycles and so several stable matchings likely.
        var rankByResearcher = researcherIds.Select((id, r) => (id, rank: Array.IndexOf(researcherLists[r], positionIds[p]))).ToDictionary(x => x.id, x => x.rank);
        var conflicting =
            from mutual in Keep(listedBy, 90)
            from noise in Gen.CollectToArray(mutual, _ => Gen.Choose(0, 1))
            select mutual.Select((id, i) => (id, key: noise[i] - rankByResearcher[id])).OrderBy(x => x.key).Select(x => x.id).ToArray();
        var any = Gen.SubListOf(researcherIds).SelectMany(s => Gen.Shuffle(s.ToArray()));
        return Gen.Frequency<Guid[]>((3, mostlyMutual), (contested ? 12 : 3, conflicting), (1, any));
    }

    /// <summary>
    /// Runs <paramref name="property"/> on <paramref name="maxTest"/> cases from a fixed seed (override with
    /// <c>FSCHECK_SEED=&lt;number&gt;</c> to explore other cases); a failure throws with the case and the seed.
    /// </summary>
    public static void Check(Gen<Case> gen, int maxTest, Action<Case> property)
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("FSCHECK_SEED"), out var s) ? s : 20261203UL;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(maxTest)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        try
        {
            FsCheck.Check.One(config, Prop.ForAll(gen.ToArbitrary(), property));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new Xunit.Sdk.XunitException($"FSCHECK_SEED={seed}: {e.Message}");
        }
    }
}
