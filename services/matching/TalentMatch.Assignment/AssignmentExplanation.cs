namespace TalentMatch.Assignment;

/// <summary>Why a position a researcher asked for did not take them.</summary>
public enum RefusalReason
{
    /// <summary>The position does not list the researcher (not among its endorsed candidates).</summary>
    NotAcceptableToPosition,
    /// <summary>The position's capacity is 0.</summary>
    NoCapacity,
    /// <summary>The position is full with researchers it ranks above this one.</summary>
    FullWithPreferred,
}

/// <summary>One position on a researcher's list that did not take them, and why.</summary>
/// <param name="PositionId">The position.</param>
/// <param name="ResearcherRankOfPosition">Where the researcher ranks the position (1 = first choice).</param>
/// <param name="PositionRankOfResearcher">Where the position ranks the researcher (1 = first), null when it does not list them.</param>
/// <param name="Reason">Why it did not take them.</param>
/// <param name="PreferredHeld">For <see cref="RefusalReason.FullWithPreferred"/>: the researchers it holds, best first; else empty.</param>
/// <param name="WorstHeldRank">For <see cref="RefusalReason.FullWithPreferred"/>: the position's rank of the lowest-ranked researcher it holds.</param>
/// <param name="Message">English description.</param>
/// <param name="MessageZh">Simplified Chinese description.</param>
public sealed record PositionRefusal(
    Guid PositionId, int ResearcherRankOfPosition, int? PositionRankOfResearcher, RefusalReason Reason,
    IReadOnlyList<Guid> PreferredHeld, int? WorstHeldRank, string Message, string MessageZh);

/// <summary>A proposed pair with both sides' ranks, and the positions the researcher preferred that did not take them.</summary>
/// <param name="ResearcherRankOfPosition">1 = the researcher's first choice.</param>
/// <param name="PositionRankOfResearcher">1 = the position's first choice.</param>
public sealed record ProposedPair(
    Guid ResearcherId, Guid PositionId, int ResearcherRankOfPosition, int PositionRankOfResearcher,
    IReadOnlyList<PositionRefusal> PreferredPositions);

/// <summary>A researcher not placed: every position on their list, with the reason it did not take them.</summary>
public sealed record UnplacedResearcher(Guid ResearcherId, IReadOnlyList<PositionRefusal> Positions);

/// <summary>The explanation of an assignment ("show why").</summary>
public sealed record AssignmentExplanation(IReadOnlyList<ProposedPair> Pairs, IReadOnlyList<UnplacedResearcher> Unplaced)
{
    internal static AssignmentExplanation Build(CompiledInstance c, int[] positionOf)
    {
        int nR = c.ResearcherCount, nP = c.PositionCount;

        // Per position: its rank of each researcher it holds, to know its worst held, and the count held.
        var heldCount = new int[nP];
        var worstHeld = new int[nP];
        Array.Fill(worstHeld, -1);
        var positionRankOfMatch = new int[nR];
        var researcherRankOfMatch = new int[nR];
        for (var r = 0; r < nR; r++)
        {
            var p = positionOf[r];
            if (p < 0) continue;
            var e = FindEntry(c.RList, c.ROffset[r], c.ROffset[r + 1], p);
            var rank = e < 0 ? -1 : c.RListPositionRank[e];
            if (rank < 0) throw new InvalidOperationException($"researcher {c.ResearcherIds[r]} is assigned to position {c.PositionIds[p]} but the pair is not mutually acceptable");
            researcherRankOfMatch[r] = e - c.ROffset[r];
            positionRankOfMatch[r] = rank;
            heldCount[p]++;
            worstHeld[p] = Math.Max(worstHeld[p], rank);
        }

        var heldLists = new List<Guid>?[nP]; // built on first use
        List<Guid> HeldBy(int p)
        {
            if (heldLists[p] is { } cached) return cached;
            var held = new List<Guid>(heldCount[p]);
            for (var e = c.POffset[p]; e < c.POffset[p + 1]; e++)
                if (positionOf[c.PList[e]] == p) held.Add(c.ResearcherIds[c.PList[e]]);
            return heldLists[p] = held;
        }

        PositionRefusal Refusal(int r, int entry)
        {
            var p = c.RList[entry];
            var pid = c.PositionIds[p];
            var ownRank = entry - c.ROffset[r] + 1;
            var rank = c.RListPositionRank[entry];
            if (rank < 0)
                return new(pid, ownRank, null, RefusalReason.NotAcceptableToPosition, [], null,
                    $"position {pid} does not list this researcher among its candidates",
                    $"岗位 {pid} 未将该研究人员列为候选人");
            if (c.Capacity[p] == 0)
                return new(pid, ownRank, rank + 1, RefusalReason.NoCapacity, [], null,
                    $"position {pid} has no openings (capacity 0)",
                    $"岗位 {pid} 没有名额(名额为 0)");
            if (heldCount[p] >= c.Capacity[p] && worstHeld[p] < rank)
                return new(pid, ownRank, rank + 1, RefusalReason.FullWithPreferred, HeldBy(p), worstHeld[p] + 1,
                    $"position {pid} is full ({heldCount[p]} of {c.Capacity[p]}) with researchers it ranks higher: its lowest held is ranked {worstHeld[p] + 1}, this researcher {rank + 1}",
                    $"岗位 {pid} 名额已满({heldCount[p]}/{c.Capacity[p]}),所录人选均排在该研究人员之前:所录人选最低排名第 {worstHeld[p] + 1},该研究人员排名第 {rank + 1}");
            throw new InvalidOperationException($"the assignment is not stable: researcher {c.ResearcherIds[r]} and position {pid} would both rather have each other");
        }

        var pairs = new List<ProposedPair>();
        var unplaced = new List<UnplacedResearcher>();
        for (var r = 0; r < nR; r++)
        {
            var p = positionOf[r];
            var stop = p >= 0 ? c.ROffset[r] + researcherRankOfMatch[r] : c.ROffset[r + 1];
            var refusals = new List<PositionRefusal>(stop - c.ROffset[r]);
            for (var e = c.ROffset[r]; e < stop; e++) refusals.Add(Refusal(r, e));
            if (p >= 0)
                pairs.Add(new ProposedPair(c.ResearcherIds[r], c.PositionIds[p], researcherRankOfMatch[r] + 1, positionRankOfMatch[r] + 1, refusals));
            else
                unplaced.Add(new UnplacedResearcher(c.ResearcherIds[r], refusals));
        }
        return new AssignmentExplanation(pairs, unplaced);
    }

    private static int FindEntry(int[] list, int from, int to, int value)
    {
        for (var e = from; e < to; e++) if (list[e] == value) return e;
        return -1;
    }
}
