namespace TalentMatch.Assignment;

/// <summary>
/// The instance with dense int indices (researchers 0..R-1, positions 0..P-1, in input order), mapped from the GUIDs
/// once. Preference lists are flat arrays with offsets; for every entry of one side's list the other side's rank of
/// that pair is stored next to it (-1 when the other side does not list it), so the algorithms never look anything up.
/// </summary>
internal sealed class CompiledInstance
{
    public required Guid[] ResearcherIds { get; init; }
    public required Guid[] PositionIds { get; init; }
    public required int[] Capacity { get; init; }

    /// <summary>Researcher r's list is <c>RList[ROffset[r]..ROffset[r+1]]</c> (position indices, best first).</summary>
    public required int[] ROffset { get; init; }
    public required int[] RList { get; init; }
    /// <summary>For each entry of <see cref="RList"/>: the position's rank of that researcher, or -1.</summary>
    public required int[] RListPositionRank { get; init; }

    /// <summary>Position p's list is <c>PList[POffset[p]..POffset[p+1]]</c> (researcher indices, best first).</summary>
    public required int[] POffset { get; init; }
    public required int[] PList { get; init; }
    /// <summary>For each entry of <see cref="PList"/>: the researcher's rank of that position, or -1.</summary>
    public required int[] PListResearcherRank { get; init; }

    public int ResearcherCount => ResearcherIds.Length;
    public int PositionCount => PositionIds.Length;

    public static CompiledInstance Compile(AssignmentInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var errors = new List<AssignmentValidationError>();
        var compiled = TryCompile(instance, errors);
        if (compiled is null) throw new AssignmentValidationException(errors);
        return compiled;
    }

    /// <summary>Compiles the instance, or adds every problem to <paramref name="errors"/> and returns null.</summary>
    public static CompiledInstance? TryCompile(AssignmentInstance instance, List<AssignmentValidationError> errors)
    {
        var researchers = instance.Researchers;
        var positions = instance.Positions;
        int nR = researchers.Count, nP = positions.Count;

        var rIndex = new Dictionary<Guid, int>(nR);
        var pIndex = new Dictionary<Guid, int>(nP);
        var rIds = new Guid[nR];
        var pIds = new Guid[nP];
        var capacity = new int[nP];

        for (var r = 0; r < nR; r++)
        {
            var item = researchers[r];
            if (item is null) { errors.Add(Error($"researchers[{r}]", AssignmentValidationCode.Missing, null, "researcher is missing", "缺少研究人员")); continue; }
            rIds[r] = item.Id;
            if (item.Id == Guid.Empty) errors.Add(Error($"researchers[{r}].id", AssignmentValidationCode.EmptyId, item.Id, "researcher id is empty", "研究人员 ID 为空"));
            else if (!rIndex.TryAdd(item.Id, r))
                errors.Add(Error($"researchers[{r}].id", AssignmentValidationCode.DuplicateId, item.Id,
                    $"researcher {item.Id} appears twice (first at researchers[{rIndex[item.Id]}])", $"研究人员 {item.Id} 重复出现(首次出现于 researchers[{rIndex[item.Id]}])"));
            if (item.Positions is null) errors.Add(Error($"researchers[{r}].positions", AssignmentValidationCode.Missing, item.Id, $"researcher {item.Id} has no position list", $"研究人员 {item.Id} 缺少岗位偏好列表"));
        }

        for (var p = 0; p < nP; p++)
        {
            var item = positions[p];
            if (item is null) { errors.Add(Error($"positions[{p}]", AssignmentValidationCode.Missing, null, "position is missing", "缺少岗位")); continue; }
            pIds[p] = item.Id;
            capacity[p] = item.Capacity;
            if (item.Id == Guid.Empty) errors.Add(Error($"positions[{p}].id", AssignmentValidationCode.EmptyId, item.Id, "position id is empty", "岗位 ID 为空"));
            else if (!pIndex.TryAdd(item.Id, p))
                errors.Add(Error($"positions[{p}].id", AssignmentValidationCode.DuplicateId, item.Id,
                    $"position {item.Id} appears twice (first at positions[{pIndex[item.Id]}])", $"岗位 {item.Id} 重复出现(首次出现于 positions[{pIndex[item.Id]}])"));
            if (item.Capacity < 0)
                errors.Add(Error($"positions[{p}].capacity", AssignmentValidationCode.NegativeCapacity, item.Id,
                    $"position {item.Id} has a negative capacity ({item.Capacity})", $"岗位 {item.Id} 的名额为负数({item.Capacity})"));
            if (item.Researchers is null) errors.Add(Error($"positions[{p}].researchers", AssignmentValidationCode.Missing, item.Id, $"position {item.Id} has no researcher list", $"岗位 {item.Id} 缺少人选偏好列表"));
        }

        // Researchers' lists → position indices; duplicates found with a stamp per position (no clearing needed).
        var rOffset = new int[nR + 1];
        for (var r = 0; r < nR; r++) rOffset[r + 1] = rOffset[r] + (researchers[r]?.Positions?.Count ?? 0);
        var rList = new int[rOffset[nR]];
        var stampP = new int[nP];
        for (var r = 0; r < nR; r++)
        {
            var list = researchers[r]?.Positions;
            if (list is null) continue;
            for (var k = 0; k < list.Count; k++)
            {
                var id = list[k];
                if (!pIndex.TryGetValue(id, out var p))
                {
                    errors.Add(Error($"researchers[{r}].positions[{k}]", AssignmentValidationCode.UnknownId, id,
                        $"researcher {rIds[r]} lists unknown position {id}", $"研究人员 {rIds[r]} 列出了不存在的岗位 {id}"));
                    p = -1;
                }
                else if (stampP[p] == r + 1)
                {
                    errors.Add(Error($"researchers[{r}].positions[{k}]", AssignmentValidationCode.DuplicateInList, id,
                        $"researcher {rIds[r]} lists position {id} twice", $"研究人员 {rIds[r]} 重复列出岗位 {id}"));
                }
                else stampP[p] = r + 1;
                rList[rOffset[r] + k] = p;
            }
        }

        var pOffset = new int[nP + 1];
        for (var p = 0; p < nP; p++) pOffset[p + 1] = pOffset[p] + (positions[p]?.Researchers?.Count ?? 0);
        var pList = new int[pOffset[nP]];
        var stampR = new int[nR];
        for (var p = 0; p < nP; p++)
        {
            var list = positions[p]?.Researchers;
            if (list is null) continue;
            for (var k = 0; k < list.Count; k++)
            {
                var id = list[k];
                if (!rIndex.TryGetValue(id, out var r))
                {
                    errors.Add(Error($"positions[{p}].researchers[{k}]", AssignmentValidationCode.UnknownId, id,
                        $"position {pIds[p]} lists unknown researcher {id}", $"岗位 {pIds[p]} 列出了不存在的研究人员 {id}"));
                    r = -1;
                }
                else if (stampR[r] == p + 1)
                {
                    errors.Add(Error($"positions[{p}].researchers[{k}]", AssignmentValidationCode.DuplicateInList, id,
                        $"position {pIds[p]} lists researcher {id} twice", $"岗位 {pIds[p]} 重复列出研究人员 {id}"));
                }
                else stampR[r] = p + 1;
                pList[pOffset[p] + k] = r;
            }
        }

        if (errors.Count > 0) return null;

        var (rListPositionRank, pListResearcherRank) = CrossRanks(nR, nP, rOffset, rList, pOffset, pList);
        return new CompiledInstance
        {
            ResearcherIds = rIds, PositionIds = pIds, Capacity = capacity,
            ROffset = rOffset, RList = rList, RListPositionRank = rListPositionRank,
            POffset = pOffset, PList = pList, PListResearcherRank = pListResearcherRank,
        };
    }

    /// <summary>
    /// For every researcher-list entry (r, p) the rank p gives r, and for every position-list entry (p, r) the rank r
    /// gives p, in O(R + P + total list length): the researchers' entries are bucketed by position (a counting sort),
    /// then each position's own list is scattered into a scratch array indexed by researcher and read back by its bucket.
    /// </summary>
    private static (int[] RListPositionRank, int[] PListResearcherRank) CrossRanks(int nR, int nP, int[] rOffset, int[] rList, int[] pOffset, int[] pList)
    {
        var bucketStart = new int[nP + 1];
        foreach (var p in rList) bucketStart[p + 1]++;
        for (var p = 0; p < nP; p++) bucketStart[p + 1] += bucketStart[p];
        var fill = (int[])bucketStart.Clone();
        var bucketEntry = new int[rList.Length]; // index into rList
        var bucketResearcher = new int[rList.Length];
        for (var r = 0; r < nR; r++)
            for (var e = rOffset[r]; e < rOffset[r + 1]; e++)
            {
                var slot = fill[rList[e]]++;
                bucketEntry[slot] = e;
                bucketResearcher[slot] = r;
            }

        var rListPositionRank = new int[rList.Length];
        var pListResearcherRank = new int[pList.Length];
        var scratch = new int[nR];
        Array.Fill(scratch, -1);
        for (var p = 0; p < nP; p++)
        {
            for (var e = pOffset[p]; e < pOffset[p + 1]; e++) scratch[pList[e]] = e - pOffset[p];
            for (var s = bucketStart[p]; s < bucketStart[p + 1]; s++)
            {
                var r = bucketResearcher[s];
                var entry = bucketEntry[s];
                rListPositionRank[entry] = scratch[r];
                scratch[r] = -2 - (entry - rOffset[r]); // remember r's rank of p for the way back
            }
            for (var e = pOffset[p]; e < pOffset[p + 1]; e++)
            {
                var r = pList[e];
                pListResearcherRank[e] = scratch[r] <= -2 ? -2 - scratch[r] : -1;
                scratch[r] = -1;
            }
            for (var s = bucketStart[p]; s < bucketStart[p + 1]; s++) scratch[bucketResearcher[s]] = -1;
        }
        return (rListPositionRank, pListResearcherRank);
    }

    private static AssignmentValidationError Error(string path, AssignmentValidationCode code, Guid? id, string message, string messageZh) =>
        new(path, code, id, message, messageZh);
}
