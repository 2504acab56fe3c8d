namespace TalentMatch.Assignment.Tests;

/// <summary>
/// Properties of both deferred-acceptance variants on random instances, against the independent oracle: stability,
/// capacities and acceptability; researcher-optimality and the rural-hospitals theorem against every stable matching
/// of small instances found by exhaustive enumeration.
/// </summary>
public sealed class StabilityPropertyTests
{
    [Fact]
    public void Both_variants_give_a_stable_assignment_within_capacities_of_mutually_acceptable_pairs()
    {
        Instances.Check(Instances.Random(maxResearchers: 40, maxPositions: 10, maxCapacity: 4), 300, c =>
        {
            var oracle = new Oracle(c.Instance);
            foreach (var assignment in new[] { DeferredAcceptance.ResearcherProposing(c.Instance), DeferredAcceptance.PositionProposing(c.Instance) })
            {
                Assert.Empty(oracle.Problems(assignment.PositionOf));
                // The two views of the result agree, and every researcher is either placed or listed as unplaced.
                Assert.Equal(assignment.PositionOf.Count, assignment.ResearchersOf.Values.Sum(l => l.Count));
                foreach (var (p, rs) in assignment.ResearchersOf)
                    Assert.All(rs, r => Assert.Equal(p, assignment.PositionOf[r]));
                Assert.Equal(c.Instance.Researchers.Count, assignment.PositionOf.Count + assignment.Unplaced.Count);
                Assert.Equal(c.Instance.Positions.Count, assignment.ResearchersOf.Count);
            }
        });
    }

    [Fact]
    public void Researcher_proposing_gives_every_researcher_their_best_position_among_all_stable_matchings()
    {
        var several = 0;
        Instances.Check(Instances.Random(maxResearchers: 6, maxPositions: 4, maxCapacity: 2, contested: true), Cases, c =>
        {
            var oracle = new Oracle(c.Instance);
            var all = oracle.AllStableMatchings();
            Assert.NotEmpty(all); // a stable matching always exists
            if (all.Count > 1) several++;
            var researcherOptimal = DeferredAcceptance.ResearcherProposing(c.Instance).PositionOf;
            var positionOptimal = DeferredAcceptance.PositionProposing(c.Instance).PositionOf;
            Assert.Contains(all, m => SameMatching(m, researcherOptimal));
            Assert.Contains(all, m => SameMatching(m, positionOptimal));
            foreach (var r in c.Instance.Researchers)
            {
                var ranks = all.Select(m => oracle.RankOfResult(r.Id, m)).ToArray();
                Assert.Equal(ranks.Min(), oracle.RankOfResult(r.Id, researcherOptimal));
                // ... and the position-proposing one their worst (the lattice's other end).
                Assert.Equal(ranks.Max(), oracle.RankOfResult(r.Id, positionOptimal));
            }
        });
        // The comparison means something only where there is a choice: enough cases must have several stable matchings.
        Assert.True(several >= Cases / 20, $"only {several} of {Cases} cases had more than one stable matching");
    }

    private const int Cases = 400;

    [Fact]
    public void Every_stable_matching_places_the_same_researchers_and_fills_each_position_to_the_same_count()
    {
        Instances.Check(Instances.Random(maxResearchers: 6, maxPositions: 4, maxCapacity: 2, contested: true), Cases, c =>
        {
            var byResearchers = DeferredAcceptance.ResearcherProposing(c.Instance);
            var byPositions = DeferredAcceptance.PositionProposing(c.Instance);
            var placed = byResearchers.PositionOf.Keys.ToHashSet();
            Assert.True(placed.SetEquals(byPositions.PositionOf.Keys), "the two variants place different researchers");
            foreach (var p in c.Instance.Positions)
                Assert.Equal(byResearchers.ResearchersOf[p.Id].Count, byPositions.ResearchersOf[p.Id].Count);

            foreach (var m in new Oracle(c.Instance).AllStableMatchings())
            {
                Assert.True(placed.SetEquals(m.Keys), "a stable matching places other researchers");
                foreach (var p in c.Instance.Positions)
                {
                    var fill = m.Values.Count(x => x == p.Id);
                    Assert.Equal(byResearchers.ResearchersOf[p.Id].Count, fill);
                    // Strong form: a position left short takes exactly the same researchers in every stable matching.
                    if (fill < p.Capacity)
                        Assert.Equal(byResearchers.ResearchersOf[p.Id].ToHashSet(), m.Where(x => x.Value == p.Id).Select(x => x.Key).ToHashSet());
                }
            }
        });
    }

    [Fact]
    public void The_result_does_not_depend_on_the_order_of_the_input()
    {
        Instances.Check(Instances.Random(maxResearchers: 30, maxPositions: 8, maxCapacity: 3), 200, c =>
        {
            var reversed = new AssignmentInstance([.. c.Instance.Researchers.Reverse()], [.. c.Instance.Positions.Reverse()]);
            Assert.True(SameMatching(DeferredAcceptance.ResearcherProposing(c.Instance).PositionOf, DeferredAcceptance.ResearcherProposing(reversed).PositionOf));
            Assert.True(SameMatching(DeferredAcceptance.PositionProposing(c.Instance).PositionOf, DeferredAcceptance.PositionProposing(reversed).PositionOf));
        });
    }

    [Fact]
    public void A_capacity_far_above_the_list_allocates_only_what_the_list_can_fill()
    {
        var r = Instances.ResearcherId(0);
        var p = Instances.PositionId(0);
        var instance = new AssignmentInstance([new(r, [p])], [new(p, int.MaxValue, [r])]);
        Assert.Equal(p, DeferredAcceptance.ResearcherProposing(instance).PositionOf[r]);
        Assert.Equal(p, DeferredAcceptance.PositionProposing(instance).PositionOf[r]);
    }

    private static bool SameMatching(IReadOnlyDictionary<Guid, Guid> a, IReadOnlyDictionary<Guid, Guid> b) =>
        a.Count == b.Count && a.All(x => b.TryGetValue(x.Key, out var p) && p == x.Value);
}
