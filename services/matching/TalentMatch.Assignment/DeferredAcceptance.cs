namespace TalentMatch.Assignment;

/// <summary>
/// Deferred acceptance (Gale–Shapley) for hospitals/residents with capacities. Both variants run in
/// O(R + P + total preference length) after the instance is compiled once to dense indices, and are deterministic:
/// the result depends only on the preferences (the stable matching each side prefers is unique).
/// </summary>
public static class DeferredAcceptance
{
    /// <summary>
    /// Researcher-proposing: the stable assignment every researcher likes at least as well as any other stable
    /// assignment. Throws <see cref="AssignmentValidationException"/> for an invalid instance.
    /// </summary>
    public static AssignmentResult ResearcherProposing(AssignmentInstance instance)
    {
        var compiled = CompiledInstance.Compile(instance);
        return new AssignmentResult(compiled, ResearcherProposing(compiled));
    }

    /// <summary>
    /// Position-proposing: the stable assignment every position likes at least as well as any other stable assignment
    /// (the reference for the rural-hospitals theorem: it places the same researchers and fills every position to the
    /// same count). Throws <see cref="AssignmentValidationException"/> for an invalid instance.
    /// </summary>
    public static AssignmentResult PositionProposing(AssignmentInstance instance)
    {
        var compiled = CompiledInstance.Compile(instance);
        return new AssignmentResult(compiled, PositionProposing(compiled));
    }

    /// <summary>Researcher-proposing on a compiled instance; returns each researcher's position index or -1.</summary>
    internal static int[] ResearcherProposing(CompiledInstance c)
    {
        int nR = c.ResearcherCount, nP = c.PositionCount;
        var rOffset = c.ROffset;
        var rList = c.RList;
        var rListPositionRank = c.RListPositionRank;

        // Each position holds at most min(capacity, list length) researchers: a max-heap by the position's rank, so
        // the worst one held is at the top. The heaps share two flat arrays.
        var heapStart = new int[nP + 1];
        for (var p = 0; p < nP; p++)
            heapStart[p + 1] = heapStart[p] + Math.Min(c.Capacity[p], c.POffset[p + 1] - c.POffset[p]);
        var heapRank = new int[heapStart[nP]];
        var heapResearcher = new int[heapStart[nP]];
        var heapCount = new int[nP];

        var match = new int[nR];
        Array.Fill(match, -1);
        var next = new int[nR]; // index into rList of the researcher's next proposal
        for (var r = 0; r < nR; r++) next[r] = rOffset[r];

        // Free researchers with proposals left; each is on the stack at most once.
        var free = new int[nR];
        var freeCount = 0;
        for (var r = nR - 1; r >= 0; r--) free[freeCount++] = r;

        while (freeCount > 0)
        {
            var r = free[--freeCount];
            var end = rOffset[r + 1];
            while (next[r] < end)
            {
                var e = next[r]++;
                var rank = rListPositionRank[e];
                if (rank < 0) continue; // the position does not list r
                var p = rList[e];
                var start = heapStart[p];
                var size = heapStart[p + 1] - start;
                if (size == 0) continue; // no capacity
                var count = heapCount[p];
                if (count < size)
                {
                    SiftUp(heapRank, heapResearcher, start, count, rank, r);
                    heapCount[p] = count + 1;
                    match[r] = p;
                    break;
                }
                if (rank < heapRank[start])
                {
                    var displaced = heapResearcher[start];
                    match[displaced] = -1;
                    free[freeCount++] = displaced;
                    SiftDown(heapRank, heapResearcher, start, count, rank, r);
                    match[r] = p;
                    break;
                }
            }
        }
        return match;
    }

    /// <summary>Position-proposing on a compiled instance; returns each researcher's position index or -1.</summary>
    internal static int[] PositionProposing(CompiledInstance c)
    {
        int nR = c.ResearcherCount, nP = c.PositionCount;
        var pOffset = c.POffset;
        var pList = c.PList;
        var pListResearcherRank = c.PListResearcherRank;

        var match = new int[nR];
        Array.Fill(match, -1);
        var heldRank = new int[nR]; // the researcher's rank of the position holding them
        var openings = (int[])c.Capacity.Clone();
        var next = new int[nP];
        for (var p = 0; p < nP; p++) next[p] = pOffset[p];

        var pending = new int[nP];
        var onStack = new bool[nP];
        var pendingCount = 0;
        for (var p = nP - 1; p >= 0; p--) { pending[pendingCount++] = p; onStack[p] = true; }

        while (pendingCount > 0)
        {
            var p = pending[--pendingCount];
            onStack[p] = false;
            var end = pOffset[p + 1];
            while (openings[p] > 0 && next[p] < end)
            {
                var e = next[p]++;
                var rank = pListResearcherRank[e];
                if (rank < 0) continue; // the researcher does not list p
                var r = pList[e];
                var held = match[r];
                if (held < 0)
                {
                    match[r] = p; heldRank[r] = rank; openings[p]--;
                }
                else if (rank < heldRank[r])
                {
                    match[r] = p; heldRank[r] = rank; openings[p]--;
                    openings[held]++;
                    if (!onStack[held]) { pending[pendingCount++] = held; onStack[held] = true; }
                }
            }
        }
        return match;
    }

    private static void SiftUp(int[] rank, int[] item, int start, int index, int newRank, int newItem)
    {
        while (index > 0)
        {
            var parent = (index - 1) >> 1;
            if (rank[start + parent] >= newRank) break;
            rank[start + index] = rank[start + parent];
            item[start + index] = item[start + parent];
            index = parent;
        }
        rank[start + index] = newRank;
        item[start + index] = newItem;
    }

    /// <summary>Replaces the top of a max-heap of <paramref name="count"/> elements and restores the heap.</summary>
    private static void SiftDown(int[] rank, int[] item, int start, int count, int newRank, int newItem)
    {
        var index = 0;
        while (true)
        {
            var child = 2 * index + 1;
            if (child >= count) break;
            if (child + 1 < count && rank[start + child + 1] > rank[start + child]) child++;
            if (rank[start + child] <= newRank) break;
            rank[start + index] = rank[start + child];
            item[start + index] = item[start + child];
            index = child;
        }
        rank[start + index] = newRank;
        item[start + index] = newItem;
    }
}
