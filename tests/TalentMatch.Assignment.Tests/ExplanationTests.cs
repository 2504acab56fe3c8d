namespace TalentMatch.Assignment.Tests;

/// <summary>"Show why": a hand-checked example, and on random instances every reason agrees with the result.</summary>
public sealed class ExplanationTests
{
    // Researchers r1..r7 and positions h1..h6 (h1 takes two, h6 none).
    private static readonly Guid R1 = Instances.ResearcherId(1), R2 = Instances.ResearcherId(2), R3 = Instances.ResearcherId(3),
        R4 = Instances.ResearcherId(4), R5 = Instances.ResearcherId(5), R6 = Instances.ResearcherId(6), R7 = Instances.ResearcherId(7);
    private static readonly Guid H1 = Instances.PositionId(1), H2 = Instances.PositionId(2), H3 = Instances.PositionId(3),
        H4 = Instances.PositionId(4), H5 = Instances.PositionId(5), H6 = Instances.PositionId(6);

    /// <summary>
    /// Worked by hand. Researcher-proposing: r1→h1, r2→h2, r3→h1, r4→h2 (h2 prefers r4, r2 is free), r5→h1 (h1 drops
    /// r1, its worst), r1→h2 (h2 prefers r1 to r4), r4→h3, r2→h1 (full with r3, r5, both preferred), r2→h3 (does not
    /// list r2), r2→h6 (no capacity): r2 is not placed. r6/r7 and h4/h5 form a cycle with two stable matchings:
    /// r6→h4, r7→h5 when researchers propose, r6→h5, r7→h4 when positions do.
    /// </summary>
    private static readonly AssignmentInstance Textbook = new(
        [
            new(R1, [H1, H2]),
            new(R2, [H2, H1, H3, H6]),
            new(R3, [H1, H3]),
            new(R4, [H2, H3]),
            new(R5, [H1]),
            new(R6, [H4, H5]),
            new(R7, [H5, H4]),
        ],
        [
            new(H1, 2, [R3, R5, R1, R2]),
            new(H2, 1, [R1, R4, R2]),
            new(H3, 1, [R4, R3]),
            new(H4, 1, [R7, R6]),
            new(H5, 1, [R6, R7]),
            new(H6, 0, [R2]),
        ]);

    [Fact]
    public void Textbook_instance_researcher_proposing()
    {
        var assignment = DeferredAcceptance.ResearcherProposing(Textbook);
        Assert.Equal(new Dictionary<Guid, Guid> { [R1] = H2, [R3] = H1, [R4] = H3, [R5] = H1, [R6] = H4, [R7] = H5 }, assignment.PositionOf);
        Assert.Equal([R2], assignment.Unplaced);
        Assert.Equal([R3, R5], assignment.ResearchersOf[H1]); // in h1's order
        Assert.Empty(assignment.ResearchersOf[H6]);

        var why = assignment.Explain();
        Assert.Equal(6, why.Pairs.Count);
        var r1 = Assert.Single(why.Pairs, x => x.ResearcherId == R1);
        Assert.Equal((H2, 2, 1), (r1.PositionId, r1.ResearcherRankOfPosition, r1.PositionRankOfResearcher));
        var h1ForR1 = Assert.Single(r1.PreferredPositions);
        Assert.Equal((H1, 1, 3, RefusalReason.FullWithPreferred, 2), (h1ForR1.PositionId, h1ForR1.ResearcherRankOfPosition, h1ForR1.PositionRankOfResearcher, h1ForR1.Reason, h1ForR1.WorstHeldRank));
        Assert.Equal([R3, R5], h1ForR1.PreferredHeld);

        var r4 = Assert.Single(why.Pairs, x => x.ResearcherId == R4);
        Assert.Equal((H3, 2, 1), (r4.PositionId, r4.ResearcherRankOfPosition, r4.PositionRankOfResearcher));
        var h2ForR4 = Assert.Single(r4.PreferredPositions);
        Assert.Equal((H2, RefusalReason.FullWithPreferred, 2, 1), (h2ForR4.PositionId, h2ForR4.Reason, h2ForR4.PositionRankOfResearcher, h2ForR4.WorstHeldRank));
        Assert.Equal([R1], h2ForR4.PreferredHeld);

        var r5 = Assert.Single(why.Pairs, x => x.ResearcherId == R5);
        Assert.Equal((H1, 1, 2), (r5.PositionId, r5.ResearcherRankOfPosition, r5.PositionRankOfResearcher));
        Assert.Empty(r5.PreferredPositions);

        var r2 = Assert.Single(why.Unplaced);
        Assert.Equal(R2, r2.ResearcherId);
        Assert.Equal([H2, H1, H3, H6], r2.Positions.Select(x => x.PositionId));
        Assert.Equal([1, 2, 3, 4], r2.Positions.Select(x => x.ResearcherRankOfPosition));
        Assert.Equal(
            [RefusalReason.FullWithPreferred, RefusalReason.FullWithPreferred, RefusalReason.NotAcceptableToPosition, RefusalReason.NoCapacity],
            r2.Positions.Select(x => x.Reason));
        Assert.Equal([R1], r2.Positions[0].PreferredHeld);
        Assert.Equal((3, 1), (r2.Positions[0].PositionRankOfResearcher, r2.Positions[0].WorstHeldRank));
        Assert.Equal([R3, R5], r2.Positions[1].PreferredHeld);
        Assert.Equal((4, 2), (r2.Positions[1].PositionRankOfResearcher, r2.Positions[1].WorstHeldRank));
        Assert.Null(r2.Positions[2].PositionRankOfResearcher);
        Assert.Empty(r2.Positions[2].PreferredHeld);
        Assert.Equal(1, r2.Positions[3].PositionRankOfResearcher);

        // Both languages, naming the position.
        Assert.All(r2.Positions, x => Assert.Contains(x.PositionId.ToString(), x.Message));
        Assert.All(r2.Positions, x => Assert.Contains(x.PositionId.ToString(), x.MessageZh));
        Assert.Contains("岗位", r2.Positions[0].MessageZh);
        Assert.Contains("ranked 1, this researcher 3", r2.Positions[0].Message);
    }

    [Fact]
    public void Textbook_instance_position_proposing_resolves_the_cycle_the_other_way()
    {
        var assignment = DeferredAcceptance.PositionProposing(Textbook);
        Assert.Equal(new Dictionary<Guid, Guid> { [R1] = H2, [R3] = H1, [R4] = H3, [R5] = H1, [R6] = H5, [R7] = H4 }, assignment.PositionOf);
        var r6 = Assert.Single(assignment.Explain().Pairs, x => x.ResearcherId == R6);
        Assert.Equal((2, 1), (r6.ResearcherRankOfPosition, r6.PositionRankOfResearcher));
        var h4 = Assert.Single(r6.PreferredPositions);
        Assert.Equal((H4, RefusalReason.FullWithPreferred, 2, 1), (h4.PositionId, h4.Reason, h4.PositionRankOfResearcher, h4.WorstHeldRank));
        Assert.Equal([R7], h4.PreferredHeld);
    }

    [Fact]
    public void Every_reason_agrees_with_the_result_on_random_instances()
    {
        Instances.Check(Instances.Random(maxResearchers: 30, maxPositions: 8, maxCapacity: 4), 200, c =>
        {
            foreach (var assignment in new[] { DeferredAcceptance.ResearcherProposing(c.Instance), DeferredAcceptance.PositionProposing(c.Instance) })
                CheckExplanation(c.Instance, assignment);
        });
    }

    private static void CheckExplanation(AssignmentInstance instance, AssignmentResult assignment)
    {
        var why = assignment.Explain();
        var researchers = instance.Researchers.ToDictionary(r => r.Id);
        var positions = instance.Positions.ToDictionary(p => p.Id);
        Assert.Equal(assignment.PositionOf.Count, why.Pairs.Count);
        Assert.Equal(assignment.Unplaced, why.Unplaced.Select(u => u.ResearcherId));

        void CheckRefusal(Guid r, PositionRefusal refusal)
        {
            var p = positions[refusal.PositionId];
            Assert.Equal(researchers[r].Positions.ToList().IndexOf(p.Id) + 1, refusal.ResearcherRankOfPosition);
            var rank = p.Researchers.ToList().IndexOf(r);
            Assert.Equal(rank < 0 ? null : rank + 1, refusal.PositionRankOfResearcher);
            Assert.NotEqual(p.Id, assignment.PositionOf.GetValueOrDefault(r));
            switch (refusal.Reason)
            {
                case RefusalReason.NotAcceptableToPosition:
                    Assert.True(rank < 0);
                    break;
                case RefusalReason.NoCapacity:
                    Assert.True(rank >= 0);
                    Assert.Equal(0, p.Capacity);
                    break;
                case RefusalReason.FullWithPreferred:
                    var held = assignment.ResearchersOf[p.Id];
                    Assert.Equal(held, refusal.PreferredHeld);
                    Assert.Equal(p.Capacity, held.Count);
                    var heldRanks = held.Select(h => p.Researchers.ToList().IndexOf(h)).ToArray();
                    Assert.All(heldRanks, h => Assert.True(h < rank, "a held researcher is ranked below the refused one"));
                    Assert.Equal(heldRanks.Max() + 1, refusal.WorstHeldRank);
                    break;
                default:
                    Assert.Fail($"unknown reason {refusal.Reason}");
                    break;
            }
        }

        foreach (var pair in why.Pairs)
        {
            Assert.Equal(assignment.PositionOf[pair.ResearcherId], pair.PositionId);
            var own = researchers[pair.ResearcherId].Positions.ToList();
            Assert.Equal(own.IndexOf(pair.PositionId) + 1, pair.ResearcherRankOfPosition);
            Assert.Equal(positions[pair.PositionId].Researchers.ToList().IndexOf(pair.ResearcherId) + 1, pair.PositionRankOfResearcher);
            // Exactly the positions ranked above the one they got, in their order.
            Assert.Equal(own.Take(pair.ResearcherRankOfPosition - 1), pair.PreferredPositions.Select(x => x.PositionId));
            foreach (var refusal in pair.PreferredPositions) CheckRefusal(pair.ResearcherId, refusal);
        }
        foreach (var unplaced in why.Unplaced)
        {
            Assert.Equal(researchers[unplaced.ResearcherId].Positions, unplaced.Positions.Select(x => x.PositionId));
            foreach (var refusal in unplaced.Positions) CheckRefusal(unplaced.ResearcherId, refusal);
        }
    }
}
