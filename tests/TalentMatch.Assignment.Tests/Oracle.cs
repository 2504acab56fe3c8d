namespace TalentMatch.Assignment.Tests;

/// <summary>
/// An independent reference: stability and acceptability checked straight from the GUID preference lists, and every
/// stable matching of a small instance found by exhaustive enumeration.
/// </summary>
public sealed class Oracle
{
    private readonly AssignmentInstance _instance;
    private readonly Dictionary<Guid, Dictionary<Guid, int>> _researcherRank = new();
    private readonly Dictionary<Guid, Dictionary<Guid, int>> _positionRank = new();
    private readonly Dictionary<Guid, int> _capacity = new();

    public Oracle(AssignmentInstance instance)
    {
        _instance = instance;
        foreach (var r in instance.Researchers) _researcherRank[r.Id] = r.Positions.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
        foreach (var p in instance.Positions)
        {
            _positionRank[p.Id] = p.Researchers.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i);
            _capacity[p.Id] = p.Capacity;
        }
    }

    public bool MutuallyAcceptable(Guid r, Guid p) => _researcherRank[r].ContainsKey(p) && _positionRank[p].ContainsKey(r);

    /// <summary>The researcher's rank of the position they hold (int.MaxValue when unplaced).</summary>
    public int RankOfResult(Guid r, IReadOnlyDictionary<Guid, Guid> positionOf) =>
        positionOf.TryGetValue(r, out var p) ? _researcherRank[r][p] : int.MaxValue;

    /// <summary>Problems of a matching: capacity exceeded, unacceptable pair, blocking pair (empty when stable).</summary>
    public List<string> Problems(IReadOnlyDictionary<Guid, Guid> positionOf)
    {
        var problems = new List<string>();
        var held = _instance.Positions.ToDictionary(p => p.Id, _ => new List<Guid>());
        foreach (var (r, p) in positionOf)
        {
            held[p].Add(r);
            if (!MutuallyAcceptable(r, p)) problems.Add($"{r}→{p} is not mutually acceptable");
        }
        foreach (var (p, rs) in held)
            if (rs.Count > _capacity[p]) problems.Add($"{p} holds {rs.Count} > capacity {_capacity[p]}");
        foreach (var r in _instance.Researchers)
            foreach (var p in r.Positions)
            {
                if (!MutuallyAcceptable(r.Id, p)) continue;
                if (RankOfResult(r.Id, positionOf) <= _researcherRank[r.Id][p]) continue; // has p or prefers what they have
                var rs = held[p];
                var wantsR = rs.Count < _capacity[p] || rs.Any(other => _positionRank[p][other] > _positionRank[p][r.Id]);
                if (wantsR) problems.Add($"blocking pair {r.Id}–{p}");
            }
        return problems;
    }

    /// <summary>Every stable matching (researcher → position), by enumerating every capacity-respecting matching.</summary>
    public List<Dictionary<Guid, Guid>> AllStableMatchings()
    {
        var researchers = _instance.Researchers;
        var options = researchers.Select(r => r.Positions.Where(p => MutuallyAcceptable(r.Id, p)).ToArray()).ToArray();
        var used = _instance.Positions.ToDictionary(p => p.Id, _ => 0);
        var current = new Dictionary<Guid, Guid>();
        var stable = new List<Dictionary<Guid, Guid>>();
        void Visit(int i)
        {
            if (i == researchers.Count)
            {
                if (Problems(current).Count == 0) stable.Add(new Dictionary<Guid, Guid>(current));
                return;
            }
            Visit(i + 1); // unplaced
            foreach (var p in options[i])
            {
                if (used[p] >= _capacity[p]) continue;
                used[p]++; current[researchers[i].Id] = p;
                Visit(i + 1);
                used[p]--; current.Remove(researchers[i].Id);
            }
        }
        Visit(0);
        return stable;
    }
}
