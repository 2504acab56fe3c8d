namespace TalentMatch.Assignment;

/// <summary>
/// An assignment of researchers to positions: a proposal for HR offices to confirm, never a decision by itself.
/// </summary>
public sealed class AssignmentResult
{
    private readonly CompiledInstance _instance;
    private readonly int[] _positionOf;
    private readonly Dictionary<Guid, Guid> _byResearcher;
    private readonly Dictionary<Guid, IReadOnlyList<Guid>> _byPosition;

    internal AssignmentResult(CompiledInstance instance, int[] positionOf)
    {
        _instance = instance;
        _positionOf = positionOf;
        _byResearcher = new Dictionary<Guid, Guid>(positionOf.Length);
        var unplaced = new List<Guid>();
        for (var r = 0; r < positionOf.Length; r++)
        {
            if (positionOf[r] >= 0) _byResearcher.Add(instance.ResearcherIds[r], instance.PositionIds[positionOf[r]]);
            else unplaced.Add(instance.ResearcherIds[r]);
        }
        Unplaced = unplaced;

        // Each position's researchers in the position's own order of preference.
        _byPosition = new Dictionary<Guid, IReadOnlyList<Guid>>(instance.PositionCount);
        for (var p = 0; p < instance.PositionCount; p++)
        {
            var held = new List<Guid>();
            for (var e = instance.POffset[p]; e < instance.POffset[p + 1]; e++)
                if (positionOf[instance.PList[e]] == p) held.Add(instance.ResearcherIds[instance.PList[e]]);
            _byPosition.Add(instance.PositionIds[p], held);
        }
    }

    /// <summary>Researcher id → position id, for every placed researcher.</summary>
    public IReadOnlyDictionary<Guid, Guid> PositionOf => _byResearcher;

    /// <summary>Position id → its researchers (best first by the position's list), for every position (maybe empty).</summary>
    public IReadOnlyDictionary<Guid, IReadOnlyList<Guid>> ResearchersOf => _byPosition;

    /// <summary>Researchers not placed, in input order.</summary>
    public IReadOnlyList<Guid> Unplaced { get; }

    /// <summary>(researcher, position) pairs in the researchers' input order.</summary>
    public IEnumerable<(Guid Researcher, Guid Position)> Pairs
    {
        get
        {
            for (var r = 0; r < _positionOf.Length; r++)
                if (_positionOf[r] >= 0) yield return (_instance.ResearcherIds[r], _instance.PositionIds[_positionOf[r]]);
        }
    }

    /// <summary>
    /// Why: each proposed pair with both ranks, and for every position a researcher ranked above the one they got (all
    /// of their list when not placed) the reason it did not take them.
    /// </summary>
    public AssignmentExplanation Explain() => AssignmentExplanation.Build(_instance, _positionOf);
}
